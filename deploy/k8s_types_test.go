package deploy_test

// The slices of the Kubernetes API these tests read: only the fields a
// test checks are declared.

type envVar struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"secretKeyRef"`
		FieldRef *struct {
			FieldPath string `json:"fieldPath"`
		} `json:"fieldRef"`
		ResourceFieldRef *struct {
			ContainerName string `json:"containerName"`
			Resource      string `json:"resource"`
		} `json:"resourceFieldRef"`
	} `json:"valueFrom"`
}

type probe struct {
	HTTPGet *struct {
		Path string `json:"path"`
		Port any    `json:"port"`
	} `json:"httpGet"`
}

type containerPort struct {
	Name          string `json:"name"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

type container struct {
	Name           string          `json:"name"`
	Args           []string        `json:"args"`
	Env            []envVar        `json:"env"`
	Ports          []containerPort `json:"ports"`
	StartupProbe   *probe          `json:"startupProbe"`
	LivenessProbe  *probe          `json:"livenessProbe"`
	ReadinessProbe *probe          `json:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `json:"requests"`
		Limits   map[string]string `json:"limits"`
	} `json:"resources"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   bool `json:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation bool `json:"allowPrivilegeEscalation"`
	} `json:"securityContext"`
	VolumeMounts []struct {
		Name      string `json:"name"`
		MountPath string `json:"mountPath"`
	} `json:"volumeMounts"`
}

type statefulSet struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		ServiceName string `json:"serviceName"`
		Replicas    int    `json:"replicas"`
		Selector    struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Spec struct {
				TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`
				SecurityContext               struct {
					RunAsNonRoot bool `json:"runAsNonRoot"`
					RunAsUser    int  `json:"runAsUser"`
				} `json:"securityContext"`
				Containers                []container `json:"containers"`
				TopologySpreadConstraints []struct {
					MaxSkew           int    `json:"maxSkew"`
					TopologyKey       string `json:"topologyKey"`
					WhenUnsatisfiable string `json:"whenUnsatisfiable"`
				} `json:"topologySpreadConstraints"`
			} `json:"spec"`
		} `json:"template"`
		VolumeClaimTemplates []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"volumeClaimTemplates"`
	} `json:"spec"`
}

type service struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		ClusterIP                string            `json:"clusterIP"`
		PublishNotReadyAddresses bool              `json:"publishNotReadyAddresses"`
		Selector                 map[string]string `json:"selector"`
		Ports                    []struct {
			Name       string `json:"name"`
			Port       int    `json:"port"`
			TargetPort any    `json:"targetPort"`
			Protocol   string `json:"protocol"`
		} `json:"ports"`
	} `json:"spec"`
}

type networkPolicy struct {
	Spec struct {
		PodSelector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"podSelector"`
		Ingress []struct {
			Ports []struct {
				Port     any    `json:"port"`
				Protocol string `json:"protocol"`
			} `json:"ports"`
		} `json:"ingress"`
	} `json:"spec"`
}

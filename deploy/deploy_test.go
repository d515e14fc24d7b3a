package deploy_test

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/bitcraps/bitcraps/internal/config"
)

// Test stand-ins for the Secret's keys and the downward API: shaped like
// what an operator must provide (token 16+ chars, base64 of 32 bytes).
var secretValues = map[string]string{
	"api-token":           "deploy-test-token-0123456789",
	"gossip-key":          "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
	"keystore-passphrase": "deploy test passphrase",
}

const podIP = "10.1.2.3"

func TestEveryYAMLParsesAndEveryManifestIsAnObject(t *testing.T) {
	for _, f := range yamlFiles(t, "kubernetes") {
		for i, doc := range readYAMLDocs(t, f) {
			if doc["apiVersion"] == nil || doc["kind"] == nil {
				t.Errorf("%s document %d: no apiVersion/kind", f, i+1)
			}
		}
	}
	for _, f := range yamlFiles(t, "prometheus") {
		readYAMLDocs(t, f)
	}
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName string `yaml:"job_name"`
		} `yaml:"scrape_configs"`
	}
	raw, err := os.ReadFile("prometheus/prometheus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &prom); err != nil {
		t.Fatal(err)
	}
	for _, rf := range prom.RuleFiles {
		if _, err := os.Stat(filepath.Join("prometheus", rf)); err != nil {
			t.Errorf("prometheus.yaml rule_files %q: %v", rf, err)
		}
	}
	if len(prom.ScrapeConfigs) == 0 || prom.ScrapeConfigs[0].JobName != "bitcraps" {
		t.Errorf("scrape configs %+v: want job bitcraps (the alerts select up{job=\"bitcraps\"})", prom.ScrapeConfigs)
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	var k struct {
		Namespace string   `yaml:"namespace"`
		Resources []string `yaml:"resources"`
	}
	raw, err := os.ReadFile("kubernetes/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	for _, f := range yamlFiles(t, "kubernetes") {
		base := filepath.Base(f)
		if base != "kustomization.yaml" && !slices.Contains(k.Resources, base) {
			t.Errorf("%s is not in kustomization.yaml resources", base)
		}
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join("kubernetes", r)); err != nil {
			t.Errorf("kustomization resource %q: %v", r, err)
		}
	}
	join := statefulSetEnv(t)["BITCRAPS_JOIN"]
	gossip := headlessService(t)
	want := gossip.Metadata.Name + "." + k.Namespace + ".svc.cluster.local:"
	if !strings.HasPrefix(join, want) {
		t.Errorf("BITCRAPS_JOIN %q: want the headless service's DNS name %s...", join, want)
	}
}

func TestEveryEnvNameIsASetting(t *testing.T) {
	known := map[string]bool{}
	for _, s := range config.Settings() {
		known[s.Env] = true
	}
	for _, must := range []string{"BITCRAPS_API_TOKEN", "BITCRAPS_GOSSIP_KEY", "BITCRAPS_KEYSTORE_PASSPHRASE"} {
		if !known[must] {
			t.Fatalf("config.Settings() lacks %s", must)
		}
	}
	files := []string{"Dockerfile", "README.md"}
	for _, dir := range []string{"kubernetes", "prometheus"} {
		files = append(files, yamlFiles(t, dir)...)
	}
	seen := 0
	for _, f := range files {
		for _, name := range envNamesIn(t, f) {
			seen++
			// BITCRAPS_NODE is the client commands' --node, not a node setting.
			if !known[name] && name != "BITCRAPS_NODE" {
				t.Errorf("%s mentions %s: not a setting in internal/config", f, name)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d BITCRAPS_* mentions found: the scan is broken", seen)
	}
}

// statefulSetEnv is the container's environment as the kubelet would give
// it, with test stand-ins for Secret keys and the pod IP.
func statefulSetEnv(t *testing.T) map[string]string {
	t.Helper()
	c := nodeContainer(t)
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			v, ok := secretValues[ref.Key]
			if ref.Name != "bitcraps-secrets" || !ok {
				t.Fatalf("%s from secret %s key %s: want bitcraps-secrets with a key the README documents", e.Name, ref.Name, ref.Key)
			}
			env[e.Name] = v
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "status.podIP":
			env[e.Name] = podIP
		case e.ValueFrom.ResourceFieldRef != nil:
			ref := e.ValueFrom.ResourceFieldRef
			if ref.ContainerName != c.Name || ref.Resource != "limits.memory" || c.Resources.Limits["memory"] == "" {
				t.Fatalf("env %s from %s of container %q: want this container's memory limit", e.Name, ref.Resource, ref.ContainerName)
			}
			env[e.Name] = c.Resources.Limits["memory"]
		default:
			t.Fatalf("env %s: unsupported valueFrom", e.Name)
		}
	}
	return env
}

func nodeContainer(t *testing.T) container {
	t.Helper()
	sets := objects[statefulSet](t, "StatefulSet")
	if len(sets) != 1 || len(sets[0].Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one StatefulSet with one container, got %d sets", len(sets))
	}
	return sets[0].Spec.Template.Spec.Containers[0]
}

// resolve runs the node's own config resolution over env, as `bitcraps
// node` does in the container.
func resolve(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	fs := pflag.NewFlagSet("node", pflag.ContinueOnError)
	config.RegisterFlags(fs)
	cfg, err := config.Resolve(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("the manifest's environment is refused by the node: %v", err)
	}
	return cfg
}

func httpPort(t *testing.T, cfg config.Config) int {
	t.Helper()
	_, p, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatefulSetConfigAndPortsAgree(t *testing.T) {
	env := statefulSetEnv(t)
	cfg := resolve(t, env)
	if cfg.APIToken == "" || len(cfg.GossipKey) == 0 || cfg.KeystorePassphrase == "" {
		t.Fatalf("token %t, gossip key %t, passphrase %t: all three must come from the Secret",
			cfg.APIToken != "", len(cfg.GossipKey) > 0, cfg.KeystorePassphrase != "")
	}
	if cfg.DataDir != "/data" {
		t.Errorf("data dir %q, want /data (the volume claim's mount)", cfg.DataDir)
	}
	want := map[string]containerPort{
		"http":       {ContainerPort: httpPort(t, cfg), Protocol: "TCP"},
		"mesh":       {ContainerPort: cfg.Port, Protocol: "TCP"},
		"gossip-tcp": {ContainerPort: cfg.GossipPort, Protocol: "TCP"},
		"gossip-udp": {ContainerPort: cfg.GossipPort, Protocol: "UDP"},
	}
	c := nodeContainer(t)
	if len(c.Ports) != len(want) {
		t.Errorf("container ports %+v, want exactly %v", c.Ports, want)
	}
	for _, p := range c.Ports {
		w, ok := want[p.Name]
		if !ok || p.ContainerPort != w.ContainerPort || p.Protocol != w.Protocol {
			t.Errorf("container port %+v: want %+v (from the resolved config)", p, w)
		}
	}
	for _, pr := range []*probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
		if pr == nil || pr.HTTPGet == nil || pr.HTTPGet.Port != "http" {
			t.Errorf("probe %+v: want an httpGet on the named port http", pr)
		}
	}
	checkServicesTarget(t, want)
}

func checkServicesTarget(t *testing.T, ports map[string]containerPort) {
	t.Helper()
	for _, s := range objects[service](t, "Service") {
		if s.Spec.Selector["app.kubernetes.io/name"] != "bitcraps" {
			t.Errorf("service %s selects %v", s.Metadata.Name, s.Spec.Selector)
		}
		for _, p := range s.Spec.Ports {
			name, _ := p.TargetPort.(string)
			cp, ok := ports[name]
			if !ok || cp.Protocol != p.Protocol || cp.ContainerPort != p.Port {
				t.Errorf("service %s port %s (%d/%s) -> %v: want a container port of that number and protocol",
					s.Metadata.Name, p.Name, p.Port, p.Protocol, p.TargetPort)
			}
		}
	}
}

func headlessService(t *testing.T) service {
	t.Helper()
	sets := objects[statefulSet](t, "StatefulSet")
	for _, s := range objects[service](t, "Service") {
		if s.Metadata.Name == sets[0].Spec.ServiceName {
			if s.Spec.ClusterIP != "None" || !s.Spec.PublishNotReadyAddresses {
				t.Fatalf("service %s: clusterIP %q publishNotReady %t; the gossip service must be headless and list starting pods",
					s.Metadata.Name, s.Spec.ClusterIP, s.Spec.PublishNotReadyAddresses)
			}
			return s
		}
	}
	t.Fatalf("no Service named %q (the StatefulSet's serviceName)", sets[0].Spec.ServiceName)
	return service{}
}

func TestStatefulSetShape(t *testing.T) {
	s := objects[statefulSet](t, "StatefulSet")[0]
	spec := s.Spec.Template.Spec
	if s.Spec.Replicas != 3 {
		t.Errorf("replicas %d, want 3", s.Spec.Replicas)
	}
	// The node stops services within 20 s of SIGTERM.
	if spec.TerminationGracePeriodSeconds < 25 {
		t.Errorf("terminationGracePeriodSeconds %d: want room past the node's 20 s stop", spec.TerminationGracePeriodSeconds)
	}
	if !spec.SecurityContext.RunAsNonRoot || spec.SecurityContext.RunAsUser == 0 {
		t.Errorf("pod security context %+v: want non-root", spec.SecurityContext)
	}
	c := spec.Containers[0]
	if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation {
		t.Errorf("container security context %+v", c.SecurityContext)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("resources %+v: want cpu/memory requests and a memory limit", c.Resources)
	}
	claims := map[string]bool{}
	for _, v := range s.Spec.VolumeClaimTemplates {
		claims[v.Metadata.Name] = true
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		mounted = mounted || (m.MountPath == "/data" && claims[m.Name])
	}
	if !mounted {
		t.Errorf("/data is not mounted from a volumeClaimTemplate")
	}
	for k, v := range s.Spec.Selector.MatchLabels {
		if s.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod labels", k, v)
		}
	}
	if objects[map[string]any](t, "PodDisruptionBudget") == nil {
		t.Errorf("no PodDisruptionBudget")
	}
}

func TestDockerfileConfigAndPortsAgree(t *testing.T) {
	env := dockerEnv(t)
	for _, k := range []string{"BITCRAPS_BIND_ADDR", "BITCRAPS_HTTP_ADDR", "BITCRAPS_DB_PATH"} {
		if env[k] == "" {
			t.Errorf("Dockerfile runtime stage does not set %s", k)
		}
	}
	cfg := resolve(t, env)
	want := []string{strconv.Itoa(httpPort(t, cfg)), strconv.Itoa(cfg.Port),
		strconv.Itoa(cfg.GossipPort) + "/tcp", strconv.Itoa(cfg.GossipPort) + "/udp"}
	var exposed []string
	var health string
	for _, in := range dockerInstructions(t) {
		switch in[0] {
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in[1])...)
		case "HEALTHCHECK":
			health = in[1]
		case "VOLUME":
			if !strings.Contains(in[1], cfg.DataDir) {
				t.Errorf("VOLUME %s does not hold the data dir %s", in[1], cfg.DataDir)
			}
		}
	}
	slices.Sort(exposed)
	slices.Sort(want)
	if !slices.Equal(exposed, want) {
		t.Errorf("EXPOSE %v, want %v (the resolved config's ports)", exposed, want)
	}
	node := "http://127.0.0.1:" + strconv.Itoa(httpPort(t, cfg))
	if !strings.Contains(health, `"status"`) || !strings.Contains(health, node) {
		t.Errorf("HEALTHCHECK %q: want `bitcraps status --node %s`", health, node)
	}
}

// Each pod is a player: every HTTP Service selects exactly one pod, and
// there is one per replica; the pods spread over machines (a hard rule);
// GOMEMLIMIT is the container's memory limit.
func TestPodsAreReachedOneByOneAndSpread(t *testing.T) {
	set := objects[statefulSet](t, "StatefulSet")[0]
	perPod := map[string]bool{}
	for _, s := range objects[service](t, "Service") {
		if s.Spec.ClusterIP == "None" {
			continue // the headless gossip Service
		}
		pod := s.Spec.Selector["statefulset.kubernetes.io/pod-name"]
		if pod == "" || pod != s.Metadata.Name {
			t.Errorf("service %s selects %v: a load-balanced Service would send one player's calls to another", s.Metadata.Name, s.Spec.Selector)
		}
		perPod[pod] = true
	}
	for i := range set.Spec.Replicas {
		if name := set.Metadata.Name + "-" + strconv.Itoa(i); !perPod[name] {
			t.Errorf("no Service for pod %s", name)
		}
	}
	spread := false
	for _, c := range set.Spec.Template.Spec.TopologySpreadConstraints {
		spread = spread || (c.TopologyKey == "kubernetes.io/hostname" && c.WhenUnsatisfiable == "DoNotSchedule" && c.MaxSkew == 1)
	}
	if !spread {
		t.Errorf("topologySpreadConstraints %+v: want maxSkew 1 over kubernetes.io/hostname, DoNotSchedule", set.Spec.Template.Spec.TopologySpreadConstraints)
	}
	env := statefulSetEnv(t)
	if env["GOMEMLIMIT"] == "" || env["GOMEMLIMIT"] != nodeContainer(t).Resources.Limits["memory"] {
		t.Errorf("GOMEMLIMIT %q: want the container's memory limit", env["GOMEMLIMIT"])
	}
}

// The NetworkPolicy lets bitcraps pods reach each other's mesh and gossip
// ports by name (the names the container declares) and nothing but HTTP
// from outside.
func TestNetworkPolicyOpensOnlyTheDeclaredPorts(t *testing.T) {
	pols := objects[networkPolicy](t, "NetworkPolicy")
	if len(pols) != 1 {
		t.Fatalf("%d NetworkPolicies, want 1", len(pols))
	}
	declared := map[string]bool{}
	for _, p := range nodeContainer(t).Ports {
		declared[p.Name] = true
	}
	var opened []string
	for _, in := range pols[0].Spec.Ingress {
		for _, p := range in.Ports {
			name, ok := p.Port.(string)
			if !ok || !declared[name] {
				t.Errorf("ingress port %v: want a port name the container declares", p.Port)
			}
			opened = append(opened, name)
		}
	}
	slices.Sort(opened)
	if want := []string{"gossip-tcp", "gossip-udp", "http", "mesh"}; !slices.Equal(opened, want) {
		t.Errorf("ingress opens %v, want %v", opened, want)
	}
	if pols[0].Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != "bitcraps" {
		t.Errorf("policy selects %v", pols[0].Spec.PodSelector.MatchLabels)
	}
}

// The image carries the OCI labels that name its version and source
// revision, and the build context leaves out the history and any node data
// (a developer's ./data holds an identity keystore).
func TestImageLabelsAndBuildContext(t *testing.T) {
	var labels string
	for _, in := range dockerInstructions(t) {
		if in[0] == "LABEL" {
			labels += in[1] + " "
		}
	}
	for _, k := range []string{"title", "version", "revision", "created", "description"} {
		if !strings.Contains(labels, "org.opencontainers.image."+k+"=") {
			t.Errorf("Dockerfile has no org.opencontainers.image.%s label", k)
		}
	}
	raw, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatalf(".dockerignore: %v (COPY . . would send .git and ./data into the build)", err)
	}
	ignored := map[string]bool{}
	for _, l := range strings.Split(string(raw), "\n") {
		ignored[strings.TrimSpace(l)] = true
	}
	for _, must := range []string{".git", "data", "**/data", "bin"} {
		if !ignored[must] {
			t.Errorf(".dockerignore does not list %s", must)
		}
	}
}

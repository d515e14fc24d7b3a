package deploy_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite kubernetes/monitoring/prometheusrule.yaml from prometheus/bitcraps-rules.yaml")

const prometheusRuleFile = "kubernetes/monitoring/prometheusrule.yaml"

const prometheusRuleHeader = `# Generated from deploy/prometheus/bitcraps-rules.yaml (the one source of the
# alert rules) by ` + "`go test ./deploy -run PrometheusRule -update`" + `: do not edit.
# deploy/monitoring_test.go fails when the two differ.
`

// prometheusRule is the Operator's object around the rules file's groups.
type prometheusRule struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string            `yaml:"name"`
		Namespace string            `yaml:"namespace"`
		Labels    map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		Groups yaml.Node `yaml:"groups"`
	} `yaml:"spec"`
}

// The PrometheusRule holds exactly the groups of the rules file that
// promtool tests; -update regenerates it.
func TestPrometheusRuleIsTheRulesFile(t *testing.T) {
	var rules struct {
		Groups yaml.Node `yaml:"groups"`
	}
	raw, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	var want prometheusRule
	want.APIVersion, want.Kind = "monitoring.coreos.com/v1", "PrometheusRule"
	want.Metadata.Name, want.Metadata.Namespace = "bitcraps", "bitcraps"
	want.Metadata.Labels = map[string]string{"app.kubernetes.io/name": "bitcraps"}
	want.Spec.Groups = rules.Groups
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&want); err != nil {
		t.Fatal(err)
	}
	generated := append([]byte(prometheusRuleHeader), buf.Bytes()...)
	if *update {
		if err := os.WriteFile(prometheusRuleFile, generated, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(prometheusRuleFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, generated) {
		t.Fatalf("%s differs from %s: run `go test ./deploy -run PrometheusRule -update`", prometheusRuleFile, rulesFile)
	}
	// And semantically: the same groups, read back as plain data.
	var a, b struct {
		Groups any `yaml:"groups"`
	}
	var obj struct {
		Spec struct {
			Groups any `yaml:"groups"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(have, &obj); err != nil {
		t.Fatal(err)
	}
	b.Groups = obj.Spec.Groups
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s groups differ from %s", prometheusRuleFile, rulesFile)
	}
}

// The PodMonitor scrapes the StatefulSet's pods on the port the container
// names http, and its job is the job the alert rules select; the discovery
// Role lets Prometheus list pods in the namespace prometheus.yaml watches.
func TestMonitoringMatchesTheStatefulSet(t *testing.T) {
	docs := map[string]map[string]any{}
	files, err := filepath.Glob("kubernetes/monitoring/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var resources []string
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			var k struct {
				Resources []string `yaml:"resources"`
			}
			raw, _ := os.ReadFile(f)
			if err := yaml.Unmarshal(raw, &k); err != nil {
				t.Fatal(err)
			}
			resources = k.Resources
			continue
		}
		for _, d := range readYAMLDocs(t, f) {
			docs[d["kind"].(string)] = d
		}
	}
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" && !slices.Contains(resources, b) {
			t.Errorf("monitoring/%s is not in its kustomization.yaml", b)
		}
	}
	pm := docs["PodMonitor"]
	set := objects[statefulSet](t, "StatefulSet")[0]
	labels := set.Spec.Template.Metadata.Labels
	spec := pm["spec"].(map[string]any)
	jobLabel, _ := spec["jobLabel"].(string)
	if labels[jobLabel] != "bitcraps" {
		t.Errorf("PodMonitor jobLabel %q gives job %q, want bitcraps (the rules select job=\"bitcraps\")", jobLabel, labels[jobLabel])
	}
	for k, v := range spec["selector"].(map[string]any)["matchLabels"].(map[string]any) {
		if labels[k] != v {
			t.Errorf("PodMonitor selects %s=%v; the pods have %q", k, v, labels[k])
		}
	}
	ep := spec["podMetricsEndpoints"].([]any)[0].(map[string]any)
	if ep["port"] != "http" || ep["path"] != "/metrics" {
		t.Errorf("PodMonitor endpoint %v: want port http, path /metrics", ep)
	}
	role := docs["Role"]
	if role["metadata"].(map[string]any)["namespace"] != "bitcraps" {
		t.Errorf("discovery Role in %v, want the bitcraps namespace prometheus.yaml watches", role["metadata"])
	}
	rule := role["rules"].([]any)[0].(map[string]any)
	if !slices.Contains(rule["resources"].([]any), any("pods")) || !slices.Contains(rule["verbs"].([]any), any("watch")) {
		t.Errorf("discovery Role %v: want list and watch of pods", rule)
	}
}

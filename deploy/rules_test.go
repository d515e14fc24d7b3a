package deploy_test

import (
	"os"
	"os/exec"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	rulesFile     = "prometheus/bitcraps-rules.yaml"
	rulesTestFile = "prometheus/bitcraps-rules.test.yaml"
)

// promtool is Debian's (package prometheus, 2.42); .ci/install-prometheus.sh
// installs it. Missing, it fails the test: the rules are part of the product.
func promtool(t *testing.T, args ...string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found (%v): run `bash .ci/install-prometheus.sh`", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = "prometheus"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %v: %v\n%s", args, err, out)
	}
}

// The rules are valid for Prometheus, and every promtool unit test passes:
// each alert fires on its scenario, with its labels and annotations, and
// not before its `for:` or its window.
func TestAlertRulesPassPromtool(t *testing.T) {
	promtool(t, "check", "rules", "bitcraps-rules.yaml")
	promtool(t, "test", "rules", "bitcraps-rules.test.yaml")
}

// Every alert has a promtool case in which it fires, and every case names
// an alert that exists.
func TestEveryAlertHasAFiringPromtoolCase(t *testing.T) {
	alerts := alertNames(t)
	var tests struct {
		RuleFiles []string `yaml:"rule_files"`
		Tests     []struct {
			AlertRuleTest []struct {
				Alertname string           `yaml:"alertname"`
				ExpAlerts []map[string]any `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	raw, err := os.ReadFile(rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &tests); err != nil {
		t.Fatalf("%s: %v", rulesTestFile, err)
	}
	if !slices.Equal(tests.RuleFiles, []string{"bitcraps-rules.yaml"}) {
		t.Errorf("%s tests rule files %v, want the one rules file", rulesTestFile, tests.RuleFiles)
	}
	fires := map[string]bool{}
	for _, tc := range tests.Tests {
		for _, a := range tc.AlertRuleTest {
			if !slices.Contains(alerts, a.Alertname) {
				t.Errorf("%s tests alert %q: not in %s", rulesTestFile, a.Alertname, rulesFile)
			}
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			}
		}
	}
	for _, a := range alerts {
		if !fires[a] {
			t.Errorf("alert %s has no promtool case in which it fires", a)
		}
	}
	if len(alerts) < 20 {
		t.Fatalf("only %d alerts found in %s: the scan is broken", len(alerts), rulesFile)
	}
}

// alertNames lists the alerts of the rules file, sorted.
func alertNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, r := range readRules(t) {
		names = append(names, r.Alert)
	}
	slices.Sort(names)
	return names
}

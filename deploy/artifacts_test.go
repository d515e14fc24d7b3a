package deploy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// readYAMLDocs decodes every document of one YAML file.
func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		t.Fatalf("%s: no YAML document", path)
	}
	return docs
}

func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no YAML in %s: %v", dir, err)
	}
	return files
}

// objects decodes every Kubernetes object of kind in deploy/kubernetes into
// a fresh T, read through JSON into a typed struct.
func objects[T any](t *testing.T, kind string) []T {
	t.Helper()
	var out []T
	for _, f := range yamlFiles(t, "kubernetes") {
		for _, doc := range readYAMLDocs(t, f) {
			if doc["kind"] != kind {
				continue
			}
			raw, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			var obj T
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("%s %s: %v", f, kind, err)
			}
			out = append(out, obj)
		}
	}
	return out
}

// dockerInstructions reads a Dockerfile into (INSTRUCTION, arguments)
// pairs, joining continuation lines and dropping comments.
func dockerInstructions(t *testing.T) [][2]string {
	t.Helper()
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		instr, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, [2]string{strings.ToUpper(instr), strings.TrimSpace(args)})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dockerEnv is the runtime stage's ENV (key=value pairs only).
func dockerEnv(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, in := range dockerInstructions(t) {
		if in[0] == "FROM" {
			clear(env) // only the last stage's ENV reaches the container
		}
		if in[0] != "ENV" {
			continue
		}
		for _, kv := range strings.Fields(in[1]) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("Dockerfile ENV %q: want KEY=value", kv)
			}
			env[k] = strings.Trim(v, `"`)
		}
	}
	return env
}

var envName = regexp.MustCompile(`BITCRAPS_[A-Z0-9_]+`)

// envNamesIn lists the BITCRAPS_* names a file mentions.
func envNamesIn(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return envName.FindAllString(string(raw), -1)
}

// promIdent finds metric names in PromQL; the prefixes keep label names,
// functions and keywords out.
var promIdent = regexp.MustCompile(`\b(?:bitcraps|go|process)_[a-zA-Z0-9_]+`)

// promQL collects every expression of the alert rules and the dashboard.
func promQL(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{} // expr -> where
	for _, r := range readRules(t) {
		out[r.Expr] = "alert " + r.Alert
	}
	for _, p := range dashboardPanels(t) {
		for _, tg := range p.Targets {
			out[tg.Expr] = fmt.Sprintf("panel %q", p.Title)
		}
	}
	return out
}

// alertRule is one alert of the rules file.
type alertRule struct {
	Group, Alert, Expr string
}

// readRules reads every alert of prometheus/bitcraps-rules.yaml, in order.
func readRules(t *testing.T) []alertRule {
	t.Helper()
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	raw, err := os.ReadFile("prometheus/bitcraps-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatalf("bitcraps-rules.yaml: %v", err)
	}
	var out []alertRule
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" {
				t.Fatalf("rule group %s: a rule without alert name or expr: %+v", g.Name, r)
			}
			out = append(out, alertRule{Group: g.Name, Alert: r.Alert, Expr: r.Expr})
		}
	}
	return out
}

type panel struct {
	ID      int    `json:"id"`
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
}

func dashboardPanels(t *testing.T) []panel {
	t.Helper()
	raw, err := os.ReadFile("grafana/bitcraps-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string  `json:"uid"`
		Title  string  `json:"title"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("bitcraps-dashboard.json: %v", err)
	}
	if dash.UID == "" || dash.Title == "" || len(dash.Panels) == 0 {
		t.Fatalf("dashboard uid %q title %q with %d panels: want all set", dash.UID, dash.Title, len(dash.Panels))
	}
	return dash.Panels
}

// Command k8sschemas turns a Kubernetes swagger.json (api/openapi-spec of
// the k8s.io/kubernetes module, which `go mod download` fetches from the
// module proxy) into the standalone, strict JSON schemas kubeconform reads,
// one file per kind: offline, and pinned to that module's version.
//
//	go run .ci/k8sschemas/main.go SWAGGER.json OUTDIR
//
// Each file is NAME-GROUP-VERSION.json (GROUP is the version again for the
// core group), for kubeconform's -schema-location
// 'OUTDIR/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'.
// It holds the kind's definition with every definition it reaches under
// "definitions", so its $refs resolve inside the file, and every object
// with properties refuses others (additionalProperties: false): an unknown
// or mistyped field fails validation. IntOrString and Quantity take a
// string or a number, as the API server does.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: k8sschemas SWAGGER.json OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "k8sschemas:", err)
		os.Exit(1)
	}
}

type gvk struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

func run(swaggerPath, out string) error {
	raw, err := os.ReadFile(swaggerPath)
	if err != nil {
		return err
	}
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", swaggerPath, err)
	}
	defs := map[string]any{}
	for name, d := range doc.Definitions {
		defs[name] = strict(name, d)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	written := 0
	for name, d := range doc.Definitions {
		var kinds []gvk
		if b, err := json.Marshal(d["x-kubernetes-group-version-kind"]); err == nil {
			_ = json.Unmarshal(b, &kinds)
		}
		if len(kinds) != 1 {
			continue // not a top-level kind, or a shared one (DeleteOptions, WatchEvent)
		}
		k := kinds[0]
		schema := map[string]any{"$schema": "http://json-schema.org/draft-04/schema#"}
		for key, v := range defs[name].(map[string]any) {
			schema[key] = v
		}
		closure := map[string]any{}
		reach(defs, defs[name], closure)
		schema["definitions"] = closure
		group := k.Group
		if group == "" {
			group = k.Version
		}
		file := filepath.Join(out, strings.ToLower(k.Kind)+"-"+group+"-"+k.Version+".json")
		b, err := json.Marshal(schema)
		if err != nil {
			return err
		}
		if err := os.WriteFile(file, b, 0o644); err != nil {
			return err
		}
		written++
	}
	if written < 50 {
		return fmt.Errorf("%s: only %d kinds written", swaggerPath, written)
	}
	fmt.Printf("k8sschemas: %d kinds in %s\n", written, out)
	return nil
}

const refPrefix = "#/definitions/"

// reach adds to closure every definition v refers to, transitively.
func reach(defs map[string]any, v any, closure map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, refPrefix)
			if _, done := closure[name]; !done {
				closure[name] = defs[name]
				reach(defs, defs[name], closure)
			}
		}
		for _, sub := range v {
			reach(defs, sub, closure)
		}
	case []any:
		for _, sub := range v {
			reach(defs, sub, closure)
		}
	}
}

// strict rewrites one definition: objects with properties refuse unknown
// ones, and the two types the API server takes as string or number do.
func strict(name string, d map[string]any) any {
	switch name {
	case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}}
	case "io.k8s.apimachinery.pkg.api.resource.Quantity":
		return map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	}
	return closeObjects(d)
}

// closeObjects rewrites one schema: its object, if it has properties,
// refuses others; its sub-schemas likewise. Descriptions and x-kubernetes-*
// extensions are left out (validation ignores them; the files stay small),
// but a property keeps its name whatever it is.
func closeObjects(v any) any {
	schema, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, sub := range schema {
		switch {
		case k == "description" || strings.HasPrefix(k, "x-kubernetes-"):
		case k == "properties":
			props := map[string]any{}
			for name, p := range sub.(map[string]any) {
				props[name] = closeObjects(p)
			}
			out[k] = props
		case k == "items" || k == "additionalProperties":
			out[k] = closeObjects(sub)
		default:
			out[k] = sub
		}
	}
	if props, ok := schema["properties"].(map[string]any); ok && len(props) > 0 {
		if _, set := schema["additionalProperties"]; !set {
			out["additionalProperties"] = false
		}
	}
	return out
}

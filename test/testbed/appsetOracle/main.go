// appset-oracle: ApplicationSet templates rendered as Argo CD v3.5.8 renders them (applicationset/utils Render.Replace),
// for the conformance cases that compare GitOps Drift's template subset (src/core/repo/argoTemplate.ts) with Go.
//
// Why not Argo CD's own packages: every package of the ApplicationSet code imports
// github.com/argoproj/argo-cd/gitops-engine, which argo-cd v3.5.8 takes from its own source tree (a ./gitops-engine
// replace) and which the Go module proxy does not serve; the nearest published gitops-engine (the same pseudo-version
// under github.com/argoproj/gitops-engine) no longer compiles against the k8s v0.36 that argo-cd pins, nor has the
// API argo-cd's util/kube calls (docs/testbed.md). So this program is Go's text/template with the exact function
// map Argo CD builds (utils.go init: sprig v3.3.0's GenericFuncMap without env, expandenv and getHostByName, plus
// normalize, slugify, toYaml, fromYaml, fromYamlArray) and fasttemplate v1.2.2 as Replace calls it, at the versions
// argo-cd v3.5.8's go.mod pins. Those few functions are restated from applicationset/utils (facts, not imports).
//
// Input on stdin, one JSON object a line: {"template": "...", "params": {...}, "goTemplate": true,
// "options": ["missingkey=error"]}. Output, one line each: {"out": "..."} or {"error": "..."}.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gosimple/slug"
	"github.com/valyala/fasttemplate"
	"sigs.k8s.io/yaml"
)

var baseTemplate *template.Template

func init() {
	funcs := sprig.GenericFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	delete(funcs, "getHostByName")
	funcs["normalize"] = sanitizeName
	funcs["slugify"] = slugifyName
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	baseTemplate = template.New("base").Funcs(funcs)
}

// sanitizeName is utils.SanitizeName: lower case, [^-a-z0-9.] to '-', at most 253 characters, '-' and '.' trimmed.
func sanitizeName(name string) string {
	name = strings.ToLower(name)
	name = regexp.MustCompile("[^-a-z0-9.]").ReplaceAllString(name, "-")
	if len(name) > 253 {
		name = name[:253]
	}
	return strings.Trim(name, "-.")
}

// slugifyName is utils.SlugifyName: [maxSize [smartTruncate]] name, defaults 50 and true, on the sanitized name.
func slugifyName(args ...any) string {
	maxSize, smart, name := 50, true, ""
	for i, arg := range args {
		switch i {
		case len(args) - 1:
			name = arg.(string)
		case 0:
			maxSize = arg.(int)
		case 1:
			smart = arg.(bool)
		}
	}
	slug.EnableSmartTruncate = smart
	slug.MaxLength = maxSize
	return slug.Make(sanitizeName(name))
}

func toYAML(v any) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(str string) (map[string]any, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromYAMLArray(str string) ([]any, error) {
	a := []any{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		return nil, err
	}
	return a, nil
}

var isTemplated = regexp.MustCompile(".*{{.*}}.*")

// replace is Render.Replace.
func replace(tmpl string, params map[string]any, useGoTemplate bool, options []string) (string, error) {
	if useGoTemplate {
		cloned, err := baseTemplate.Clone()
		if err != nil {
			return "", fmt.Errorf("failed to clone base template: %w", err)
		}
		for _, option := range options {
			cloned = cloned.Option(option)
		}
		parsed, err := cloned.Parse(tmpl)
		if err != nil {
			return "", fmt.Errorf("failed to parse template %s: %w", tmpl, err)
		}
		var out bytes.Buffer
		if err := parsed.Execute(&out, params); err != nil {
			return "", fmt.Errorf("failed to execute go template %s: %w", tmpl, err)
		}
		return out.String(), nil
	}
	if !isTemplated.MatchString(tmpl) {
		return tmpl, nil
	}
	fst, err := fasttemplate.NewTemplate(tmpl, "{{", "}}")
	if err != nil {
		return "", fmt.Errorf("invalid template: %w", err)
	}
	return fst.ExecuteFuncString(func(w io.Writer, tag string) (int, error) {
		trimmed := strings.TrimSpace(tag)
		replacement, ok := params[trimmed].(string)
		if trimmed == "" || !ok {
			return fmt.Fprintf(w, "{{%s}}", tag)
		}
		return w.Write([]byte(replacement))
	}), nil
}

type request struct {
	Template   string         `json:"template"`
	Params     map[string]any `json:"params"`
	GoTemplate bool           `json:"goTemplate"`
	Options    []string       `json:"options"`
}

type response struct {
	Out   *string `json:"out,omitempty"`
	Error string  `json:"error,omitempty"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "" {
			continue
		}
		var req request
		var res response
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			res.Error = "bad request: " + err.Error()
		} else if text, err := replace(req.Template, req.Params, req.GoTemplate, req.Options); err != nil {
			res.Error = err.Error()
		} else {
			res.Out = &text
		}
		if err := out.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "appset-oracle:", err)
			os.Exit(2)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "appset-oracle:", err)
		os.Exit(2)
	}
}

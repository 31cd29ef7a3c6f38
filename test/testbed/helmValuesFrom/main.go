// helm-values-from computes a HelmRelease's chart values with the code helm-controller v1.4.3 runs
// (github.com/fluxcd/pkg/chartutil ChartValuesFromReferences, whose valuesFrom targetPath goes through Helm's
// strvals parser), over a fake client that holds the given ConfigMaps and Secrets. The conformance suite compares
// GitOps Drift's valuesFrom handling with it. Built by scripts/setup-testbed.sh (target helm-values-from) from the
// pinned module.
//
// Reads a JSON array of cases on stdin:
//
//	[{"namespace": "apps", "values": {...} | null, "valuesFrom": [ValuesReference...], "objects": [ConfigMap|Secret...]}]
//
// and prints a JSON array with, per case, {"values": {...}} or {"error": "..."}.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/chartutil"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"
)

type testCase struct {
	Namespace  string                 `json:"namespace"`
	Values     json.RawMessage        `json:"values"`
	ValuesFrom []meta.ValuesReference `json:"valuesFrom"`
	Objects    []json.RawMessage      `json:"objects"`
}

type result struct {
	Values map[string]interface{} `json:"values,omitempty"`
	Error  string                 `json:"error,omitempty"`
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "helm-values-from: reading the cases:", err)
		os.Exit(1)
	}
	scheme := runtime.NewScheme()
	_ = corev1.AddToScheme(scheme)
	out := make([]result, 0, len(cases))
	for i, c := range cases {
		r, err := run(scheme, c)
		if err != nil {
			fmt.Fprintf(os.Stderr, "helm-values-from: case %d: %v\n", i, err)
			os.Exit(1)
		}
		out = append(out, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(scheme *runtime.Scheme, c testCase) (result, error) {
	builder := fake.NewClientBuilder().WithScheme(scheme)
	for _, raw := range c.Objects {
		var kind struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(raw, &kind); err != nil {
			return result{}, err
		}
		var object client.Object
		switch kind.Kind {
		case "ConfigMap":
			object = &corev1.ConfigMap{}
		case "Secret":
			object = &corev1.Secret{}
		default:
			return result{}, fmt.Errorf("object kind %q: only ConfigMap and Secret", kind.Kind)
		}
		if err := json.Unmarshal(raw, object); err != nil {
			return result{}, err
		}
		builder = builder.WithObjects(object)
	}
	// As HelmRelease.GetValues reads spec.values: a fresh map from the object's raw JSON, through sigs.k8s.io/yaml.
	var values map[string]interface{}
	if len(c.Values) > 0 && string(c.Values) != "null" {
		if err := yaml.Unmarshal(c.Values, &values); err != nil {
			return result{}, err
		}
	}
	merged, err := chartutil.ChartValuesFromReferences(context.Background(), logr.Discard(), builder.Build(),
		c.Namespace, values, c.ValuesFrom...)
	if err != nil {
		return result{Error: err.Error()}, nil
	}
	return result{Values: merged}, nil
}

// flux-build renders a folder as Flux's kustomize-controller does, with the code it runs (github.com/fluxcd/pkg/kustomize):
// the generator that writes the Flux Kustomization's fields into the folder's kustomization (or a generated one),
// the secure kustomize build, postBuild variable substitution per object, then commonMetadata as the controller sets
// it before applying. The conformance suite compares GitOps Drift's flux-kustomization renderer with its output.
// Built by scripts/setup-testbed.sh (target flux-build) from the pinned module.
//
// Usage: flux-build KUSTOMIZATION_FILE ROOT DIR [OBJECTS_FILE]
//
//	KUSTOMIZATION_FILE  one Flux Kustomization (kustomize.toolkit.fluxcd.io/v1) as YAML
//	ROOT                the artifact root (the repo); nothing outside it is read
//	DIR                 the folder to render (spec.path resolved against ROOT); its kustomization file is rewritten
//	OBJECTS_FILE        optional YAML stream of the ConfigMaps and Secrets that substituteFrom may read
//
// With FLUX_BUILD_STRICT=1 in the environment, postBuild substitution is strict, as the controller runs it with
// --feature-gates=StrictPostBuildSubstitutions=true (an unset variable without a default fails the build).
//
// Prints the objects as a YAML stream; on failure prints the error to stderr and exits 1.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fluxcd/pkg/kustomize"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/yaml"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 3 || len(args) > 4 {
		return errors.New("usage: flux-build KUSTOMIZATION_FILE ROOT DIR [OBJECTS_FILE]")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var ks unstructured.Unstructured
	if err := yaml.Unmarshal(data, &ks.Object); err != nil {
		return fmt.Errorf("kustomization file: %w", err)
	}
	root, dir := args[1], args[2]

	var objects []client.Object
	if len(args) == 4 {
		if objects, err = readObjects(args[3]); err != nil {
			return err
		}
	}
	kubeClient := fake.NewClientBuilder().WithObjects(objects...).Build()

	// As kustomize-controller's generate() and build().
	if _, err := kustomize.NewGenerator(root, ks).WriteFile(dir); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	m, err := kustomize.SecureBuild(root, dir, false)
	if err != nil {
		return fmt.Errorf("kustomize build failed: %w", err)
	}
	_, hasPostBuild, _ := unstructured.NestedMap(ks.Object, "spec", "postBuild")
	strategy, _, _ := unstructured.NestedString(ks.Object, "spec", "postBuild", "substituteStrategy")
	strict := os.Getenv("FLUX_BUILD_STRICT") == "1"
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
		if hasPostBuild {
			out, err := kustomize.SubstituteVariables(context.Background(), kubeClient, ks, res,
				kustomize.SubstituteWithStrict(strict), kustomize.SubstituteWithAlways(strategy == "Always"))
			if err != nil {
				return fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
			}
			if out != nil {
				if _, err := m.Replace(res); err != nil {
					return err
				}
			}
		}
	}
	resources, err := m.AsYaml()
	if err != nil {
		return fmt.Errorf("kustomize build failed: %w", err)
	}

	// As the controller's apply(): commonMetadata on every object (ssautil.SetCommonMetadata).
	labels, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "labels")
	annotations, _, _ := unstructured.NestedStringMap(ks.Object, "spec", "commonMetadata", "annotations")
	if len(labels) == 0 && len(annotations) == 0 {
		_, err = os.Stdout.Write(resources)
		return err
	}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(resources), 4096)
	for {
		var u unstructured.Unstructured
		if err := decoder.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if u.Object == nil {
			continue
		}
		setCommonMetadata(&u, labels, annotations)
		out, err := yaml.Marshal(u.Object)
		if err != nil {
			return err
		}
		fmt.Printf("---\n%s", out)
	}
}

// setCommonMetadata merges the labels and annotations into the object's own, the Kustomization's values winning
// (what fluxcd/pkg/ssa/utils.SetCommonMetadata does).
func setCommonMetadata(u *unstructured.Unstructured, labels, annotations map[string]string) {
	if len(labels) > 0 {
		l := u.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		for k, v := range labels {
			l[k] = v
		}
		u.SetLabels(l)
	}
	if len(annotations) > 0 {
		a := u.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		for k, v := range annotations {
			a[k] = v
		}
		u.SetAnnotations(a)
	}
}

// readObjects reads the ConfigMaps and Secrets substituteFrom may name. A Secret's stringData is merged into its
// data, as the API server stores it.
func readObjects(path string) ([]client.Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []client.Object
	decoder := utilyaml.NewYAMLOrJSONDecoder(f, 4096)
	for {
		var u unstructured.Unstructured
		if err := decoder.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if u.Object == nil {
			continue
		}
		raw, err := yaml.Marshal(u.Object)
		if err != nil {
			return nil, err
		}
		switch u.GetKind() {
		case "ConfigMap":
			var cm corev1.ConfigMap
			if err := yaml.Unmarshal(raw, &cm); err != nil {
				return nil, err
			}
			out = append(out, &cm)
		case "Secret":
			var s corev1.Secret
			if err := yaml.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			for k, v := range s.StringData {
				if s.Data == nil {
					s.Data = map[string][]byte{}
				}
				s.Data[k] = []byte(v)
			}
			s.StringData = nil
			out = append(out, &s)
		default:
			return nil, fmt.Errorf("%s: only ConfigMaps and Secrets, not %s", path, u.GetKind())
		}
	}
}

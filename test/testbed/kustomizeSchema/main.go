// Prints, as JSON, every definition of the OpenAPI schema kustomize embeds (kyaml's, Kubernetes v1.21.2 for
// kustomize v5.7.1) with its fields' list extensions: the merge keys kustomize's strategic merge patches use, which
// scripts/generate-k8s-list-types.ts puts into the one table of list types. Built by scripts/setup-testbed.sh
// (target kustomize-schema) from the kyaml module kustomize itself pins.
package main

import (
	"encoding/json"
	"os"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/openapi"
)

type field struct {
	Ref      string   `json:"ref,omitempty"`
	Array    bool     `json:"array,omitempty"`
	Map      bool     `json:"map,omitempty"`
	MergeKey string   `json:"mergeKey,omitempty"`
	Strategy string   `json:"strategy,omitempty"`
	ListType string   `json:"listType,omitempty"`
	MapKeys  []string `json:"mapKeys,omitempty"`
}

type definition struct {
	GVK    []map[string]string `json:"gvk,omitempty"`
	Fields map[string]field    `json:"fields"`
}

func ref(s string) string { return strings.TrimPrefix(s, "#/definitions/") }

func main() {
	out := map[string]definition{}
	for name, d := range openapi.Schema().Definitions {
		def := definition{Fields: map[string]field{}}
		if g, ok := d.Extensions["x-kubernetes-group-version-kind"].([]interface{}); ok {
			for _, x := range g {
				m := map[string]string{}
				for k, v := range x.(map[string]interface{}) {
					m[k], _ = v.(string)
				}
				def.GVK = append(def.GVK, m)
			}
		}
		for pname, p := range d.Properties {
			f := field{}
			f.Ref = ref(p.Ref.String())
			if p.Type.Contains("array") {
				f.Array = true
				if p.Items != nil && p.Items.Schema != nil {
					f.Ref = ref(p.Items.Schema.Ref.String())
				}
			}
			if p.AdditionalProperties != nil && p.AdditionalProperties.Schema != nil {
				f.Map = true
				f.Ref = ref(p.AdditionalProperties.Schema.Ref.String())
			}
			f.MergeKey, _ = p.Extensions.GetString("x-kubernetes-patch-merge-key")
			f.Strategy, _ = p.Extensions.GetString("x-kubernetes-patch-strategy")
			f.ListType, _ = p.Extensions.GetString("x-kubernetes-list-type")
			if keys, ok := p.Extensions["x-kubernetes-list-map-keys"].([]interface{}); ok {
				for _, k := range keys {
					f.MapKeys = append(f.MapKeys, k.(string))
				}
			}
			def.Fields[pname] = f
		}
		out[name] = def
	}
	enc := json.NewEncoder(os.Stdout)
	_ = enc.Encode(out)
}

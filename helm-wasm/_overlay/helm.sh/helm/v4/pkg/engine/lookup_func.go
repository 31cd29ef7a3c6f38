/*
Copyright The Helm Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// GitOps Drift (helm-wasm/_overlay): replaces Helm's lookup_func.go, which talks to a cluster through client-go's
// dynamic and discovery clients. The engine never gets a client (as in `helm template`), so `lookup` is Helm's
// default from funcs.go (an empty map) and nothing here is called; these are the declarations engine.go needs.

package engine

import (
	"context"
	"errors"
)

type lookupFunc = func(apiversion, resource, namespace, name string) (map[string]any, error)

// restConfig stands for client-go's rest.Config in engine.go's New and RenderWithClient (never called here).
type restConfig struct{}

// NewLookupFunction returns a lookup that always fails: there is no cluster in this build.
func NewLookupFunction(_ *restConfig) lookupFunc { //nolint:revive
	return newLookupFunction(context.Background(), clientProviderFromConfig{})
}

// ClientProvider is kept for engine.go's signatures; no implementation reaches a cluster in this build.
type ClientProvider interface {
	GetClientFor(apiVersion, kind string) (any, bool, error)
}

type clientProviderFromConfig struct {
	config *restConfig
}

func (c clientProviderFromConfig) GetClientFor(_, _ string) (any, bool, error) {
	return nil, false, errNoCluster
}

var errNoCluster = errors.New("lookup: no cluster in the GitOps Drift Helm engine")

func newLookupFunction(_ context.Context, _ ClientProvider) lookupFunc {
	return func(_, _, _, _ string) (map[string]any, error) {
		return nil, errNoCluster
	}
}

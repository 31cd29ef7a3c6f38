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

// GitOps Drift (helm-wasm/_overlay): replaces Helm's clientgo.go, which links all of k8s.io/client-go/kubernetes only
// to read client-go's version from the build info. scripts/build-helm-wasm.sh stamps the version the pinned Helm
// module requires (`go list -m k8s.io/client-go`), so Capabilities.KubeVersion and HelmVersion.KubeClientVersion
// are what `helm template` says.

package version

import "errors"

// clientGoVersion is set with -ldflags -X by scripts/build-helm-wasm.sh.
var clientGoVersion string

func K8sIOClientGoModVersion() (string, error) {
	if clientGoVersion == "" {
		return "", errors.New("k8s.io/client-go version not stamped into this build")
	}
	return clientGoVersion, nil
}

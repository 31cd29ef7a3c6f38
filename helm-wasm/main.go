// Command helm-wasm is Helm's own template engine (helm.sh/helm/v4) compiled to WebAssembly for GitOps Drift:
// one call renders a chart given as files, with values, release options and capabilities, exactly as
// `helm template` does (no cluster: `lookup` returns nothing, DNS lookups are off).
//
// It registers one global function, gitopsDriftHelmRender(requestJSON) → responseJSON, and then waits.
// The host (src/node/helmEngine/) runs it in a worker thread without file system or network access.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	chartapi "helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	"helm.sh/helm/v4/pkg/ignore"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
)

// ChartFile is one file of the chart folder, its path relative to the chart root ("templates/x.yaml").
type ChartFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"` // base64 in JSON
}

// Request is one `helm template` run.
type Request struct {
	Files       []ChartFile    `json:"files"`
	Values      map[string]any `json:"values"` // the user-supplied values, already merged (as `-f`/`--set` would)
	ReleaseName string         `json:"releaseName"`
	Namespace   string         `json:"namespace"`
	IsUpgrade   bool           `json:"isUpgrade"`
	IncludeCRDs bool           `json:"includeCRDs"`
	// KubeVersion overrides Helm's default (`--kube-version`); APIVersions are added to the defaults (`--api-versions`).
	KubeVersion string   `json:"kubeVersion"`
	APIVersions []string `json:"apiVersions"`
	// ClusterAPIVersions, when given, replace the defaults: a live cluster's discovery, as an install against it sees.
	ClusterAPIVersions   []string `json:"clusterAPIVersions"`
	SkipSchemaValidation bool     `json:"skipSchemaValidation"`
}

// Manifest is one rendered document, in the order `helm template` prints it.
type Manifest struct {
	Source  string `json:"source"` // chart-relative template path, e.g. "demo/templates/deployment.yaml"
	Content string `json:"content"`
}

// Hook is a document annotated helm.sh/hook, printed after the manifests by `helm template`.
type Hook struct {
	Source  string   `json:"source"`
	Content string   `json:"content"`
	Kind    string   `json:"kind"`
	Name    string   `json:"name"`
	Events  []string `json:"events"`
}

// Response is what the host gets back; Error is set (and the rest may be partial) when rendering failed.
type Response struct {
	Chart     *ChartInfo `json:"chart,omitempty"`
	Manifests []Manifest `json:"manifests"`
	Hooks     []Hook     `json:"hooks"`
	Notes     string     `json:"notes,omitempty"`
	Error     string     `json:"error,omitempty"`
	// ErrorKind says which step failed: "request", "load", "dependencies", "values", "render", "manifests".
	ErrorKind string `json:"errorKind,omitempty"`
}

// ChartInfo is the top chart's Chart.yaml identity.
type ChartInfo struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	AppVersion string `json:"appVersion,omitempty"`
	Type       string `json:"type,omitempty"`
}

const notesFileSuffix = "NOTES.txt"

func render(req *Request) *Response {
	res := &Response{Manifests: []Manifest{}, Hooks: []Hook{}}
	fail := func(kind string, err error) *Response {
		res.ErrorKind, res.Error = kind, err.Error()
		return res
	}

	ch, err := loadChart(req.Files)
	if err != nil {
		return fail("load", err)
	}
	res.Chart = &ChartInfo{Name: ch.Metadata.Name, Version: ch.Metadata.Version, AppVersion: ch.Metadata.AppVersion, Type: ch.Metadata.Type}

	// As `helm install`/`helm template` (pkg/cmd/install.go runInstall): only application charts install, and every
	// dependency Chart.yaml lists must be in charts/.
	switch ch.Metadata.Type {
	case "", "application":
	default:
		return fail("load", fmt.Errorf("%s charts are not installable", ch.Metadata.Type))
	}
	if len(ch.Metadata.Dependencies) > 0 {
		if err := checkDependencies(ch); err != nil {
			return fail("dependencies", fmt.Errorf("an error occurred while checking for chart dependencies. You may need to run 'helm dependency build' to fetch missing dependencies: %w", err))
		}
	}

	vals := req.Values
	if vals == nil {
		vals = map[string]any{}
	}
	// pkg/action Install.RunWithContext, client-only.
	if err := chartutil.ProcessDependencies(ch, vals); err != nil {
		return fail("dependencies", fmt.Errorf("chart dependencies processing failed: %w", err))
	}
	caps := common.DefaultCapabilities.Copy()
	if req.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(req.KubeVersion)
		if err != nil {
			return fail("request", fmt.Errorf("invalid kube version '%s': %w", req.KubeVersion, err))
		}
		caps.KubeVersion = *kv
	}
	if req.ClusterAPIVersions != nil {
		caps.APIVersions = req.ClusterAPIVersions
	}
	// A fresh slice: Copy shares Helm's default list, which this long-lived engine must never write into.
	caps.APIVersions = append(slices.Clone(caps.APIVersions), req.APIVersions...)
	options := common.ReleaseOptions{
		Name:      req.ReleaseName,
		Namespace: req.Namespace,
		Revision:  1,
		IsInstall: !req.IsUpgrade,
		IsUpgrade: req.IsUpgrade,
	}
	valuesToRender, err := util.ToRenderValuesWithSchemaValidation(ch, vals, options, caps, req.SkipSchemaValidation)
	if err != nil {
		return fail("values", err)
	}

	// pkg/action Configuration.renderResources, without a post-renderer or output dir.
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return fail("values", fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", ch.Metadata.KubeVersion, caps.KubeVersion.Version))
	}
	var e engine.Engine
	files, err := e.RenderWithContext(context.Background(), ch, valuesToRender)
	if err != nil {
		return fail("render", err)
	}
	var notes bytes.Buffer
	for k, v := range files {
		if strings.HasSuffix(k, notesFileSuffix) {
			if k == path.Join(ch.Name(), "templates", notesFileSuffix) {
				notes.WriteString(v)
			}
			delete(files, k)
		}
	}
	res.Notes = notes.String()

	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return fail("manifests", err)
	}
	if req.IncludeCRDs {
		for _, crd := range ch.CRDObjects() {
			res.Manifests = append(res.Manifests, Manifest{Source: crd.Filename, Content: string(crd.File.Data)})
		}
	}
	for _, m := range manifests {
		res.Manifests = append(res.Manifests, Manifest{Source: m.Name, Content: m.Content})
	}
	for _, h := range hooks {
		events := make([]string, 0, len(h.Events))
		for _, ev := range h.Events {
			events = append(events, string(ev))
		}
		res.Hooks = append(res.Hooks, Hook{Source: h.Path, Content: h.Manifest, Kind: h.Kind, Name: h.Name, Events: events})
	}
	return res
}

// loadChart is loader.LoadDir over files in memory: .helmignore plus the default rules (a directory rule skips the
// directory's whole content, as the walk's SkipDir does), UTF-8 BOMs stripped, the same total size limit.
func loadChart(files []ChartFile) (*chart.Chart, error) {
	rules := ignore.Empty()
	for _, f := range files {
		if f.Name == ignore.HelmIgnore {
			r, err := ignore.Parse(bytes.NewReader(f.Data))
			if err != nil {
				return nil, err
			}
			rules = r
		}
	}
	rules.AddDefaults()

	sorted := append([]ChartFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	ignoredDir := map[string]bool{}
	underIgnoredDir := func(name string) bool {
		for _, d := range parents(path.Dir(name)) {
			ignored, seen := ignoredDir[d]
			if !seen {
				ignored = rules.Ignore(d, fileInfo{name: path.Base(d), dir: true})
				ignoredDir[d] = ignored
			}
			if ignored {
				return true
			}
		}
		return false
	}
	remaining := archive.MaxDecompressedChartSize
	var buffered []*archive.BufferedFile
	for _, f := range sorted {
		name := path.Clean(f.Name)
		if name == "." || name == ".." || strings.HasPrefix(name, "../") || path.IsAbs(name) {
			return nil, fmt.Errorf("chart file %q is outside the chart", f.Name)
		}
		if underIgnoredDir(name) || rules.Ignore(name, fileInfo{name: path.Base(name), size: int64(len(f.Data))}) {
			continue
		}
		if remaining -= int64(len(f.Data)); remaining < 0 {
			return nil, fmt.Errorf("chart exceeds maximum decompressed size of %d bytes", archive.MaxDecompressedChartSize)
		}
		buffered = append(buffered, &archive.BufferedFile{Name: name, Data: bytes.TrimPrefix(f.Data, utf8bom)})
	}
	return loader.LoadFiles(buffered)
}

var utf8bom = []byte{0xEF, 0xBB, 0xBF}

// parents lists dir and its ancestors, outermost first: "a/b" → ["a", "a/b"]; none for ".".
func parents(dir string) []string {
	var out []string
	for d := dir; d != "." && d != "" && d != "/"; d = path.Dir(d) {
		out = append([]string{d}, out...)
	}
	return out
}

// fileInfo is the os.FileInfo the ignore rules look at (name, directory or not).
type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (f fileInfo) Name() string { return f.name }
func (f fileInfo) Size() int64  { return f.size }
func (f fileInfo) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return f.dir }
func (f fileInfo) Sys() any           { return nil }

// checkDependencies is pkg/action.CheckDependencies: each dependency Chart.yaml lists must be loaded from charts/.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
outer:
	for _, r := range ch.Metadata.Dependencies {
		for _, d := range ch.Dependencies() {
			if d.Name() == r.Name {
				continue outer
			}
		}
		missing = append(missing, r.Name)
	}
	if len(missing) > 0 {
		return fmt.Errorf("found in Chart.yaml, but missing in charts/ directory: %s", strings.Join(missing, ", "))
	}
	return nil
}

var _ chartapi.Charter = (*chart.Chart)(nil)

func handle(requestJSON string) string {
	var req Request
	var res *Response
	if err := json.Unmarshal([]byte(requestJSON), &req); err != nil {
		res = &Response{ErrorKind: "request", Error: err.Error()}
	} else {
		res = renderSafely(&req)
	}
	out, err := json.Marshal(res)
	if err != nil {
		out, _ = json.Marshal(&Response{ErrorKind: "manifests", Error: err.Error()})
	}
	return string(out)
}

// renderSafely turns a panic anywhere in Helm into an error response: one broken chart never stops the engine.
func renderSafely(req *Request) (res *Response) {
	defer func() {
		if r := recover(); r != nil {
			res = &Response{ErrorKind: "render", Error: fmt.Sprintf("helm panicked: %v", r)}
		}
	}()
	return render(req)
}

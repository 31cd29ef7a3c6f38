// oci-registry: an OCI registry on loopback for the remote-chart tests (charts pushed by the test bed's real
// `helm push`, pulled by the product's chart source). It is go-containerregistry's in-memory registry
// (pkg/registry), with an optional anonymous token flow in front of it, as public registries (ghcr.io, Docker Hub)
// ask for one: a request without the token gets 401 and a `WWW-Authenticate: Bearer realm=…` challenge, and the
// realm hands out the token to anyone.
//
// Usage: oci-registry [-token]   — prints "listening on http://127.0.0.1:PORT" on stdout and serves until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"
)

const anonymousToken = "testbed-anonymous-token"

func main() {
	token := flag.Bool("token", false, "require the anonymous bearer-token flow")
	flag.Parse()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + listener.Addr().String()
	handler := registry.New(registry.Logger(log.New(os.Stderr, "", 0)))
	if *token {
		handler = withAnonymousToken(base, handler)
	}
	fmt.Printf("listening on %s\n", base)
	os.Stdout.Sync()
	log.Fatal(http.Serve(listener, handler))
}

func withAnonymousToken(base string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"token":%q,"access_token":%q}`, anonymousToken, anonymousToken)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+anonymousToken {
			scope := ""
			if parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v2/"), "/"); len(parts) >= 3 {
				// /v2/<name…>/manifests|blobs|tags/…: the repository is everything before the verb.
				for i, p := range parts {
					if p == "manifests" || p == "blobs" || p == "tags" {
						scope = fmt.Sprintf(`,scope="repository:%s:pull,push"`, strings.Join(parts[:i], "/"))
						break
					}
				}
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="testbed"%s`, base, scope))
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// oci-registry: an OCI registry on loopback for the remote-chart tests (charts pushed by the test bed's real
// `helm push`, pulled by the product's chart source). It is go-containerregistry's in-memory registry
// (pkg/registry), with an optional anonymous token flow in front of it, as public registries (ghcr.io, Docker Hub)
// ask for one: a request without the token gets 401 and a `WWW-Authenticate: Bearer realm=…` challenge, and the
// realm hands out the token to anyone. With -basic USER:PASSWORD the registry is private, as a registry behind
// `helm registry login` / `docker login` is: alone, every request needs Basic credentials (a 401 with a Basic
// challenge otherwise); with -token, the token service hands a token out only for those Basic credentials.
//
// Usage: oci-registry [-token] [-basic USER:PASSWORD]   — prints "listening on http://127.0.0.1:PORT" on stdout and
// serves until killed.
package main

import (
	"crypto/subtle"
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

// userToken is what the token service hands out for the -basic credentials.
const userToken = "testbed-user-token"

func main() {
	token := flag.Bool("token", false, "require the bearer-token flow (anonymous unless -basic)")
	basic := flag.String("basic", "", "USER:PASSWORD the registry (or with -token, its token service) requires")
	flag.Parse()
	user, password, private := strings.Cut(*basic, ":")
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + listener.Addr().String()
	handler := registry.New(registry.Logger(log.New(os.Stderr, "", 0)))
	switch {
	case *token && private:
		handler = withToken(base, handler, userToken, func(r *http.Request) bool { return basicIs(r, user, password) })
	case *token:
		handler = withToken(base, handler, anonymousToken, func(*http.Request) bool { return true })
	case private:
		handler = withBasic(handler, user, password)
	}
	fmt.Printf("listening on %s\n", base)
	os.Stdout.Sync()
	log.Fatal(http.Serve(listener, handler))
}

// basicIs says whether the request carries exactly these Basic credentials.
func basicIs(r *http.Request, user, password string) bool {
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1
}

func withBasic(next http.Handler, user, password string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !basicIs(r, user, password) {
			w.Header().Set("WWW-Authenticate", `Basic realm="testbed"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withToken puts the token flow in front of the registry: /token hands out `token` to requests `allowed` accepts.
func withToken(base string, next http.Handler, token string, allowed func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if !allowed(r) {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"token":%q,"access_token":%q}`, token, token)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
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

// oci-registry: an OCI registry on loopback for the remote-chart tests (charts pushed by the test bed's real
// `helm push`, pulled by the product's chart source). It is go-containerregistry's in-memory registry
// (pkg/registry), with an optional anonymous token flow in front of it, as public registries (ghcr.io, Docker Hub)
// ask for one: a request without the token gets 401 and a `WWW-Authenticate: Bearer realm=…` challenge, and the
// realm hands out the token to anyone. With -basic USER:PASSWORD the registry is private, as a registry behind
// `helm registry login` / `docker login` is: alone, every request needs Basic credentials (a 401 with a Basic
// challenge otherwise); with -token, the token service hands a token out only for those Basic credentials.
//
// With -tls-cert and -tls-key the same registry is also served over TLS on a second port (pushes go to the plain one,
// as `helm push --plain-http`), and with -client-ca that port requires a client certificate signed by that CA, as a
// registry behind mutual TLS does. -make-certs DIR writes throwaway PEM files for those tests (crypto/x509 of Go's
// standard library: no openssl process) and exits: ca.crt, server.crt/server.key (for 127.0.0.1 and localhost,
// signed by ca), client.crt/client.key (signed by ca), other-ca.crt (a CA that signed nothing here).
//
// Usage: oci-registry [-token] [-basic USER:PASSWORD] [-tls-cert FILE -tls-key FILE [-client-ca FILE]]
// — prints "listening on http://127.0.0.1:PORT" (and "tls listening on https://127.0.0.1:PORT") on stdout and serves
// until killed; oci-registry -make-certs DIR.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

const anonymousToken = "testbed-anonymous-token"

// userToken is what the token service hands out for the -basic credentials.
const userToken = "testbed-user-token"

func main() {
	token := flag.Bool("token", false, "require the bearer-token flow (anonymous unless -basic)")
	basic := flag.String("basic", "", "USER:PASSWORD the registry (or with -token, its token service) requires")
	tlsCert := flag.String("tls-cert", "", "PEM certificate of a second, TLS listener")
	tlsKey := flag.String("tls-key", "", "PEM key of -tls-cert")
	clientCA := flag.String("client-ca", "", "PEM CA the TLS listener requires client certificates to be signed by")
	makeCerts := flag.String("make-certs", "", "write throwaway test certificates into this folder and exit")
	flag.Parse()
	if *makeCerts != "" {
		if err := writeTestCerts(*makeCerts); err != nil {
			log.Fatal(err)
		}
		return
	}
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
	if *tlsCert != "" {
		serveTLS(handler, *tlsCert, *tlsKey, *clientCA)
	}
	fmt.Printf("listening on %s\n", base)
	os.Stdout.Sync()
	log.Fatal(http.Serve(listener, handler))
}

// serveTLS serves handler over TLS on another loopback port (requiring a client certificate when clientCA is set).
func serveTLS(handler http.Handler, certFile, keyFile, clientCA string) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		log.Fatal(err)
	}
	config := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if clientCA != "" {
		pemData, err := os.ReadFile(clientCA)
		if err != nil {
			log.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			log.Fatal("-client-ca holds no PEM certificate")
		}
		config.ClientCAs = pool
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	listener, err := tls.Listen("tcp", "127.0.0.1:0", config)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("tls listening on https://%s\n", listener.Addr().String())
	go func() { log.Fatal(http.Serve(listener, handler)) }()
}

// writeTestCerts writes a CA, a server and a client certificate it signs, and an unrelated CA, as PEM files.
func writeTestCerts(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, caKey, err := newCert("testbed-ca", nil, nil, func(t *x509.Certificate) {
		t.IsCA, t.BasicConstraintsValid, t.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	})
	if err != nil {
		return err
	}
	other, otherKey, err := newCert("testbed-other-ca", nil, nil, func(t *x509.Certificate) {
		t.IsCA, t.BasicConstraintsValid, t.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	})
	if err != nil {
		return err
	}
	server, serverKey, err := newCert("127.0.0.1", ca, caKey, func(t *x509.Certificate) {
		t.DNSNames, t.IPAddresses = []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	})
	if err != nil {
		return err
	}
	client, clientKey, err := newCert("testbed-client", ca, caKey, func(t *x509.Certificate) {
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	if err != nil {
		return err
	}
	_ = otherKey
	files := map[string][]byte{
		"ca.crt":       pemOf("CERTIFICATE", ca.Raw),
		"other-ca.crt": pemOf("CERTIFICATE", other.Raw),
		"server.crt":   pemOf("CERTIFICATE", server.Raw),
		"server.key":   keyPem(serverKey),
		"client.crt":   pemOf("CERTIFICATE", client.Raw),
		"client.key":   keyPem(clientKey),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

var serial int64

// newCert makes a P-256 certificate for cn, signed by parent (self-signed when parent is nil), valid for a day.
func newCert(cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, edit func(*x509.Certificate)) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial++
	template := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	edit(template)
	signer, signerKey := template, key
	if parent != nil {
		signer, signerKey = parent, parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, template, signer, &key.PublicKey, signerKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func pemOf(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func keyPem(key *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	return pemOf("PRIVATE KEY", der)
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

// s3-server: an S3-compatible server on loopback for the Bucket chart-source tests (Flux `Bucket`, issue #16). It
// is gofakes3's in-memory S3 (github.com/johannesboyne/gofakes3, path-style requests: /BUCKET/KEY), which checks no
// signatures itself. With -credentials-from-env it requires AWS Signature V4 in the Authorization header: each
// request is signed again by the AWS SDK's own signer (aws-sdk-go-v2/aws/signer/v4) over the headers the request
// says it signed, with the secret key of S3_ACCESS_KEY/S3_SECRET_KEY, and refused with 403 unless the two
// signatures are the same; a request without a signature gets 403 AccessDenied, as S3 answers a private bucket.
//
// Usage: s3-server [-credentials-from-env] [-bucket NAME]...  — prints "listening on http://127.0.0.1:PORT" on
// stdout and serves until killed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

type buckets []string

func (b *buckets) String() string     { return strings.Join(*b, ",") }
func (b *buckets) Set(v string) error { *b = append(*b, v); return nil }

func main() {
	var names buckets
	flag.Var(&names, "bucket", "a bucket to create (repeatable)")
	fromEnv := flag.Bool("credentials-from-env", false, "require SigV4 with S3_ACCESS_KEY/S3_SECRET_KEY")
	flag.Parse()
	backend := s3mem.New()
	for _, name := range names {
		if err := backend.CreateBucket(name); err != nil {
			log.Fatal(err)
		}
	}
	var handler http.Handler = gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	if *fromEnv {
		handler = requireSignature(os.Getenv("S3_ACCESS_KEY"), os.Getenv("S3_SECRET_KEY"), handler)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", listener.Addr().String())
	os.Stdout.Sync()
	log.Fatal(http.Serve(listener, handler))
}

var authorization = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$`)

func requireSignature(accessKey, secretKey string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := authorization.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil {
			refuse(w, "AccessDenied", "Access Denied")
			return
		}
		if m[1] != accessKey {
			refuse(w, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
			return
		}
		signedAt, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
		if err != nil || signedAt.Format("20060102") != m[2] {
			refuse(w, "AccessDenied", "X-Amz-Date is missing or not the credential's day")
			return
		}
		// The same request with only the headers it says it signed, signed again by the AWS SDK.
		again, _ := http.NewRequest(r.Method, r.URL.String(), nil)
		again.Host = r.Host
		again.URL.RawQuery = r.URL.RawQuery
		for _, name := range strings.Split(m[4], ";") {
			if name != "host" {
				again.Header.Set(name, r.Header.Get(name))
			}
		}
		payload := r.Header.Get("X-Amz-Content-Sha256")
		if payload == "" {
			refuse(w, "AccessDenied", "x-amz-content-sha256 is missing")
			return
		}
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}
		if err := signer.SignHTTP(context.Background(), creds, again, payload, "s3", m[3], signedAt); err != nil {
			refuse(w, "AccessDenied", err.Error())
			return
		}
		want := authorization.FindStringSubmatch(again.Header.Get("Authorization"))
		if want == nil || want[4] != m[4] || want[5] != m[5] {
			refuse(w, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func refuse(w http.ResponseWriter, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, message)
}

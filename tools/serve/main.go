// Command serve serves the built web app (make web) as static files: correct MIME types
// (application/wasm for the engine), the precompressed .gz beside a file to browsers that
// accept gzip, and no caching of the shell, so a new build is picked up at once (the service
// worker does the offline caching). It prints the address it listens on.
//
//	go run ./tools/serve -dir build/web -addr 127.0.0.1:8080
package main

import (
	"flag"
	"fmt"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

func main() {
	dir := flag.String("dir", "build/web", "the folder to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	flag.Parse()
	log.SetFlags(0)
	if _, err := os.Stat(filepath.Join(*dir, "index.html")); err != nil {
		log.Fatalf("serve: %v: build the app first (make web)", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal("serve: ", err)
	}
	fmt.Printf("serving %s on http://%s/\n", *dir, ln.Addr())
	log.Fatal(http.Serve(ln, handler(*dir)))
}

func init() {
	for ext, typ := range map[string]string{".wasm": "application/wasm", ".js": "text/javascript; charset=utf-8",
		".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
		".bin": "application/octet-stream", ".gz": "application/gzip"} {
		mime.AddExtensionType(ext, typ)
	}
}

// handler serves dir; for a path P with a P.gz beside it, it sends P.gz with
// Content-Encoding: gzip to clients that accept it.
func handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Add("Vary", "Accept-Encoding")
		p := path.Clean("/" + r.URL.Path)
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") && !strings.HasSuffix(p, ".gz") {
			gz := filepath.Join(dir, filepath.FromSlash(p)+".gz")
			if st, err := os.Stat(gz); err == nil && !st.IsDir() {
				if t := mime.TypeByExtension(path.Ext(p)); t != "" {
					w.Header().Set("Content-Type", t)
				}
				w.Header().Set("Content-Encoding", "gzip")
				http.ServeFile(w, r, gz)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

// Command serve serves the built web app (make web) as static files: correct MIME types
// (application/wasm for the engine), the precompressed .gz beside a file to browsers that
// accept gzip (and only to them: "gzip;q=0" refuses it), no caching of the shell, so a new
// build is picked up at once (the service worker does the offline caching), no directory
// listings, and headers that forbid MIME sniffing and anything but the app's own scripts
// (a Content-Security-Policy the app meets: no inline script, WebAssembly allowed). It answers
// GET and HEAD only (405 otherwise), a name too long for a file as not found, a path the same
// with and without gzip, and drops connections that send their headers or request too slowly
// or idle too long. It prints the address it listens on.
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
	"strconv"
	"strings"
	"time"
)

func main() {
	dir := flag.String("dir", "build/web", "the folder to serve")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free one)")
	logRequests := flag.Bool("log", false, "log each request (method, path, encoding asked) to stderr")
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
	h := handler(*dir)
	if *logRequests {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Printf("%s %s (Accept-Encoding %q)", r.Method, r.URL, r.Header.Get("Accept-Encoding"))
			next.ServeHTTP(w, r)
		})
	}
	log.Fatal(newServer(h).Serve(ln))
}

// newServer is the HTTP server of h, with timeouts: a client gets 10 s to send its headers and
// 30 s its request, and an idle connection is closed after 2 minutes (slow or abandoned
// connections cannot pile up).
func newServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
}

func init() {
	for ext, typ := range map[string]string{".wasm": "application/wasm", ".js": "text/javascript; charset=utf-8",
		".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
		".bin": "application/octet-stream", ".gz": "application/gzip"} {
		mime.AddExtensionType(ext, typ)
	}
}

// csp is the app's Content-Security-Policy: its own scripts, workers and styles only, and the
// compilation of its WebAssembly.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// handler serves dir; for a path P with a P.gz beside it, it sends P.gz with
// Content-Encoding: gzip to clients that accept it. A folder without index.html is not found.
func handler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: the app's files are only read (GET, HEAD)", http.StatusMethodNotAllowed)
			return
		}
		h.Set("Cache-Control", "no-cache")
		h.Add("Vary", "Accept-Encoding")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
		p := path.Clean("/" + r.URL.Path)
		for _, segment := range strings.Split(p, "/") {
			if len(segment) > maxName { // no file has such a name (the file system would refuse it: 500)
				http.NotFound(w, r)
				return
			}
		}
		file := filepath.Join(dir, filepath.FromSlash(p))
		if st, err := os.Stat(file); err == nil && st.IsDir() {
			file = filepath.Join(file, "index.html")
			if _, err := os.Stat(file); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		setETag(h, file)
		if acceptsGzip(r.Header.Get("Accept-Encoding")) && !strings.HasSuffix(p, ".gz") {
			gz := filepath.Join(dir, filepath.FromSlash(p)+".gz")
			if st, err := os.Stat(gz); err == nil && !st.IsDir() {
				setETag(h, gz)
				if t := mime.TypeByExtension(path.Ext(p)); t != "" {
					w.Header().Set("Content-Type", t)
				}
				w.Header().Set("Content-Encoding", "gzip")
				serveFile(w, r, gz) // as the file server serves the plain one: a path with ".." alike
				return
			}
		}
		files.ServeHTTP(w, r)
	})
}

// maxName is the longest file name the app has or a file system allows.
const maxName = 255

// serveFile sends a file (with ranges and conditional requests) found from the cleaned path;
// unlike http.ServeFile it does not refuse a request whose raw path holds "..", which the file
// server answers too.
func serveFile(w http.ResponseWriter, r *http.Request, file string) {
	f, err := os.Open(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	http.ServeContent(w, r, file, st.ModTime(), f)
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) with a quality above zero.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "q="); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					q = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}

// setETag names a file's version by its size and modification time to the nanosecond, so a
// browser revalidating its copy gets a new build's file even when both builds fall in the
// same second (Last-Modified has whole seconds).
func setETag(h http.Header, file string) {
	if st, err := os.Stat(file); err == nil && !st.IsDir() {
		h.Set("ETag", fmt.Sprintf(`"%x-%x"`, st.Size(), st.ModTime().UnixNano()))
	}
}

package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func serveDir(t *testing.T) string {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html>"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "app.js.gz"), []byte("gz"), 0o644)
	os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	os.WriteFile(filepath.Join(dir, "assets", "a.bin"), []byte("a"), 0o644)
	return dir
}

func get(t *testing.T, h http.Handler, path, acceptEncoding string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	if acceptEncoding != "" {
		r.Header.Set("Accept-Encoding", acceptEncoding)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestNoDirectoryListings(t *testing.T) {
	h := handler(serveDir(t))
	if w := get(t, h, "/assets/", ""); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "a.bin") {
		t.Errorf("/assets/: %d %q", w.Code, w.Body.String())
	}
	if w := get(t, h, "/", ""); w.Code != http.StatusOK {
		t.Errorf("/: %d", w.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	w := get(t, handler(serveDir(t)), "/app.js", "")
	if w.Header().Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self' 'wasm-unsafe-eval'") {
		t.Errorf("headers %v", w.Header())
	}
}

func TestContentNegotiation(t *testing.T) {
	h := handler(serveDir(t))
	for _, c := range []struct {
		accept string
		gzip   bool
	}{{"gzip", true}, {"gzip, deflate, br", true}, {"br;q=1.0, gzip;q=0.5", true}, {"gzip;q=0", false},
		{"deflate", false}, {"", false}, {"*", true}, {"*;q=0", false}, {"gzip;q=0, *", false}, {"identity", false}} {
		w := get(t, h, "/app.js", c.accept)
		if got := w.Header().Get("Content-Encoding") == "gzip"; got != c.gzip || (c.gzip != (w.Body.String() == "gz")) {
			t.Errorf("Accept-Encoding %q: gzip %v (body %q), want %v", c.accept, got, w.Body.String(), c.gzip)
		}
	}
}

// TestETagFollowsTheFile: a file replaced within the same second gets another ETag, and a
// browser's If-None-Match with the old one gets the new file.
func TestETagFollowsTheFile(t *testing.T) {
	dir := serveDir(t)
	h := handler(dir)
	old := get(t, h, "/app.js", "").Header().Get("ETag")
	os.WriteFile(filepath.Join(dir, "app.js"), []byte("y"), 0o644)
	r := httptest.NewRequest("GET", "/app.js", nil)
	r.Header.Set("If-None-Match", old)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if old == "" || w.Code != http.StatusOK || w.Body.String() != "y" {
		t.Fatalf("after a new build: %d %q (ETag was %s)", w.Code, w.Body.String(), old)
	}
}

// TestOnlyReads: the server answers GET and HEAD; any other method is 405 with Allow.
func TestOnlyReads(t *testing.T) {
	h := handler(serveDir(t))
	for _, m := range []string{"POST", "PUT", "DELETE", "TRACE", "FOO"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(m, "/app.js", nil))
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" || w.Body.String() == "x" {
			t.Errorf("%s: %d, Allow %q, body %q", m, w.Code, w.Header().Get("Allow"), w.Body.String())
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("HEAD", "/app.js", nil))
	if w.Code != http.StatusOK {
		t.Errorf("HEAD: %d", w.Code)
	}
}

// TestOddPaths: a name longer than any file's is not found (it was a 500), and a path with ".."
// gets the same answer with gzip as without (it was 400 with, 200 without).
func TestOddPaths(t *testing.T) {
	h := handler(serveDir(t))
	for _, p := range []string{"/" + strings.Repeat("a", 256), "/assets/" + strings.Repeat("b", 300) + "/x"} {
		if w := get(t, h, p, ""); w.Code != http.StatusNotFound {
			t.Errorf("%d-byte name: %d", len(p), w.Code)
		}
	}
	plain, gz := get(t, h, "/assets/../app.js", ""), get(t, h, "/assets/../app.js", "gzip")
	if plain.Code != http.StatusOK || gz.Code != http.StatusOK || plain.Body.String() != "x" || gz.Body.String() != "gz" {
		t.Errorf("/assets/../app.js: %d %q without gzip, %d %q with", plain.Code, plain.Body.String(), gz.Code, gz.Body.String())
	}
}

// TestTimeouts: slow and idle connections are dropped.
func TestTimeouts(t *testing.T) {
	s := newServer(handler(serveDir(t)))
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Fatalf("timeouts: header %v, read %v, idle %v", s.ReadHeaderTimeout, s.ReadTimeout, s.IdleTimeout)
	}
}

package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed assets
var assetFS embed.FS

// asset is one embedded file ready to serve: its bytes, type and ETag are
// computed once at start, not per request.
type asset struct {
	name        string
	body        []byte
	contentType string
	etag        string
}

// Routes served by Handler: the page at "/" (and "/index.html") and every
// other file under "/assets/".
const (
	indexPath   = "/"
	assetPrefix = "/assets/"
)

// cacheControl: every response is revalidated (no-cache) with a strong ETag.
// Without a build step the files keep fixed names, so a long max-age would
// pin an old app.js after an upgrade; revalidation costs one 304 per file.
const cacheControl = "no-cache"

// contentSecurityPolicy allows only the node's own origin: the page loads
// nothing from elsewhere and talks only to its own node's API.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// Handler serves the web table: GET or HEAD "/" and "/index.html" answer the
// page, "/assets/<file>" the scripts and styles. Anything else is a 404 in
// the API's JSON error shape, so mounting Handler as the catch-all keeps
// unknown API paths answering like the API.
func Handler() http.Handler {
	files, err := loadAssets(assetFS)
	if err != nil {
		// The files are compiled into the binary: a failure here is a
		// broken build, not a runtime condition.
		panic(fmt.Sprintf("web: embedded assets: %v", err))
	}
	return &handler{files: files}
}

type handler struct {
	files map[string]*asset // by URL path
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := h.files[r.URL.Path]
	if !ok {
		writeNotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
			fmt.Sprintf("%s %s: the web table only answers GET and HEAD", r.Method, r.URL.Path))
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", cacheControl)
	hdr.Set("ETag", a.etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	// ServeContent answers If-None-Match with 304 and HEAD without a body.
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
}

// loadAssets reads every embedded file and maps it to its URL path.
func loadAssets(fsys fs.FS) (map[string]*asset, error) {
	files := map[string]*asset{}
	err := fs.WalkDir(fsys, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		a, err := newAsset(path.Base(p), body)
		if err != nil {
			return err
		}
		files[assetPrefix+strings.TrimPrefix(p, "assets/")] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk assets: %w", err)
	}
	index, ok := files[assetPrefix+"index.html"]
	if !ok {
		return nil, fmt.Errorf("assets/index.html missing")
	}
	files[indexPath] = index
	files["/index.html"] = index
	return files, nil
}

func newAsset(name string, body []byte) (*asset, error) {
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		ct = mime.TypeByExtension(path.Ext(name))
	}
	if ct == "" {
		return nil, fmt.Errorf("asset %s: no content type for its extension", name)
	}
	sum := sha256.Sum256(body)
	return &asset{name: name, body: body, contentType: ct,
		etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// contentTypes are fixed here rather than taken from the OS mime table, which
// differs between machines (some map .js to application/javascript, some
// lack .svg): module scripts must be a JavaScript type or the browser refuses
// them under nosniff.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

func writeNotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
}

// writeError answers in the API's error shape {"error":{"code","message"}}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]map[string]string{"error": {"code": code, "message": msg}})
}

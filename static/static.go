// Package static holds the files served under /static: the built Tailwind CSS, the
// vendored htmx and the console's small script, embedded in the binary.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
)

//go:embed css js img
var files embed.FS

// FS is the embedded static tree.
var FS fs.FS = files

var versions = map[string]string{}

func init() {
	fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, path)
		sum := sha256.Sum256(b)
		versions[path] = hex.EncodeToString(sum[:6])
		return nil
	})
}

// URL is the public URL of a static file with a content hash, so that browsers may
// cache it for ever and still see a new build at once.
func URL(path string) string {
	return "/static/" + path + "?v=" + versions[path]
}

// HTTPFS is the tree as an http.FileSystem for Fiber's filesystem middleware.
func HTTPFS() http.FileSystem { return http.FS(files) }

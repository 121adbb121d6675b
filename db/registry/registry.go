// Package registry holds the bundled model registry (provider:model ids).
package registry

import (
	_ "embed"
	"encoding/json"
)

//go:embed models.json
var modelsJSON []byte

// Entry is one bundled model.
type Entry struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Models are the bundled models, loaded into the database at start.
func Models() ([]Entry, error) {
	var entries []Entry
	err := json.Unmarshal(modelsJSON, &entries)
	return entries, err
}

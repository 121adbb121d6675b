// Package migrations embeds the SQL schema migrations, applied in name order.
package migrations

import (
	"embed"

	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// All is every migration of the schema, discovered from the embedded files.
var All = migrate.NewMigrations()

func init() {
	if err := All.Discover(files); err != nil {
		panic(err)
	}
}

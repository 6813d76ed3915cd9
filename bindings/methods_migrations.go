package bindings

import (
	"context"

	"github.com/filedex/filedex/core"
)

func init() {
	register("migrations.status", migrationsStatus)
	register("migrations.up", migrationsUp)
	register("migrations.down", migrationsDown)
	register("migrations.fresh", migrationsFresh)
}

func migrationsStatus(ctx context.Context, s *Session, _ NoParams) (core.MigrationReport, error) {
	return s.lib.Migrations(ctx)
}

// MigrationsUpParams are the params of migrations.up: To 0 (or absent) applies all.
type MigrationsUpParams struct {
	To int `json:"to,omitempty"`
}

func migrationsUp(ctx context.Context, s *Session, p MigrationsUpParams) (core.MigrationReport, error) {
	return s.lib.MigrateUp(ctx, p.To)
}

// MigrationsDownParams are the params of migrations.down.
type MigrationsDownParams struct {
	Steps int `json:"steps"`
}

func migrationsDown(ctx context.Context, s *Session, p MigrationsDownParams) (core.MigrationReport, error) {
	return s.lib.MigrateDown(ctx, p.Steps)
}

// MigrationsFreshParams are the params of migrations.fresh; Force must be true.
type MigrationsFreshParams struct {
	Force bool `json:"force"`
}

func migrationsFresh(ctx context.Context, s *Session, p MigrationsFreshParams) (core.MigrationReport, error) {
	return s.lib.MigrateFresh(ctx, p.Force)
}

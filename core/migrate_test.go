package core_test

import (
	"errors"
	"testing"

	"github.com/filedex/filedex/core"
	"github.com/filedex/filedex/migrations"
)

func TestLibrary_Migrate(t *testing.T) {
	lib := openTest(t)
	rep, err := lib.Migrations(ctx)
	if err != nil || rep.Current != migrations.Latest() || rep.Latest != migrations.Latest() || len(rep.Migrations) != migrations.Latest() {
		t.Fatalf("status: %+v %v", rep, err)
	}
	if _, err := lib.Tags().Create(ctx, core.TagInput{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	rep, err = lib.MigrateDown(ctx, 1)
	if err != nil || rep.Current != migrations.Latest()-1 || rep.Migrations[len(rep.Migrations)-1].Applied {
		t.Fatalf("down: %+v %v", rep, err)
	}
	if _, err := lib.MigrateDown(ctx, 0); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("down 0: %v", err)
	}
	if rep, err = lib.MigrateUp(ctx, 0); err != nil || rep.Current != migrations.Latest() {
		t.Fatalf("up: %+v %v", rep, err)
	}
	if tags, _, err := lib.Tags().List(ctx, core.Page{}); err != nil || len(tags) != 1 {
		t.Fatalf("data lost by down+up of the last migration: %v %v", tags, err)
	}
	if _, err := lib.MigrateFresh(ctx, false); !errors.Is(err, core.ErrInvalid) {
		t.Fatalf("fresh without force: %v", err)
	}
	if tags, _, _ := lib.Tags().List(ctx, core.Page{}); len(tags) != 1 {
		t.Fatal("refused fresh dropped data")
	}
	if _, err := lib.MigrateFresh(ctx, true); err != nil {
		t.Fatal(err)
	}
	if tags, _, err := lib.Tags().List(ctx, core.Page{}); err != nil || len(tags) != 0 {
		t.Fatalf("fresh kept tags: %v %v", tags, err)
	}
	if info, err := lib.Info(ctx); err != nil || info.Device.ID == 0 {
		t.Fatalf("identity after fresh: %+v %v", info, err)
	}
	if _, err := lib.Tags().Create(ctx, core.TagInput{Name: "after"}); err != nil {
		t.Fatalf("write after fresh: %v", err)
	}
}

package core_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/filedex/filedex/core"
)

// FindEach delivers, in one stream, exactly what paging through Find delivers, in the same
// order, with and without a limit, and its cursor continues where it stopped.
func TestFindEach_SameAsPagedFind(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 2, 3000)
	decorate(t, g, 2)
	ctx := context.Background()
	for i, q := range genQueries(g) {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			paged := findAll(t, lib, q, 50)
			var streamed []int64
			var metadata int
			next, err := lib.Entries().FindEach(ctx, q, "", 0, func(es []core.Entry) error {
				if len(es) > core.EachBatch {
					t.Fatalf("batch of %d entries", len(es))
				}
				for _, e := range es {
					streamed = append(streamed, e.ID)
					if e.Metadata != nil {
						metadata++
					}
				}
				return nil
			})
			if err != nil || next != "" {
				t.Fatalf("FindEach: next %q, err %v", next, err)
			}
			if !slices.Equal(streamed, paged) {
				t.Fatalf("query %+v: streamed %d entries, paged %d; first difference at %d", q, len(streamed), len(paged), firstDiff(streamed, paged))
			}
			if q.Tags != nil && len(streamed) > 0 && metadata == 0 {
				t.Fatalf("query %+v: tagged entries streamed without their metadata", q)
			}
			// A limit stops the stream; its cursor resumes it, with Find or FindEach.
			for _, limit := range []int{1, 7, len(paged)} {
				if limit == 0 || limit > len(paged) {
					continue
				}
				var got []int64
				next, err := lib.Entries().FindEach(ctx, q, "", limit, func(es []core.Entry) error {
					for _, e := range es {
						got = append(got, e.ID)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if (next == "") != (limit == len(paged)) {
					t.Fatalf("limit %d of %d: next %q", limit, len(paged), next)
				}
				for next != "" {
					next, err = lib.Entries().FindEach(ctx, q, next, 0, func(es []core.Entry) error {
						for _, e := range es {
							got = append(got, e.ID)
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				if !slices.Equal(got, paged) {
					t.Fatalf("limit %d, resumed: %d entries, want %d", limit, len(got), len(paged))
				}
			}
		})
	}
}

// An error from the callback stops the stream and comes back unchanged.
func TestFindEach_CallbackError(t *testing.T) {
	lib := openTest(t)
	generate(t, lib, 3, 1000)
	stop := errors.New("stop")
	calls := 0
	_, err := lib.Entries().FindEach(context.Background(), core.FindQuery{}, "", 0, func(es []core.Entry) error {
		calls++
		return stop
	})
	if err != stop || calls != 1 {
		t.Fatalf("err %v after %d calls, want the callback's error after 1", err, calls)
	}
}

func firstDiff(a, b []int64) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// ListEach streams a directory as paging through List does, in both orders, and a limit's
// cursor resumes it.
func TestListEach_SameAsPagedList(t *testing.T) {
	lib := openTest(t)
	g := generate(t, lib, 5, 1500)
	ctx := context.Background()
	ids := func(es []core.Entry) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	dirs := 0
	for _, d := range g.all {
		if d.kind != core.KindDirectory || len(g.children(d.id)) < 3 {
			continue
		}
		if dirs++; dirs > 20 {
			break
		}
		for _, o := range []core.ListOptions{{}, {DirsFirst: true}} {
			want := ids(listAll(t, lib, d.id, o, 3))
			for _, limit := range []int{0, 1, 2, len(want)} {
				var got []int64
				next, err := lib.Entries().ListEach(ctx, d.id, o, "", limit, func(es []core.Entry) error {
					got = append(got, ids(es)...)
					return nil
				})
				for err == nil && next != "" {
					next, err = lib.Entries().ListEach(ctx, d.id, o, next, 0, func(es []core.Entry) error {
						got = append(got, ids(es)...)
						return nil
					})
				}
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("dir %d %+v limit %d: got %v, want %v", d.id, o, limit, got, want)
				}
			}
		}
	}
	if dirs == 0 {
		t.Fatal("no directory with children in the model")
	}
}

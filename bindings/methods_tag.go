package bindings

import (
	"context"

	"github.com/filedex/filedex/core"
)

func init() {
	register("tag.create", tagCreate)
	register("tag.list", tagList)
	register("tag.delete", tagDelete)
	register("tag.apply", tagApply)
	register("tag.remove", tagRemove)
}

// TagCreateParams are the params of tag.create.
type TagCreateParams = core.TagInput

func tagCreate(ctx context.Context, s *Session, p TagCreateParams) (core.Tag, error) {
	return s.lib.Tags().Create(ctx, p)
}

// TagList is the result of tag.list: tags in name order with usage counts.
type TagList struct {
	Tags []core.Tag `json:"tags"`
	Next *string    `json:"next"`
}

func tagList(ctx context.Context, s *Session, p core.Page) (TagList, error) {
	tags, next, err := s.lib.Tags().List(ctx, p)
	if err != nil {
		return TagList{}, err
	}
	if tags == nil {
		tags = []core.Tag{}
	}
	return TagList{Tags: tags, Next: cursor(next)}, nil
}

// TagRef names a tag by id or by name: exactly one of them.
type TagRef struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Validate implements the params check of [register].
func (p *TagRef) Validate() error {
	if (p.ID != 0) == (p.Name != "") {
		return InvalidParams("name", "give id or name")
	}
	return nil
}

func (p TagRef) resolve(ctx context.Context, s *Session) (int64, error) {
	if p.ID != 0 {
		return p.ID, nil
	}
	t, err := s.lib.Tags().GetByName(ctx, p.Name)
	return t.ID, err
}

func tagDelete(ctx context.Context, s *Session, p TagRef) (Removed, error) {
	id, err := p.resolve(ctx, s)
	if err != nil {
		return Removed{}, err
	}
	if err := s.lib.Tags().Delete(ctx, id); err != nil {
		return Removed{}, err
	}
	return Removed{Removed: true}, nil
}

// TagApplyParams are the params of tag.apply and tag.remove: the tag (id or
// name) and the entries (ids and/or absolute paths).
type TagApplyParams struct {
	ID       int64    `json:"id,omitempty"`
	Name     string   `json:"name,omitempty"`
	EntryIDs []int64  `json:"entry_ids,omitempty"`
	Paths    []string `json:"paths,omitempty"`
	// PathsB64 are paths as exact bytes (base64), for paths that are not valid UTF-8.
	PathsB64 []string `json:"paths_b64,omitempty"`
}

// Validate implements the params check of [register].
func (p *TagApplyParams) Validate() error {
	if (p.ID != 0) == (p.Name != "") {
		return InvalidParams("name", "give id or name")
	}
	if len(p.EntryIDs) == 0 && len(p.Paths) == 0 && len(p.PathsB64) == 0 {
		return InvalidParams("paths", "give entry_ids or paths")
	}
	return nil
}

// Changed is the result of methods that add or take away a relation: how
// many entries actually changed (already tagged entries do not count).
type Changed struct {
	Changed int `json:"changed"`
}

func tagApply(ctx context.Context, s *Session, p TagApplyParams) (Changed, error) {
	return editRelation(ctx, s, p, TagRef{ID: p.ID, Name: p.Name}.resolve, s.lib.Tags().Apply)
}

func tagRemove(ctx context.Context, s *Session, p TagApplyParams) (Changed, error) {
	return editRelation(ctx, s, p, TagRef{ID: p.ID, Name: p.Name}.resolve, s.lib.Tags().Remove)
}

// editRelation serves tag.apply/remove and label.apply/remove: resolve the tag or label, the
// entries (ids and/or paths), then apply fn.
func editRelation(ctx context.Context, s *Session, p TagApplyParams, resolve func(context.Context, *Session) (int64, error),
	fn func(context.Context, int64, ...int64) (int, error)) (Changed, error) {
	id, err := resolve(ctx, s)
	if err != nil {
		return Changed{}, err
	}
	ids, err := entryIDs(ctx, s, p.EntryIDs, p.Paths, p.PathsB64)
	if err != nil {
		return Changed{}, err
	}
	n, err := fn(ctx, id, ids...)
	return Changed{Changed: n}, err
}

package bindings

import (
	"context"
	"encoding/base64"

	"github.com/google/uuid"

	"github.com/filedex/filedex/core"
)

func init() {
	register("entry.get", entryGet)
}

// EntryRef names an entry by id, uuid or absolute path: exactly one of them. A path that is
// not valid UTF-8 cannot travel in a JSON string (decoders replace its bytes with U+FFFD), so
// it travels as PathB64, its exact bytes in standard base64, as entries' path_b64 does.
type EntryRef struct {
	ID      int64  `json:"id,omitempty"`
	UUID    string `json:"uuid,omitempty"`
	Path    string `json:"path,omitempty"`
	PathB64 string `json:"path_b64,omitempty"`
}

// Validate implements the params check of [register].
func (p *EntryRef) Validate() error {
	n := 0
	for _, set := range []bool{p.ID != 0, p.UUID != "", p.Path != "", p.PathB64 != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return InvalidParams("id", "give exactly one of id, uuid or path")
	}
	if _, err := pathParam("path_b64", "", p.PathB64); err != nil {
		return err
	}
	if p.UUID != "" {
		if _, err := uuid.Parse(p.UUID); err != nil {
			return InvalidParams("uuid", "not a UUID: %q", p.UUID)
		}
	}
	return nil
}

// get returns the entry the reference names.
func (p EntryRef) get(ctx context.Context, s *Session) (core.Entry, error) {
	switch {
	case p.ID != 0:
		return s.lib.Entries().Get(ctx, p.ID)
	case p.UUID != "":
		return s.lib.Entries().GetByUUID(ctx, uuid.MustParse(p.UUID)) // validated
	}
	path, err := pathParam("path_b64", p.Path, p.PathB64) // validated
	if err != nil {
		return core.Entry{}, err
	}
	path, err = s.EntryPath(path) // a lookup in the index: a symlink is an entry, not followed
	if err != nil {
		return core.Entry{}, err
	}
	return s.lib.Entries().GetByPath(ctx, path)
}

func entryGet(ctx context.Context, s *Session, p EntryRef) (core.Entry, error) {
	return p.get(ctx, s)
}

// entryIDs resolves ids and paths (the "entry_ids" and "paths" members of
// tag.apply and friends) to entry ids, in order, failing on the first path
// that is not indexed so that nothing is applied half-way.
func entryIDs(ctx context.Context, s *Session, ids []int64, paths, pathsB64 []string) ([]int64, error) {
	out := append([]int64(nil), ids...)
	refs := make([]EntryRef, 0, len(paths)+len(pathsB64))
	for _, p := range paths {
		refs = append(refs, EntryRef{Path: p})
	}
	for _, p := range pathsB64 {
		if _, err := pathParam("paths_b64", "", p); err != nil {
			return nil, err
		}
		refs = append(refs, EntryRef{PathB64: p})
	}
	for _, r := range refs {
		e, err := r.get(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, e.ID)
	}
	return out, nil
}

// pathParam is the path a request names, as text or (b64, for a path that is not valid
// UTF-8) as its exact bytes in standard base64.
func pathParam(field, text, b64 string) (string, error) {
	if b64 == "" {
		return text, nil
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) == 0 {
		return "", InvalidParams(field, "not a base64 path")
	}
	return string(b), nil
}

func init() {
	register("entry.list", entryList)
	register("entry.find", entryFind)
	register("entry.path", entryPath)
	register("entry.move", entryMove)
}

// EntryListParams are the params of entry.list: the directory (id, uuid or
// path), the order and a page.
type EntryListParams struct {
	EntryRef
	core.ListOptions
	core.Page
}

// EntryList is the result of entry.list and entry.find: a page of entries
// and the cursor of the next one (null after the last).
type EntryList struct {
	Entries []core.Entry `json:"entries"`
	Next    *string      `json:"next"`
}

func entryList(ctx context.Context, s *Session, p EntryListParams) (EntryList, error) {
	dir, err := p.EntryRef.get(ctx, s)
	if err != nil {
		return EntryList{}, err
	}
	es, next, err := s.lib.Entries().List(ctx, dir.ID, p.ListOptions, p.Page)
	return entryPage(es, next, err)
}

func entryPage(es []core.Entry, next string, err error) (EntryList, error) {
	if err != nil {
		return EntryList{}, err
	}
	if es == nil {
		es = []core.Entry{} // [] rather than null: clients iterate it
	}
	return EntryList{Entries: es, Next: cursor(next)}, nil
}

// EntryFindParams are the params of entry.find: the members of
// [core.FindQuery] (as the CLI's find flags) and a page.
type EntryFindParams struct {
	core.FindQuery
	// UnderB64 is Under as exact bytes (base64), for a directory whose path is not UTF-8.
	UnderB64 string `json:"under_b64,omitempty"`
	core.Page
}

// under resolves the directory the search is limited to (Under or UnderB64) into p.Under.
func (p *EntryFindParams) under(s *Session) error {
	u, err := pathParam("under_b64", p.Under, p.UnderB64)
	if err != nil {
		return err
	}
	p.UnderB64 = ""
	if u != "" {
		if p.Under, err = s.Path(u); err != nil {
			return err
		}
	}
	return nil
}

func entryFind(ctx context.Context, s *Session, p EntryFindParams) (EntryList, error) {
	if err := p.under(s); err != nil {
		return EntryList{}, err
	}
	es, next, err := s.lib.Entries().Find(ctx, p.FindQuery, p.Page)
	return entryPage(es, next, err)
}

// EntryPath is the result of entry.path.
type EntryPath struct {
	Path string `json:"path"`
}

// EntryIDParams name an entry by id.
type EntryIDParams struct {
	ID int64 `json:"id"`
}

// Validate implements the params check of [register].
func (p *EntryIDParams) Validate() error {
	if p.ID <= 0 {
		return InvalidParams("id", "required")
	}
	return nil
}

func entryPath(ctx context.Context, s *Session, p EntryIDParams) (EntryPath, error) {
	path, err := s.lib.Entries().Path(ctx, p.ID)
	return EntryPath{Path: path}, err
}

// EntryMoveParams are the params of entry.move: absolute paths on disk.
type EntryMoveParams struct {
	Src string `json:"src"`
	Dst string `json:"dst"`
}

// Validate implements the params check of [register].
func (p *EntryMoveParams) Validate() error {
	switch {
	case p.Src == "":
		return InvalidParams("src", "required")
	case p.Dst == "":
		return InvalidParams("dst", "required")
	}
	return nil
}

func entryMove(ctx context.Context, s *Session, p EntryMoveParams) (core.Entry, error) {
	src, err := s.Path(p.Src)
	if err != nil {
		return core.Entry{}, err
	}
	dst, err := s.Path(p.Dst)
	if err != nil {
		return core.Entry{}, err
	}
	return s.lib.Entries().Move(ctx, src, dst)
}

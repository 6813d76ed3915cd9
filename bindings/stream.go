package bindings

import (
	"context"
	"fmt"
	"strings"

	"github.com/filedex/filedex/core"
)

// EntryStreamer is implemented by engines that can deliver the whole answer of entry.find
// or entry.list as a stream instead of pages: the in-process [Native] engine does. The CLI
// prints listings of any size through it with bounded memory and one query, and falls back
// to paging (which every engine serves) when the engine is not one.
//
// The params are the methods' own; their Page.Limit is ignored in favour of limit (0: no
// limit, any other value is not capped by [core.MaxLimit], which bounds a page, not a
// stream), Page.After is honoured. fn gets the entries in batches of at most
// [core.EachBatch], in the order the method's pages would give; the returned cursor is nil
// when everything was delivered, else the next page's. Errors are *[Error] values, as the
// method's response would carry, except an error from fn, which is returned unchanged.
type EntryStreamer interface {
	FindEach(ctx context.Context, p EntryFindParams, limit int, fn func([]core.Entry) error) (*string, error)
	ListEach(ctx context.Context, p EntryListParams, limit int, fn func([]core.Entry) error) (*string, error)
}

var _ EntryStreamer = (*Native)(nil)

// FindEach implements [EntryStreamer]: entry.find as a stream.
func (n *Native) FindEach(ctx context.Context, p EntryFindParams, limit int, fn func([]core.Entry) error) (*string, error) {
	return n.stream(ctx, "entry.find", limit, fn, func(s *Session, fn func([]core.Entry) error) (string, error) {
		if err := p.under(s); err != nil {
			return "", err
		}
		return s.lib.Entries().FindEach(ctx, p.FindQuery, p.After, limit, fn)
	})
}

// ListEach implements [EntryStreamer]: entry.list as a stream.
func (n *Native) ListEach(ctx context.Context, p EntryListParams, limit int, fn func([]core.Entry) error) (*string, error) {
	return n.stream(ctx, "entry.list", limit, fn, func(s *Session, fn func([]core.Entry) error) (string, error) {
		if err := p.EntryRef.Validate(); err != nil {
			return "", err
		}
		dir, err := p.EntryRef.get(ctx, s)
		if err != nil {
			return "", err
		}
		return s.lib.Entries().ListEach(ctx, dir.ID, p.ListOptions, p.After, limit, fn)
	})
}

// stream runs one streamed method under the engine's lock, with the errors the method table
// would give (named by the method, mapped to wire codes) and fn's own error untouched.
func (n *Native) stream(ctx context.Context, method string, limit int, fn func([]core.Entry) error, run func(*Session, func([]core.Entry) error) (string, error)) (*string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, Errorf(CodeInvalidRequest, "engine is closed")
	}
	if limit < 0 {
		return nil, InvalidParams("limit", "must be ≥ 0")
	}
	if err := ctx.Err(); err != nil {
		return nil, toError(err)
	}
	var fnErr error
	next, err := run(n.s, func(es []core.Entry) error {
		if err := fn(es); err != nil {
			fnErr = err
			return err
		}
		return nil
	})
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		if e, ok := err.(*Error); ok {
			return nil, e
		}
		if !strings.HasPrefix(err.Error(), method+": ") {
			err = fmt.Errorf("%s: %w", method, err)
		}
		return nil, toError(err)
	}
	return cursor(next), nil
}

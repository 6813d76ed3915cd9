package bindings

import (
	"context"
	"encoding/json"

	"github.com/filedex/filedex/core"
)

func init() {
	register("metadata.get", metadataGet)
	register("metadata.set", metadataSet)
}

// EntryMetadata is the result of metadata.get and metadata.set: the entry
// and its user metadata (null until a user adds some).
type EntryMetadata struct {
	Entry    core.Entry     `json:"entry"`
	Metadata *core.Metadata `json:"metadata"`
}

func metadataGet(ctx context.Context, s *Session, p EntryRef) (EntryMetadata, error) {
	e, err := p.get(ctx, s)
	if err != nil {
		return EntryMetadata{}, err
	}
	return EntryMetadata{Entry: e, Metadata: e.Metadata}, nil
}

// MetadataSetParams are the params of metadata.set: the entry (id, uuid or
// path) and the fields to change; absent fields stay as they are.
type MetadataSetParams struct {
	EntryRef
	Notes      *string         `json:"notes,omitempty"`
	Favorite   *bool           `json:"favorite,omitempty"`
	Hidden     *bool           `json:"hidden,omitempty"`
	CustomData json.RawMessage `json:"custom_data,omitempty"`
}

func metadataSet(ctx context.Context, s *Session, p MetadataSetParams) (EntryMetadata, error) {
	e, err := p.EntryRef.get(ctx, s)
	if err != nil {
		return EntryMetadata{}, err
	}
	m, err := s.lib.Metadata().Set(ctx, e.ID, core.MetadataUpdate{Notes: p.Notes, Favorite: p.Favorite, Hidden: p.Hidden, CustomData: p.CustomData})
	if err != nil {
		return EntryMetadata{}, err
	}
	e.Metadata = &m
	return EntryMetadata{Entry: e, Metadata: &m}, nil
}

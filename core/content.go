package core

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/filedex/filedex/core/internal/contentkind"
)

// ContentKinds returns the names of the content kinds, indexed by their stored code. The
// codes are append-only: they are written in every library (the content_kinds table of
// migration 0001 holds the same list, which a test checks).
func ContentKinds() []string {
	all := contentkind.All()
	out := make([]string, len(all))
	for i, k := range all {
		out[i] = k.String()
	}
	return out
}

// ContentKindCode returns the stored code of a content kind name.
func ContentKindCode(name string) (int, bool) {
	k, ok := contentkind.Parse(name)
	return int(k), ok
}

// ContentIdentity is one distinct file content, shared by every entry that holds it.
type ContentIdentity struct {
	CasID         string          `json:"cas_id"`
	Kind          string          `json:"kind"`
	SizeBytes     int64           `json:"size_bytes"`
	IntegrityHash string          `json:"integrity_hash,omitempty"` // hex BLAKE3 of the whole content
	MediaData     json.RawMessage `json:"media_data,omitempty"`
	EntryCount    int64           `json:"entry_count"`
	CreatedAt     time.Time       `json:"created_at"`
}

// Contents is the typed API over content_identity.
type Contents struct{ l *Library }

// Contents returns the content identity API.
func (l *Library) Contents() Contents { return Contents{l} }

const contentCols = `c.id, ck.name, c.size_bytes, c.integrity_hash, c.media_data,
 (SELECT count(*) FROM entries e WHERE e.content_id = c.id), c.created_at`

func scanContent(sc interface{ Scan(...any) error }) (ContentIdentity, error) {
	var c ContentIdentity
	var id, created int64
	var hash []byte
	var media sql.NullString
	if err := sc.Scan(&id, &c.Kind, &c.SizeBytes, &hash, &media, &c.EntryCount, &created); err != nil {
		return c, err
	}
	c.CasID = CasIDString(id)
	if hash != nil {
		c.IntegrityHash = hex.EncodeToString(hash)
	}
	if media.Valid {
		c.MediaData = json.RawMessage(media.String)
	}
	c.CreatedAt = fromMS(created)
	return c, nil
}

// Get returns the content identity with the given cas_id.
func (s Contents) Get(ctx context.Context, casID string) (ContentIdentity, error) {
	const op = "content.get"
	id, err := ParseCasID(casID)
	if err != nil {
		return ContentIdentity{}, &Error{Op: op, Field: "cas_id", Err: err}
	}
	row, err := s.l.queryRow(ctx, `SELECT `+contentCols+` FROM content_identity c JOIN content_kinds ck ON ck.id = c.kind WHERE c.id = ?`, id)
	if err != nil {
		return ContentIdentity{}, wrapDB(op, err)
	}
	c, err := scanContent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNotFound(op, "no such content")
	}
	return c, wrapDB(op, err)
}

// ContentFilter selects content identities for [Contents.List].
type ContentFilter struct {
	Kind string `json:"kind,omitempty"`
}

// List returns content identities in cas_id order, a page at a time.
func (s Contents) List(ctx context.Context, f ContentFilter, p Page) ([]ContentIdentity, string, error) {
	const op = "content.list"
	kind := -1
	if f.Kind != "" {
		k, ok := ContentKindCode(f.Kind)
		if !ok {
			return nil, "", errInvalid(op, "kind", "unknown content kind %q", f.Kind)
		}
		kind = k
	}
	limit, err := p.limit(op)
	if err != nil {
		return nil, "", err
	}
	after := int64(-1 << 63)
	first := 1
	if p.After != "" {
		var cas string
		if err := decodeCursor(op, p.After, &cas); err != nil {
			return nil, "", err
		}
		if after, err = ParseCasID(cas); err != nil {
			return nil, "", errInvalid(op, "after", "malformed cursor")
		}
		first = 0
	}
	rows, err := s.l.query(ctx, `SELECT `+contentCols+` FROM content_identity c JOIN content_kinds ck ON ck.id = c.kind
WHERE (c.id > ?1 OR (?2 AND c.id = ?1)) AND (?3 < 0 OR c.kind = ?3) ORDER BY c.id LIMIT ?4`, after, first, kind, limit+1)
	if err != nil {
		return nil, "", wrapDB(op, err)
	}
	defer rows.Close()
	var out []ContentIdentity
	next := ""
	for rows.Next() {
		if len(out) == limit {
			next = encodeCursor(out[len(out)-1].CasID)
			break
		}
		c, err := scanContent(rows)
		if err != nil {
			return nil, "", wrapDB(op, err)
		}
		out = append(out, c)
	}
	return out, next, wrapDB(op, rows.Err())
}

// ContentUpdate lists the fields to change; nil fields stay as they are.
type ContentUpdate struct {
	Kind          *string
	IntegrityHash []byte          // 32 bytes
	MediaData     json.RawMessage // a JSON object
}

// Update records what deeper indexing learned about a content.
func (s Contents) Update(ctx context.Context, casID string, u ContentUpdate) (ContentIdentity, error) {
	const op = "content.update"
	id, err := ParseCasID(casID)
	if err != nil {
		return ContentIdentity{}, &Error{Op: op, Field: "cas_id", Err: err}
	}
	var kind, media any
	if u.Kind != nil {
		k, ok := ContentKindCode(*u.Kind)
		if !ok {
			return ContentIdentity{}, errInvalid(op, "kind", "unknown content kind %q", *u.Kind)
		}
		kind = k
	}
	if u.IntegrityHash != nil && len(u.IntegrityHash) != 32 {
		return ContentIdentity{}, errInvalid(op, "integrity_hash", "must be 32 bytes")
	}
	if u.MediaData != nil {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(u.MediaData, &obj); err != nil || obj == nil {
			return ContentIdentity{}, errInvalid(op, "media_data", "must be a JSON object")
		}
		media = string(u.MediaData)
	}
	err = s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE content_identity SET kind = coalesce(?, kind), integrity_hash = coalesce(?, integrity_hash),
 media_data = coalesce(?, media_data) WHERE id = ?`, kind, u.IntegrityHash, media, id)
		return mustAffect(op, res, err, "no such content")
	})
	if err != nil {
		return ContentIdentity{}, err
	}
	return s.Get(ctx, casID)
}

// DeleteUnused removes content identities that no entry refers to and returns how many.
func (s Contents) DeleteUnused(ctx context.Context) (int64, error) {
	const op = "content.gc"
	var n int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM content_identity WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identity.id)`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

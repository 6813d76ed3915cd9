package core

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Metadata is what a user adds to an entry: notes, favourite, hidden, custom data, tags and
// labels. A row exists only once a user added something (the seed made one per entry).
type Metadata struct {
	ID         int64           `json:"id"`
	UUID       uuid.UUID       `json:"uuid"`
	Notes      string          `json:"notes,omitempty"`
	Favorite   bool            `json:"favorite"`
	Hidden     bool            `json:"hidden"`
	CustomData json.RawMessage `json:"custom_data,omitempty"`
	Tags       []string        `json:"tags"`
	Labels     []string        `json:"labels"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// MetadataUpdate lists the fields to change; nil fields stay as they are.
type MetadataUpdate struct {
	Notes    *string `json:"notes,omitempty"`
	Favorite *bool   `json:"favorite,omitempty"`
	Hidden   *bool   `json:"hidden,omitempty"`
	// CustomData must be a JSON object; JSON null clears it.
	CustomData json.RawMessage `json:"custom_data,omitempty"`
}

// MetadataAPI is the typed API over user_metadata.
type MetadataAPI struct{ l *Library }

// Metadata returns the user metadata API.
func (l *Library) Metadata() MetadataAPI { return MetadataAPI{l} }

// Get returns a metadata row with its tag and label names.
func (s MetadataAPI) Get(ctx context.Context, id int64) (Metadata, error) {
	var m Metadata
	err := s.l.withReader(ctx, "metadata.get", func(r *readConn) error {
		var err error
		m, err = r.metadata(id)
		return err
	})
	return m, err
}

func (r *readConn) metadata(id int64) (Metadata, error) {
	const op = "metadata.get"
	var m Metadata
	var notes, custom sql.NullString
	var created, updated int64
	err := r.queryRow(`SELECT id, uuid, notes, favorite, hidden, custom_data, created_at, updated_at FROM user_metadata WHERE id = ?`, id).
		Scan(&m.ID, &m.UUID, &notes, &m.Favorite, &m.Hidden, &custom, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return m, errNotFound(op, "no such metadata")
	} else if err != nil {
		return m, wrapDB(op, err)
	}
	m.Notes = notes.String
	if custom.Valid {
		m.CustomData = json.RawMessage(custom.String)
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	// (SELECT ?1): a bare parameter here made SQLite re-prepare both statements on every
	// call once ANALYZE had run (see listDirsQ in paths.go).
	if m.Tags, err = r.names(`SELECT t.name FROM metadata_tag mt JOIN tags t ON t.id = mt.tag_id WHERE mt.metadata_id = (SELECT ?1) ORDER BY t.name`, id); err != nil {
		return m, wrapDB(op, err)
	}
	if m.Labels, err = r.names(`SELECT l.name FROM metadata_label ml JOIN labels l ON l.id = ml.label_id WHERE ml.metadata_id = (SELECT ?1) ORDER BY l.name`, id); err != nil {
		return m, wrapDB(op, err)
	}
	return m, nil
}

// metadataBatchFrom: a page with more entries carrying metadata than this reads them in
// three statements for the whole page (metadataMany) instead of three per entry. Per entry
// is cheaper for a few (a directory page of 50 with some favourites, measured); a page of
// tagged entries is all metadata (query/tag_entries: 1,865 entries took 1.1 s at 100k with
// per-entry reads before their statements were cached, 6 ms at 10k batched).
const metadataBatchFrom = 8

const (
	metadataManyQ = `SELECT id, uuid, notes, favorite, hidden, custom_data, created_at, updated_at
FROM user_metadata WHERE id IN (SELECT value FROM json_each(?1))`
	metadataTagsQ = `SELECT mt.metadata_id, t.name FROM metadata_tag mt JOIN tags t ON t.id = mt.tag_id
WHERE mt.metadata_id IN (SELECT value FROM json_each(?1)) ORDER BY mt.metadata_id, t.name`
	metadataLabelsQ = `SELECT ml.metadata_id, l.name FROM metadata_label ml JOIN labels l ON l.id = ml.label_id
WHERE ml.metadata_id IN (SELECT value FROM json_each(?1)) ORDER BY ml.metadata_id, l.name`
)

// metadataMany returns the metadata rows of ids that exist, keyed by id, with tags and
// labels in name order (never nil), as metadata does for one. The ids travel as one JSON
// array, so the three statements are prepared once per connection.
func (r *readConn) metadataMany(ids []int64) (map[int64]*Metadata, error) {
	out := make(map[int64]*Metadata, len(ids))
	arr, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := r.query(metadataManyQ, string(arr))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		m := &Metadata{Tags: []string{}, Labels: []string{}}
		var notes, custom sql.NullString
		var created, updated int64
		if err := rows.Scan(&m.ID, &m.UUID, &notes, &m.Favorite, &m.Hidden, &custom, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		m.Notes = notes.String
		if custom.Valid {
			m.CustomData = json.RawMessage(custom.String)
		}
		m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
		out[m.ID] = m
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		sql  string
		into func(*Metadata, string)
	}{
		{metadataTagsQ, func(m *Metadata, n string) { m.Tags = append(m.Tags, n) }},
		{metadataLabelsQ, func(m *Metadata, n string) { m.Labels = append(m.Labels, n) }},
	} {
		rows, err := r.query(q.sql, string(arr))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			if m := out[id]; m != nil {
				q.into(m, name)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *readConn) names(q string, id int64) ([]string, error) {
	rows, err := r.query(q, id)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Close()
}

// ForEntry returns an entry's metadata, or nil when the user never added any.
func (s MetadataAPI) ForEntry(ctx context.Context, entryID int64) (*Metadata, error) {
	e, err := s.l.Entries().Get(ctx, entryID)
	if err != nil {
		return nil, err
	}
	return e.Metadata, nil
}

// Set changes an entry's metadata, creating its row on first use.
func (s MetadataAPI) Set(ctx context.Context, entryID int64, u MetadataUpdate) (Metadata, error) {
	const op = "metadata.set"
	var custom any
	setCustom := 0
	if u.Notes != nil {
		if err := checkText(op, "notes", *u.Notes); err != nil {
			return Metadata{}, err
		}
	}
	if u.CustomData != nil {
		setCustom = 1
		// encoding/json lets bytes that are not UTF-8 through inside strings, and SQLite's
		// json_valid does too: stored, they would make every later response invalid JSON.
		if !utf8.Valid(u.CustomData) {
			return Metadata{}, errInvalid(op, "custom_data", "must be valid UTF-8")
		}
		if jsonDepth(u.CustomData) > maxJSONDepth {
			return Metadata{}, errInvalid(op, "custom_data", "nests deeper than %d levels", maxJSONDepth)
		}
		if string(u.CustomData) != "null" {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(u.CustomData, &obj); err != nil || obj == nil {
				return Metadata{}, errInvalid(op, "custom_data", "must be a JSON object")
			}
			b, _ := json.Marshal(obj) // canonical form: sorted keys, no insignificant space
			custom = string(b)
		}
	}
	var id int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		var err error
		id, err = ensureMetadata(ctx, tx, s.l, op, entryID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE user_metadata SET notes = CASE WHEN ?1 IS NULL THEN notes ELSE nullif(?1, '') END,
 favorite = coalesce(?2, favorite), hidden = coalesce(?3, hidden),
 custom_data = CASE WHEN ?4 THEN ?5 ELSE custom_data END, updated_at = ?6 WHERE id = ?7`,
			u.Notes, boolPtrArg(u.Favorite), boolPtrArg(u.Hidden), setCustom, custom, ms(s.l.now()), id)
		return err
	})
	if err != nil {
		return Metadata{}, err
	}
	return s.Get(ctx, id)
}

// ensureMetadata returns the entry's metadata row id, creating the row on first use.
func ensureMetadata(ctx context.Context, tx *sql.Tx, l *Library, op string, entryID int64) (int64, error) {
	var mid sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT metadata_id FROM entries WHERE id = ?`, entryID).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errNotFound(op, "no such entry")
	} else if err != nil {
		return 0, err
	}
	if mid.Valid {
		return mid.Int64, nil
	}
	now := l.now()
	res, err := tx.ExecContext(ctx, `INSERT INTO user_metadata (uuid, created_at, updated_at) VALUES (?, ?, ?)`, l.newUUID(now), ms(now), ms(now))
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE entries SET metadata_id = ? WHERE id = ?`, id, entryID)
	return id, err
}

// Delete removes an entry's metadata (notes, flags, tags, labels) and detaches it.
func (s MetadataAPI) Delete(ctx context.Context, entryID int64) error {
	const op = "metadata.delete"
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_metadata WHERE id = (SELECT metadata_id FROM entries WHERE id = ?)`, entryID)
		return mustAffect(op, res, err, "entry has no metadata")
	})
}

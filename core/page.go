package core

import (
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// DefaultLimit is the page size when a [Page] does not set one; MaxLimit caps it.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
)

// Page asks for one page of a list: at most Limit items after the opaque cursor After (empty
// for the first page). Lists return the cursor of the next page, or "" after the last one.
// Cursors are keyset positions, not offsets: a page stays correct while rows are inserted or
// deleted elsewhere, and costs the same on page 1 and page 10,000.
type Page struct {
	After string `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

func (p Page) limit(op string) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, errInvalid(op, "limit", "must be ≥ 0")
	case p.Limit == 0:
		return DefaultLimit, nil
	case p.Limit > MaxLimit:
		return 0, errInvalid(op, "limit", "must be ≤ %d", MaxLimit)
	}
	return p.Limit, nil
}

// encodeCursor makes an opaque cursor from the sort key of the last row of a page.
func encodeCursor(key ...any) string {
	b, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor into the given pointers.
func decodeCursor(op, cursor string, into ...any) error {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return errInvalid(op, "after", "malformed cursor")
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(into) {
		return errInvalid(op, "after", "malformed cursor")
	}
	for i := range into {
		if err := json.Unmarshal(raw[i], into[i]); err != nil {
			return errInvalid(op, "after", "malformed cursor")
		}
	}
	return nil
}

// idCursor decodes a cursor over id order; the first page starts after id 0 (ids are ≥ 1).
func (p Page) idCursor(op string) (after int64, limit int, err error) {
	limit, err = p.limit(op)
	if err != nil || p.After == "" {
		return 0, limit, err
	}
	err = decodeCursor(op, p.After, &after)
	return after, limit, err
}

// collectPage reads up to limit rows (the query asked for limit+1, so one more row means
// there is a next page) and returns them with the next cursor.
func collectPage[T any](op string, rows *sql.Rows, limit int, scan func(interface{ Scan(...any) error }) (T, error), key func(T) int64) ([]T, string, error) {
	defer rows.Close()
	out := make([]T, 0, min(limit, 64))
	more := false
	for rows.Next() {
		if len(out) == limit {
			more = true
			break
		}
		v, err := scan(rows)
		if err != nil {
			return nil, "", wrapDB(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrapDB(op, err)
	}
	next := ""
	if more && len(out) > 0 {
		next = encodeCursor(key(out[len(out)-1]))
	}
	return out, next, nil
}

func boolPtrArg(b *bool) any {
	if b == nil {
		return nil
	}
	if *b {
		return 1
	}
	return 0
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mustAffect turns "the statement changed no row" into ErrNotFound.
func mustAffect(op string, res sql.Result, err error, what string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound(op, what)
	}
	return nil
}

var errStop = errors.New("stop")

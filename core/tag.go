package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Tag is a user-defined tag.
type Tag struct {
	ID        int64     `json:"id"`
	UUID      uuid.UUID `json:"uuid"`
	Name      string    `json:"name"`
	Color     string    `json:"color,omitempty"`
	Icon      string    `json:"icon,omitempty"`
	Usage     int64     `json:"usage"` // entries carrying the tag
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// ValidColor reports whether c is empty or a #RRGGBB colour.
func ValidColor(c string) bool { return c == "" || colorRE.MatchString(c) }

// TagInput describes a new tag.
type TagInput struct {
	Name  string `json:"name"`
	Color string `json:"color,omitempty"`
	Icon  string `json:"icon,omitempty"`
}

// TagUpdate lists the fields to change; nil fields stay as they are ("" clears colour or icon).
type TagUpdate struct {
	Name  *string `json:"name,omitempty"`
	Color *string `json:"color,omitempty"`
	Icon  *string `json:"icon,omitempty"`
}

// Tags is the typed API over tags and metadata_tag.
type Tags struct{ l *Library }

// Tags returns the tag API.
func (l *Library) Tags() Tags { return Tags{l} }

const tagCols = `t.id, t.uuid, t.name, t.color, t.icon, (SELECT count(*) FROM metadata_tag mt WHERE mt.tag_id = t.id), t.created_at, t.updated_at`

func scanTag(sc interface{ Scan(...any) error }) (Tag, error) {
	var t Tag
	var color, icon sql.NullString
	var created, updated int64
	err := sc.Scan(&t.ID, &t.UUID, &t.Name, &color, &icon, &t.Usage, &created, &updated)
	t.Color, t.Icon = color.String, icon.String
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return t, err
}

// Create adds a tag. Names are unique; colours must be #RRGGBB.
func (s Tags) Create(ctx context.Context, in TagInput) (Tag, error) {
	const op = "tag.create"
	if in.Name == "" {
		return Tag{}, errInvalid(op, "name", "must not be empty")
	}
	if strings.TrimSpace(in.Name) == "" {
		// A name of spaces shows as nothing in every list, and cannot be told apart.
		return Tag{}, errInvalid(op, "name", "must not be only spaces")
	}
	if err := checkText(op, "name", in.Name); err != nil {
		return Tag{}, err
	}
	if err := checkText(op, "icon", in.Icon); err != nil {
		return Tag{}, err
	}
	if !ValidColor(in.Color) {
		return Tag{}, errInvalid(op, "color", "must be #RRGGBB, got %q", in.Color)
	}
	var id int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		now := s.l.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO tags (uuid, name, color, icon, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.l.newUUID(now), in.Name, nullString(in.Color), nullString(in.Icon), ms(now), ms(now))
		if CodeOf(err) == CodeConflict {
			return errConflict(op, fmt.Sprintf("tag %q already exists", in.Name))
		} else if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Tag{}, err
	}
	return s.Get(ctx, id)
}

// Get returns the tag with the given id.
func (s Tags) Get(ctx context.Context, id int64) (Tag, error) {
	return s.one(ctx, `SELECT `+tagCols+` FROM tags t WHERE t.id = ?`, id)
}

// GetByUUID returns the tag with the given UUID.
func (s Tags) GetByUUID(ctx context.Context, u uuid.UUID) (Tag, error) {
	return s.one(ctx, `SELECT `+tagCols+` FROM tags t WHERE t.uuid = ?`, u[:])
}

// GetByName returns the tag with the given name.
func (s Tags) GetByName(ctx context.Context, name string) (Tag, error) {
	t, err := s.one(ctx, `SELECT `+tagCols+` FROM tags t WHERE t.name = ?`, name)
	if errors.Is(err, ErrNotFound) {
		return t, errNotFound("tag.get", fmt.Sprintf("no tag named %q", name))
	}
	return t, err
}

func (s Tags) one(ctx context.Context, q string, arg any) (Tag, error) {
	const op = "tag.get"
	row, err := s.l.queryRow(ctx, q, arg)
	if err != nil {
		return Tag{}, wrapDB(op, err)
	}
	t, err := scanTag(row)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errNotFound(op, "no such tag")
	}
	return t, wrapDB(op, err)
}

// List returns tags in name order with their usage counts (unused tags included), a page at a time.
func (s Tags) List(ctx context.Context, p Page) ([]Tag, string, error) {
	const op = "tag.list"
	limit, err := p.limit(op)
	if err != nil {
		return nil, "", err
	}
	after := ""
	if p.After != "" {
		if err := decodeCursor(op, p.After, &after); err != nil {
			return nil, "", err
		}
	}
	rows, err := s.l.query(ctx, `SELECT `+tagCols+` FROM tags t WHERE t.name > ? ORDER BY t.name LIMIT ?`, after, limit+1)
	if err != nil {
		return nil, "", wrapDB(op, err)
	}
	defer rows.Close()
	var out []Tag
	next := ""
	for rows.Next() {
		if len(out) == limit {
			next = encodeCursor(out[len(out)-1].Name)
			break
		}
		t, err := scanTag(rows)
		if err != nil {
			return nil, "", wrapDB(op, err)
		}
		out = append(out, t)
	}
	return out, next, wrapDB(op, rows.Err())
}

// Update renames or recolours a tag.
func (s Tags) Update(ctx context.Context, id int64, u TagUpdate) (Tag, error) {
	const op = "tag.update"
	if u.Name != nil && *u.Name == "" {
		return Tag{}, errInvalid(op, "name", "must not be empty")
	}
	if u.Name != nil && strings.TrimSpace(*u.Name) == "" {
		return Tag{}, errInvalid(op, "name", "must not be only spaces")
	}
	if u.Name != nil {
		if err := checkText(op, "name", *u.Name); err != nil {
			return Tag{}, err
		}
	}
	if u.Icon != nil {
		if err := checkText(op, "icon", *u.Icon); err != nil {
			return Tag{}, err
		}
	}
	if u.Color != nil && !ValidColor(*u.Color) {
		return Tag{}, errInvalid(op, "color", "must be #RRGGBB, got %q", *u.Color)
	}
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tags SET name = coalesce(?1, name),
 color = CASE WHEN ?2 IS NULL THEN color ELSE nullif(?2, '') END,
 icon = CASE WHEN ?3 IS NULL THEN icon ELSE nullif(?3, '') END, updated_at = ?4 WHERE id = ?5`,
			u.Name, u.Color, u.Icon, ms(s.l.now()), id)
		if CodeOf(err) == CodeConflict {
			return errConflict(op, fmt.Sprintf("tag %q already exists", *u.Name))
		}
		return mustAffect(op, res, err, "no such tag")
	})
	if err != nil {
		return Tag{}, err
	}
	return s.Get(ctx, id)
}

// Delete removes a tag; entries that carried it keep everything else.
func (s Tags) Delete(ctx context.Context, id int64) error {
	const op = "tag.delete"
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE id = ?`, id)
		return mustAffect(op, res, err, "no such tag")
	})
}

// Apply tags entries, creating their metadata rows on first use. Already tagged entries are
// left as they are. It returns how many entries newly got the tag.
func (s Tags) Apply(ctx context.Context, tagID int64, entryIDs ...int64) (int, error) {
	return s.l.attach(ctx, "tag.apply", tagLink, tagID, entryIDs, true)
}

// Remove takes a tag off entries. It returns how many entries lost it.
func (s Tags) Remove(ctx context.Context, tagID int64, entryIDs ...int64) (int, error) {
	return s.l.attach(ctx, "tag.remove", tagLink, tagID, entryIDs, false)
}

// link describes a junction between user metadata and tags or labels.
type link struct{ table, junction, column, missing string }

var (
	tagLink   = link{"tags", "metadata_tag", "tag_id", "no such tag"}
	labelLink = link{"labels", "metadata_label", "label_id", "no such label"}
)

// attach adds (or, with add false, removes) the link between entries and a tag or label,
// creating metadata rows on first use; it returns how many entries changed.
func (l *Library) attach(ctx context.Context, op string, k link, id int64, entryIDs []int64, add bool) (int, error) {
	n := 0
	err := l.update(ctx, op, func(tx *sql.Tx) error {
		if err := exists(ctx, tx, op, `SELECT 1 FROM `+k.table+` WHERE id = ?`, id, k.missing); err != nil {
			return err
		}
		for _, eid := range entryIDs {
			var res sql.Result
			var err error
			if add {
				var mid int64
				if mid, err = ensureMetadata(ctx, tx, l, op, eid); err != nil {
					return err
				}
				res, err = tx.ExecContext(ctx, `INSERT INTO `+k.junction+` (metadata_id, `+k.column+`) VALUES (?, ?) ON CONFLICT DO NOTHING`, mid, id)
			} else {
				res, err = tx.ExecContext(ctx, `DELETE FROM `+k.junction+` WHERE `+k.column+` = ? AND metadata_id = (SELECT metadata_id FROM entries WHERE id = ?)`, id, eid)
			}
			if err != nil {
				return err
			}
			c, _ := res.RowsAffected()
			n += int(c)
		}
		return nil
	})
	return n, err
}

func exists(ctx context.Context, tx *sql.Tx, op, q string, arg any, what string) error {
	var one int
	err := tx.QueryRowContext(ctx, q, arg).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound(op, what)
	}
	return err
}

package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Label is a node of the user's label hierarchy.
type Label struct {
	ID       int64     `json:"id"`
	UUID     uuid.UUID `json:"uuid"`
	Name     string    `json:"name"`
	Color    string    `json:"color,omitempty"`
	ParentID int64     `json:"parent_id,omitempty"`
	// Path is the label's name prefixed by its ancestors', slash-separated ("Work/Clients/Acme").
	Path      string    `json:"path"`
	Depth     int       `json:"depth"`
	Usage     int64     `json:"usage"` // entries carrying exactly this label
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LabelInput describes a new label. Parent is the id of the parent label, 0 for a top-level one.
type LabelInput struct {
	Name   string `json:"name"`
	Color  string `json:"color,omitempty"`
	Parent int64  `json:"parent_id,omitempty"`
}

// LabelUpdate lists the fields to change; nil fields stay as they are. Parent 0 moves a label
// to the top level.
type LabelUpdate struct {
	Name   *string `json:"name,omitempty"`
	Color  *string `json:"color,omitempty"`
	Parent *int64  `json:"parent_id,omitempty"`
}

// Labels is the typed API over labels and metadata_label.
type Labels struct{ l *Library }

// Labels returns the label API.
func (l *Library) Labels() Labels { return Labels{l} }

// labelTree renders every label with its path and depth; filters apply outside.
const labelTree = `WITH RECURSIVE tree(id, path, depth) AS (
  SELECT id, name, 0 FROM labels WHERE parent_id IS NULL
  UNION ALL
  SELECT l.id, tree.path || '/' || l.name, tree.depth + 1 FROM labels l JOIN tree ON l.parent_id = tree.id
)
SELECT l.id, l.uuid, l.name, l.color, l.parent_id, tree.path, tree.depth,
 (SELECT count(*) FROM metadata_label ml WHERE ml.label_id = l.id), l.created_at, l.updated_at
FROM labels l JOIN tree ON tree.id = l.id`

func scanLabel(sc interface{ Scan(...any) error }) (Label, error) {
	var x Label
	var color sql.NullString
	var parent sql.NullInt64
	var created, updated int64
	err := sc.Scan(&x.ID, &x.UUID, &x.Name, &color, &parent, &x.Path, &x.Depth, &x.Usage, &created, &updated)
	x.Color, x.ParentID = color.String, parent.Int64
	x.CreatedAt, x.UpdatedAt = fromMS(created), fromMS(updated)
	return x, err
}

func validLabelName(op, name string) error {
	if name == "" || strings.Contains(name, "/") {
		return errInvalid(op, "name", "must be non-empty and contain no '/' (it separates a label from its parent)")
	}
	return checkText(op, "name", name)
}

// Create adds a label. Sibling names are unique.
func (s Labels) Create(ctx context.Context, in LabelInput) (Label, error) {
	const op = "label.create"
	if err := validLabelName(op, in.Name); err != nil {
		return Label{}, err
	}
	if !ValidColor(in.Color) {
		return Label{}, errInvalid(op, "color", "must be #RRGGBB, got %q", in.Color)
	}
	var id int64
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		var parent any
		if in.Parent != 0 {
			if err := exists(ctx, tx, op, `SELECT 1 FROM labels WHERE id = ?`, in.Parent, "no such parent label"); err != nil {
				return err
			}
			parent = in.Parent
		}
		now := s.l.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO labels (uuid, name, color, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.l.newUUID(now), in.Name, nullString(in.Color), parent, ms(now), ms(now))
		if CodeOf(err) == CodeConflict {
			return errConflict(op, fmt.Sprintf("label %q already exists there", in.Name))
		} else if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return Label{}, err
	}
	return s.Get(ctx, id)
}

// Get returns the label with the given id.
func (s Labels) Get(ctx context.Context, id int64) (Label, error) {
	return s.one(ctx, labelTree+` WHERE l.id = ?`, id)
}

// GetByUUID returns the label with the given UUID.
func (s Labels) GetByUUID(ctx context.Context, u uuid.UUID) (Label, error) {
	return s.one(ctx, labelTree+` WHERE l.uuid = ?`, u[:])
}

// GetByName finds a label by its path ("Work/Clients") or, when unambiguous, its bare name.
func (s Labels) GetByName(ctx context.Context, name string) (Label, error) {
	const op = "label.get"
	rows, err := s.l.query(ctx, labelTree+` WHERE tree.path = ?1 OR l.name = ?1 ORDER BY tree.path = ?1 DESC, tree.path`, name)
	if err != nil {
		return Label{}, wrapDB(op, err)
	}
	defer rows.Close()
	var found []Label
	for rows.Next() {
		x, err := scanLabel(rows)
		if err != nil {
			return Label{}, wrapDB(op, err)
		}
		found = append(found, x)
	}
	if err := rows.Err(); err != nil {
		return Label{}, wrapDB(op, err)
	}
	switch {
	case len(found) == 0:
		return Label{}, errNotFound(op, fmt.Sprintf("no label named %q", name))
	case found[0].Path == name || len(found) == 1:
		return found[0], nil
	}
	paths := make([]string, len(found))
	for i, f := range found {
		paths[i] = f.Path
	}
	return Label{}, errInvalid(op, "name", "%q is ambiguous: %s", name, strings.Join(paths, ", "))
}

func (s Labels) one(ctx context.Context, q string, arg any) (Label, error) {
	const op = "label.get"
	row, err := s.l.queryRow(ctx, q, arg)
	if err != nil {
		return Label{}, wrapDB(op, err)
	}
	x, err := scanLabel(row)
	if errors.Is(err, sql.ErrNoRows) {
		return x, errNotFound(op, "no such label")
	}
	return x, wrapDB(op, err)
}

// List returns every label as a tree: depth-first, children after their parent, siblings by
// name (order by path).
func (s Labels) List(ctx context.Context) ([]Label, error) {
	const op = "label.list"
	rows, err := s.l.query(ctx, labelTree+` ORDER BY tree.path`)
	if err != nil {
		return nil, wrapDB(op, err)
	}
	defer rows.Close()
	out := []Label{}
	for rows.Next() {
		x, err := scanLabel(rows)
		if err != nil {
			return nil, wrapDB(op, err)
		}
		out = append(out, x)
	}
	return out, wrapDB(op, rows.Err())
}

// Update renames, recolours or moves a label. A move that would make a label its own
// ancestor is refused (the schema's trigger enforces it too).
func (s Labels) Update(ctx context.Context, id int64, u LabelUpdate) (Label, error) {
	const op = "label.update"
	if u.Name != nil {
		if err := validLabelName(op, *u.Name); err != nil {
			return Label{}, err
		}
	}
	if u.Color != nil && !ValidColor(*u.Color) {
		return Label{}, errInvalid(op, "color", "must be #RRGGBB, got %q", *u.Color)
	}
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		setParent, parent := 0, any(nil)
		if u.Parent != nil {
			setParent = 1
			if *u.Parent != 0 {
				parent = *u.Parent
				if err := exists(ctx, tx, op, `SELECT 1 FROM labels WHERE id = ?`, *u.Parent, "no such parent label"); err != nil {
					return err
				}
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE labels SET name = coalesce(?1, name),
 color = CASE WHEN ?2 IS NULL THEN color ELSE nullif(?2, '') END,
 parent_id = CASE WHEN ?3 THEN ?4 ELSE parent_id END, updated_at = ?5 WHERE id = ?6`,
			u.Name, u.Color, setParent, parent, ms(s.l.now()), id)
		switch {
		case err != nil && strings.Contains(err.Error(), "label cycle"):
			return errInvalid(op, "parent_id", "a label cannot be moved below itself")
		case CodeOf(err) == CodeConflict:
			return errConflict(op, "a sibling label already has that name")
		}
		return mustAffect(op, res, err, "no such label")
	})
	if err != nil {
		return Label{}, err
	}
	return s.Get(ctx, id)
}

// Delete removes a label that has no sub-labels; entries that carried it keep everything else.
func (s Labels) Delete(ctx context.Context, id int64) error {
	const op = "label.delete"
	return s.l.update(ctx, op, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM labels WHERE parent_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errConflict(op, "label has sub-labels; delete or move them first")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id)
		return mustAffect(op, res, err, "no such label")
	})
}

// Apply labels entries, creating their metadata rows on first use; it returns how many
// entries newly got the label.
func (s Labels) Apply(ctx context.Context, labelID int64, entryIDs ...int64) (int, error) {
	return s.l.attach(ctx, "label.apply", labelLink, labelID, entryIDs, true)
}

// Remove takes a label off entries; it returns how many entries lost it.
func (s Labels) Remove(ctx context.Context, labelID int64, entryIDs ...int64) (int, error) {
	return s.l.attach(ctx, "label.remove", labelLink, labelID, entryIDs, false)
}

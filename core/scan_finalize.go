package core

import (
	"context"
	"database/sql"
	"fmt"
)

// displacedRow is a row renamed "/<id>/<name>" during the walk.
type displacedRow struct {
	id, parent, inode, contentID, metadataID int64
	kind                                     Kind
	name                                     string
	size, mtime                              int64
}

// finalize settles what the walk left open: rows displaced from their names either moved to
// a place the walk visited earlier (a fresh row of this scan with the same inode) or are gone.
// Gone rows are deleted, but their user metadata is not dropped silently: it moves to another
// copy of the same content when there is one, and is reported either way.
func (s *scanner) finalize(ctx context.Context) error {
	const op = "location.scan"
	s.ck.Progress.Phase = "finalize"
	s.report(true)
	err := s.l.update(ctx, op, func(tx *sql.Tx) error {
		displaced, err := s.displacedRows(ctx, tx)
		if err != nil {
			return err
		}
		// Moves into directories the walk visited before it found the old name missing.
		want := map[int64]bool{}
		for _, d := range displaced {
			if d.kind != KindDirectory && d.inode != 0 {
				want[d.inode] = true
			}
		}
		freshByIno := map[int64]int64{}
		if len(want) > 0 {
			rows, err := tx.QueryContext(ctx, `SELECT id, inode FROM entries WHERE id > ? AND location_id = ? AND kind <> 1 AND inode IS NOT NULL`, s.ck.StartMaxID, s.loc.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, ino int64
				if err := rows.Scan(&id, &ino); err != nil {
					rows.Close()
					return err
				}
				if want[ino] {
					freshByIno[ino] = id
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, d := range displaced {
			if d.kind == KindDirectory {
				continue
			}
			fid, ok := freshByIno[d.inode]
			if !ok {
				continue
			}
			moved, err := s.takePlace(ctx, tx, d, fid)
			if err != nil {
				return err
			}
			if moved {
				delete(freshByIno, d.inode)
				d.id = 0 // settled
				s.ck.Progress.Moved++
				s.ck.Progress.Added--
			}
		}
		for _, d := range displaced {
			if d.id == 0 {
				continue
			}
			if err := s.removeDisplaced(ctx, tx, d); err != nil {
				return err
			}
		}
		// In the same transaction as the deletes that orphan them: a separate one let a
		// SIGKILL between the two leave content identities without entries, which Check
		// reports (TestScan_CrashDuringRescan, "kill after commit 3", about 1 run in 30).
		return s.deleteOrphans(ctx, tx)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ck.Orphans, s.ck.OrphansOverflow = nil, false
	s.mu.Unlock()
	return nil
}

func (s *scanner) displacedRows(ctx context.Context, tx *sql.Tx) ([]*displacedRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, parent_id, coalesce(inode, 0), coalesce(content_id, 0), coalesce(metadata_id, 0), kind, name, size, modified_at
FROM entries WHERE name >= '/' AND name < '0' AND location_id = ?`, s.loc.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*displacedRow
	for rows.Next() {
		d := &displacedRow{}
		if err := rows.Scan(&d.id, &d.parent, &d.inode, &d.contentID, &d.metadataID, &d.kind, &d.name, &d.size, &d.mtime); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// takePlace moves displaced row d to where fresh row fid is and deletes fid, so the entry
// keeps its id, UUID and metadata. The content id survives when size and mtime did.
func (s *scanner) takePlace(ctx context.Context, tx *sql.Tx, d *displacedRow, fid int64) (bool, error) {
	var parent, size, mtime int64
	var kind Kind
	var name string
	var ext, inode, perms, created, accessed, cid, nlink sql.NullInt64
	var extText sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT parent_id, name, extension, kind, size, inode, permissions, created_at, modified_at, accessed_at, content_id, nlink FROM entries WHERE id = ?`, fid).
		Scan(&parent, &name, &extText, &kind, &size, &inode, &perms, &created, &mtime, &accessed, &cid, &nlink)
	if err != nil || kind != d.kind {
		return false, err
	}
	_ = ext
	content := cid
	if d.size == size && d.mtime == mtime && d.contentID != 0 {
		content = sql.NullInt64{Int64: d.contentID, Valid: true}
	} else if d.contentID != 0 && d.contentID != cid.Int64 {
		s.orphanCandidate(d.contentID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, fid); err != nil {
		return false, err
	}
	// The moved file keeps what was known of it where this scan could not see it (NULL
	// permissions under WASI, no birth time): see updateRow. Its link count is the fresh
	// row's: this scan saw it wherever it saw the inode that matched the two rows.
	_, err = tx.ExecContext(ctx, `UPDATE entries SET parent_id = ?, name = ?, extension = ?, size = ?, inode = ?, permissions = coalesce(?, permissions),
 created_at = coalesce(?, created_at), modified_at = ?, accessed_at = ?, content_id = ?, nlink = ? WHERE id = ?`,
		parent, name, extText, size, inode, perms, created, mtime, accessed, content, nlink, d.id)
	return err == nil, err
}

// removeDisplaced deletes a displaced row and, for a directory, its subtree, first saving
// user metadata onto another copy of the same content where one exists.
func (s *scanner) removeDisplaced(ctx context.Context, tx *sql.Tx, d *displacedRow) error {
	where := `e.id = ?1`
	args := []any{d.id}
	if d.kind == KindDirectory {
		lo, hi := subtreeRange(d.name) // a displaced directory's path is its displaced name
		where = `e.id = ?1 OR e.parent_id = ?1 OR e.parent_id IN (SELECT id FROM entries WHERE location_id = ?2 AND path >= ?3 AND path < ?4)`
		args = append(args, s.loc.ID, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.metadata_id, coalesce(e.content_id, 0), e.name, e.parent_id FROM entries e WHERE e.metadata_id IS NOT NULL AND (`+where+`)`, args...)
	if err != nil {
		return err
	}
	type kept struct{ id, meta, content, parent int64 }
	var withMeta []kept
	var names []string
	for rows.Next() {
		var k kept
		var name string
		if err := rows.Scan(&k.id, &k.meta, &k.content, &name, &k.parent); err != nil {
			rows.Close()
			return err
		}
		withMeta = append(withMeta, k)
		names = append(names, originalName(name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, k := range withMeta {
		var target int64
		if k.content != 0 {
			// Another copy that stays: not displaced itself, not inside a displaced directory.
			err := tx.QueryRowContext(ctx, `SELECT e.id FROM entries e JOIN entries p ON p.id = e.parent_id
WHERE e.content_id = ? AND e.metadata_id IS NULL AND substr(e.name, 1, 1) <> '/' AND substr(p.path, 1, 1) <> '/' LIMIT 1`, k.content).Scan(&target)
			if err != nil && err != sql.ErrNoRows {
				return err
			}
		}
		if target != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET metadata_id = NULL WHERE id = ?; `, k.id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET metadata_id = ? WHERE id = ?`, k.meta, target); err != nil {
				return err
			}
			s.warn("%s was deleted; its tags, labels and notes now belong to %s, a copy of the same content", names[i], s.entryPath(ctx, tx, target))
		} else {
			s.warn("%s was deleted with its tags, labels and notes (no other copy of its content is indexed)", names[i])
			if _, err := tx.ExecContext(ctx, `DELETE FROM user_metadata WHERE id = ?`, k.meta); err != nil {
				return err
			}
		}
	}
	// Content ids of what goes may become orphans.
	crow, err := tx.QueryContext(ctx, `SELECT DISTINCT e.content_id FROM entries e WHERE e.content_id IS NOT NULL AND (`+where+`)`, args...)
	if err != nil {
		return err
	}
	for crow.Next() {
		var cid int64
		if err := crow.Scan(&cid); err != nil {
			crow.Close()
			return err
		}
		s.orphanCandidate(cid)
	}
	crow.Close()
	if d.kind == KindDirectory {
		lo, hi := subtreeRange(d.name)
		res, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE parent_id IN (SELECT id FROM entries WHERE location_id = ?1 AND path >= ?2 AND path < ?3) OR parent_id = ?4`,
			s.loc.ID, lo, hi, d.id)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		s.ck.Progress.Removed += n
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE id = ?`, d.id); err != nil {
		return err
	}
	s.ck.Progress.Removed++
	return nil
}

func (s *scanner) entryPath(ctx context.Context, tx *sql.Tx, id int64) string {
	var name string
	var parentPath sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT e.name, p.path FROM entries e LEFT JOIN entries p ON p.id = e.parent_id WHERE e.id = ?`, id).Scan(&name, &parentPath); err != nil {
		return fmt.Sprintf("entry %d", id)
	}
	return joinPath(s.loc.Path, parentPath.String, name)
}

// deleteOrphans removes content identities that lost their last entry in this scan.
func (s *scanner) deleteOrphans(ctx context.Context, tx *sql.Tx) error {
	if s.ck.OrphansOverflow {
		return deleteOrphanContent(ctx, tx)
	}
	for _, id := range s.ck.Orphans {
		if _, err := tx.ExecContext(ctx, `DELETE FROM content_identity WHERE id = ? AND NOT EXISTS (SELECT 1 FROM entries WHERE content_id = ?)`, id, id); err != nil {
			return err
		}
	}
	return nil // the caller forgets the candidates once the transaction has committed
}

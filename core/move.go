package core

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
)

// Move renames or moves the file, symlink or directory at the absolute path src to the
// absolute path dst, on disk and in the index, as one step.
//
// The entry keeps its id, UUID and user metadata (tags, labels, notes): it is the same file
// under a new name. For a directory, only directory rows change — its own and its
// descendant directories' path prefix, one range of entries_dir_path; files point to their
// directory by parent_id and are not touched, so moving 100k entries rewrites a few thousand
// rows.
//
// Refused, with nothing changed:
//   - dst exists, on disk or in the index: [ErrConflict] (never an overwrite; on Linux the
//     disk rename itself is RENAME_NOREPLACE, so a file appearing meanwhile is not lost);
//   - src and dst on different filesystems (rename(2) fails with EXDEV), dst's directory in
//     another location, a directory into itself, a location root: [ErrInvalid];
//   - src or dst's directory not in the index, or src gone from disk: [ErrNotFound].
//
// Order of work: the index is updated inside a write transaction, then the disk rename runs,
// then the transaction commits. A failed rename rolls the transaction back; a failed commit
// renames the file back, so disk and index agree whichever step fails.
func (s Entries) Move(ctx context.Context, src, dst string) (Entry, error) {
	const op = "entry.move"
	if !filepath.IsAbs(src) {
		return Entry{}, errInvalid(op, "src", "must be an absolute path, got %q", src)
	}
	if !filepath.IsAbs(dst) {
		return Entry{}, errInvalid(op, "dst", "must be an absolute path, got %q", dst)
	}
	src, dst = filepath.Clean(src), filepath.Clean(dst)
	name := filepath.Base(dst)
	if !ValidName(name) {
		return Entry{}, errInvalid(op, "dst", "%q is not a valid name", name)
	}
	srcID, err := s.l.resolvePath(ctx, op, src)
	if err != nil {
		return Entry{}, err
	}
	dstParent, err := s.l.resolvePath(ctx, op, filepath.Dir(dst))
	if err != nil {
		return Entry{}, &Error{Op: op, Field: "dst", Err: fmt.Errorf("destination directory: %w", err)}
	}
	renamed := false
	var mv *diskMove
	defer func() { mv.close() }()
	err = s.l.update(ctx, op, func(tx *sql.Tx) error {
		var from, to struct {
			loc     int64
			parent  sql.NullInt64
			kind    Kind
			name    string
			dirPath sql.NullString
		}
		const q = `SELECT location_id, parent_id, kind, name, path FROM entries WHERE id = ?`
		if err := tx.QueryRowContext(ctx, q, srcID).Scan(&from.loc, &from.parent, &from.kind, &from.name, &from.dirPath); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, q, dstParent).Scan(&to.loc, &to.parent, &to.kind, &to.name, &to.dirPath); err != nil {
			return err
		}
		switch {
		case !from.parent.Valid:
			return errInvalid(op, "src", "%s is a location root; it cannot be moved", src)
		case to.kind != KindDirectory:
			return errInvalid(op, "dst", "%s is not a directory", filepath.Dir(dst))
		case to.loc != from.loc:
			return errInvalid(op, "dst", "%s is in another location; moves stay within one location", dst)
		case from.kind == KindDirectory && (to.dirPath.String == from.dirPath.String || strings.HasPrefix(to.dirPath.String, from.dirPath.String+"/")):
			return errInvalid(op, "dst", "cannot move a directory into itself")
		}
		if from.parent.Int64 == dstParent && from.name == name {
			return nil // already there
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM entries WHERE parent_id = ? AND name = ?`, dstParent, name).Scan(&one)
		if err == nil {
			return errConflict(op, fmt.Sprintf("%s already exists in the index", dst))
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var ext any
		if from.kind != KindDirectory {
			ext = nullString(ExtensionOf(name))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE entries SET parent_id = ?, name = ?, extension = ? WHERE id = ?`, dstParent, name, ext, srcID); err != nil {
			return err
		}
		if from.kind == KindDirectory {
			oldPath := from.dirPath.String
			newPath := strings.TrimPrefix(to.dirPath.String+"/"+name, "/")
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET path = ? WHERE id = ?`, newPath, srcID); err != nil {
				return err
			}
			// Descendant directories: swap the prefix. Byte arithmetic on BLOBs (substr and
			// length count characters on TEXT, which is wrong for names that are not UTF-8);
			// '||' turns the result back into TEXT with the same bytes.
			lo, hi := subtreeRange(oldPath)
			if _, err := tx.ExecContext(ctx, `UPDATE entries SET path = ?1 || substr(CAST(path AS BLOB), ?2)
WHERE location_id = ?3 AND path >= ?4 AND path < ?5 AND path IS NOT NULL`, newPath, len(oldPath)+1, from.loc, lo, hi); err != nil {
				return err
			}
		}
		var root string
		var ino sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT l.path, e.inode FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.id = ?`, srcID).Scan(&root, &ino); err != nil {
			return err
		}
		if from.kind == KindDirectory {
			// A directory is checked by the symlink-free open of its parent only: one
			// swapped in under its name was made by someone who can write there, inside the
			// location, and moving it moves nothing of anyone else's. A file is another
			// matter (a hard link planted to a file outside), so its inode must match.
			ino = sql.NullInt64{}
		}
		mv.close()
		if mv, err = prepareMove(root, src, dst, uint64(max(ino.Int64, 0))); err != nil {
			return moveError(op, src, dst, err)
		}
		if err := mv.rename(); err != nil {
			return moveError(op, src, dst, err)
		}
		renamed = true
		return nil
	})
	if err != nil && renamed {
		// The commit failed after the disk rename: put the file back so disk and index agree.
		if rerr := mv.undo(); rerr != nil {
			return Entry{}, &Error{Op: op, Err: fmt.Errorf("%w: index update failed (%v) and renaming %s back to %s failed too: %v; rescan the location",
				ErrInternal, err, dst, src, rerr)}
		}
	}
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, srcID)
}

// moveError classifies a failed rename.
func moveError(op, src, dst string, err error) error {
	var ce *Error
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, ErrInvalid):
		return &Error{Op: op, Field: "src", Err: err}
	case errors.Is(err, syscall.EXDEV):
		return errInvalid(op, "dst", "%s and %s are on different filesystems; a move cannot cross devices (copy, then delete)", src, dst)
	case errors.Is(err, fs.ErrExist), errors.Is(err, syscall.ENOTEMPTY):
		return errConflict(op, fmt.Sprintf("%s already exists", dst))
	case errors.Is(err, fs.ErrNotExist):
		return errNotFound(op, fmt.Sprintf("%s is not on disk any more (the index is stale; rescan): %v", src, err))
	case errors.Is(err, syscall.ENOSYS):
		// A WASI host that gives the two directories as two preopens has no rename between
		// them (the CLI mounts their common directory).
		return errInvalid(op, "dst", "this engine cannot move %s to %s: the two directories are separate mounts of the WASI sandbox; mount a directory holding both", src, dst)
	case errors.Is(err, fs.ErrPermission):
		return &Error{Op: op, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	return err
}

// renameChecked is the portable rename without overwrite: check, then rename. A file that
// appears between the two is overwritten; renameNoReplace closes that window where the
// platform can.
func renameChecked(src, dst string) error {
	if _, err := lstat(dst); err == nil {
		return &fs.PathError{Op: "rename", Path: dst, Err: fs.ErrExist}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return rename(src, dst)
}

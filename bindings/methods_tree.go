package bindings

import (
	"context"
	"errors"

	"github.com/filedex/filedex/core"
)

func init() {
	register("tree.stats", treeStats)
	register("tree.usage", treeUsage)
	register("tree.large_files", treeLargeFiles)
	register("duplicates.find", duplicatesFind)
}

// TreeStatsParams are the params of tree.stats.
type TreeStatsParams struct {
	Path string `json:"path,omitempty"`
	// PathB64 is Path as exact bytes (base64), for a directory whose path is not UTF-8.
	PathB64 string `json:"path_b64,omitempty"`
}

// Validate implements the params check of [register].
func (p *TreeStatsParams) Validate() error {
	if p.Path == "" && p.PathB64 == "" {
		return InvalidParams("path", "required")
	}
	return nil
}

func treeStats(ctx context.Context, s *Session, p TreeStatsParams) (core.TreeStats, error) {
	e, err := EntryRef{Path: p.Path, PathB64: p.PathB64}.get(ctx, s)
	if err != nil {
		return core.TreeStats{}, err
	}
	return s.lib.Entries().Stats(ctx, e.ID)
}

// TreeUsageParams are the params of tree.usage: the sizes of a directory's
// subtree down to Depth levels, and its Top largest files (0: none).
type TreeUsageParams struct {
	Path string `json:"path,omitempty"`
	// PathB64 is Path as exact bytes (base64), for a directory whose path is not UTF-8.
	PathB64 string `json:"path_b64,omitempty"`
	Depth   int    `json:"depth,omitempty"`
	Top     int    `json:"top,omitempty"`
}

// Validate implements the params check of [register].
func (p *TreeUsageParams) Validate() error {
	switch {
	case p.Path == "" && p.PathB64 == "":
		return InvalidParams("path", "required")
	case p.Depth < 0:
		return InvalidParams("depth", "must be ≥ 0")
	case p.Top < 0:
		return InvalidParams("top", "must be ≥ 0")
	}
	return nil
}

// TreeUsage is the result of tree.usage: directories in path order (depth 0
// is the one asked about) and, when asked, the largest files below it.
type TreeUsage struct {
	Dirs    []core.DirUsage `json:"dirs"`
	Largest []core.Entry    `json:"largest"`
}

func treeUsage(ctx context.Context, s *Session, p TreeUsageParams) (TreeUsage, error) {
	path, err := pathParam("path_b64", p.Path, p.PathB64)
	if err != nil {
		return TreeUsage{}, err
	}
	path, err = s.Path(path)
	if err != nil {
		return TreeUsage{}, err
	}
	dirs, err := s.lib.Usage().Tree(ctx, path, p.Depth)
	if err != nil {
		return TreeUsage{}, renameField(err, "under", "path")
	}
	out := TreeUsage{Dirs: dirs, Largest: []core.Entry{}}
	if p.Top > 0 {
		if out.Largest, err = s.lib.Usage().Largest(ctx, path, p.Top); err != nil {
			return TreeUsage{}, renameField(err, "under", "path")
		}
	}
	return out, nil
}

// renameField reports a core error about its parameter from as one about the
// request member to: data.field must name a member the client sent (the core
// calls tree.usage's directory "under", the method's params call it "path").
func renameField(err error, from, to string) error {
	var ce *core.Error
	if errors.As(err, &ce) && ce.Field == from {
		c := *ce
		c.Field = to
		return &c
	}
	return err
}

// TreeLargeFilesParams are the params of tree.large_files: directories
// holding files of at least MinSize bytes, largest total first.
type TreeLargeFilesParams struct {
	MinSize int64 `json:"min_size"`
	Limit   int   `json:"limit,omitempty"`
}

// Validate implements the params check of [register]: a negative limit was taken (as
// "no limit"), which is not what the client wrote.
func (p *TreeLargeFilesParams) Validate() error {
	if p.Limit < 0 {
		return InvalidParams("limit", "must not be negative, got %d", p.Limit)
	}
	return nil
}

// TreeLargeFiles is the result of tree.large_files.
type TreeLargeFiles struct {
	Dirs []core.DirUsage `json:"dirs"`
}

func treeLargeFiles(ctx context.Context, s *Session, p TreeLargeFilesParams) (TreeLargeFiles, error) {
	dirs, err := s.lib.Usage().LargeFiles(ctx, p.MinSize, p.Limit)
	return TreeLargeFiles{Dirs: dirs}, err
}

// DuplicatesFindParams are the params of duplicates.find.
type DuplicatesFindParams struct {
	core.DupesQuery
	// UnderB64 is Under as exact bytes (base64), for a directory whose path is not UTF-8.
	UnderB64 string `json:"under_b64,omitempty"`
	core.Page
}

func duplicatesFind(ctx context.Context, s *Session, p DuplicatesFindParams) (core.DupesResult, error) {
	if p.UnderB64 != "" {
		u, err := pathParam("under_b64", p.Under, p.UnderB64)
		if err != nil {
			return core.DupesResult{}, err
		}
		p.Under = u
	}
	if p.Under != "" {
		under, err := s.Path(p.Under)
		if err != nil {
			return core.DupesResult{}, err
		}
		p.Under = under
	}
	res, err := s.lib.Duplicates().Groups(ctx, p.DupesQuery, p.Page)
	if res.Groups == nil {
		res.Groups = []core.DupGroup{}
	}
	return res, err
}

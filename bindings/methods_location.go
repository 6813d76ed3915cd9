package bindings

import (
	"context"

	"github.com/filedex/filedex/core"
)

func init() {
	register("location.add", locationAdd)
	register("location.list", locationList)
	register("location.remove", locationRemove)
}

// LocationAddParams are the params of location.add.
type LocationAddParams struct {
	Path   string         `json:"path"`
	Name   string         `json:"name,omitempty"`
	Mode   core.IndexMode `json:"mode,omitempty"`
	Ignore []string       `json:"ignore,omitempty"`
}

// Validate implements the params check of [register].
func (p *LocationAddParams) Validate() error {
	if p.Path == "" {
		return InvalidParams("path", "required")
	}
	return nil
}

func locationAdd(ctx context.Context, s *Session, p LocationAddParams) (core.Location, error) {
	path, err := s.Path(p.Path)
	if err != nil {
		return core.Location{}, err
	}
	return s.lib.Locations().Create(ctx, core.LocationInput{Path: path, Name: p.Name, Mode: p.Mode, IgnoreGlobs: p.Ignore})
}

// LocationListParams are the params of location.list.
type LocationListParams struct {
	core.Page
}

// LocationList is the result of location.list. Next is the cursor of the
// next page, null after the last one.
type LocationList struct {
	Locations []core.Location `json:"locations"`
	Next      *string         `json:"next"`
}

func locationList(ctx context.Context, s *Session, p LocationListParams) (LocationList, error) {
	locs, next, err := s.lib.Locations().List(ctx, core.LocationFilter{}, p.Page)
	if err != nil {
		return LocationList{}, err
	}
	if locs == nil {
		locs = []core.Location{} // [] rather than null: clients iterate it
	}
	return LocationList{Locations: locs, Next: cursor(next)}, nil
}

// cursor turns the core's "" (no next page) into JSON null.
func cursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}

// LocationRef names a location by id or by path: exactly one of them.
type LocationRef struct {
	ID   int64  `json:"id,omitempty"`
	Path string `json:"path,omitempty"`
}

// Validate implements the params check of [register].
func (p *LocationRef) Validate() error {
	switch {
	case p.ID != 0 && p.Path != "":
		return InvalidParams("id", "give id or path, not both")
	case p.ID == 0 && p.Path == "":
		return InvalidParams("id", "id or path is required")
	}
	return nil
}

// resolve returns the location's id.
func (p LocationRef) resolve(ctx context.Context, s *Session) (int64, error) {
	if p.ID != 0 {
		return p.ID, nil
	}
	path, err := s.Path(p.Path)
	if err != nil {
		return 0, err
	}
	loc, err := s.lib.Locations().GetByPath(ctx, path)
	if err != nil {
		return 0, err
	}
	return loc.ID, nil
}

// Removed is the result of methods that delete something.
type Removed struct {
	Removed bool `json:"removed"`
}

func locationRemove(ctx context.Context, s *Session, p LocationRef) (Removed, error) {
	id, err := p.resolve(ctx, s)
	if err != nil {
		return Removed{}, err
	}
	if err := s.lib.Locations().Delete(ctx, id); err != nil {
		return Removed{}, err
	}
	return Removed{Removed: true}, nil
}

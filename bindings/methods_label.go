package bindings

import (
	"context"

	"github.com/filedex/filedex/core"
)

func init() {
	register("label.create", labelCreate)
	register("label.list", labelList)
	register("label.delete", labelDelete)
	register("label.apply", labelApply)
	register("label.remove", labelRemove)
}

// LabelCreateParams are the params of label.create. The parent is named by
// id or by name (its path "Work/Clients", or a bare name when unambiguous).
type LabelCreateParams struct {
	Name       string `json:"name"`
	Color      string `json:"color,omitempty"`
	ParentID   int64  `json:"parent_id,omitempty"`
	ParentName string `json:"parent,omitempty"`
}

// Validate implements the params check of [register].
func (p *LabelCreateParams) Validate() error {
	if p.ParentID != 0 && p.ParentName != "" {
		return InvalidParams("parent", "give parent or parent_id, not both")
	}
	return nil
}

func labelCreate(ctx context.Context, s *Session, p LabelCreateParams) (core.Label, error) {
	parent := p.ParentID
	if p.ParentName != "" {
		l, err := s.lib.Labels().GetByName(ctx, p.ParentName)
		if err != nil {
			return core.Label{}, err
		}
		parent = l.ID
	}
	return s.lib.Labels().Create(ctx, core.LabelInput{Name: p.Name, Color: p.Color, Parent: parent})
}

// LabelList is the result of label.list: every label, depth-first.
type LabelList struct {
	Labels []core.Label `json:"labels"`
}

func labelList(ctx context.Context, s *Session, _ NoParams) (LabelList, error) {
	ls, err := s.lib.Labels().List(ctx)
	return LabelList{Labels: ls}, err
}

// LabelRef names a label by id or by name (path or unambiguous bare name).
type LabelRef struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Validate implements the params check of [register].
func (p *LabelRef) Validate() error {
	if (p.ID != 0) == (p.Name != "") {
		return InvalidParams("name", "give id or name")
	}
	return nil
}

func (p LabelRef) resolve(ctx context.Context, s *Session) (int64, error) {
	if p.ID != 0 {
		return p.ID, nil
	}
	l, err := s.lib.Labels().GetByName(ctx, p.Name)
	return l.ID, err
}

func labelDelete(ctx context.Context, s *Session, p LabelRef) (Removed, error) {
	id, err := p.resolve(ctx, s)
	if err != nil {
		return Removed{}, err
	}
	if err := s.lib.Labels().Delete(ctx, id); err != nil {
		return Removed{}, err
	}
	return Removed{Removed: true}, nil
}

// LabelApplyParams are the params of label.apply and label.remove.
type LabelApplyParams = TagApplyParams

func labelApply(ctx context.Context, s *Session, p LabelApplyParams) (Changed, error) {
	return editRelation(ctx, s, p, LabelRef{ID: p.ID, Name: p.Name}.resolve, s.lib.Labels().Apply)
}

func labelRemove(ctx context.Context, s *Session, p LabelApplyParams) (Changed, error) {
	return editRelation(ctx, s, p, LabelRef{ID: p.ID, Name: p.Name}.resolve, s.lib.Labels().Remove)
}

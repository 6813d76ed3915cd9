package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequestsAreTyped: the CLI sends the method table's own params types (bindings), so a
// renamed or retyped member fails to compile instead of failing at run time. An untyped map
// literal would hide that, so none may appear in the command's files.
func TestRequestsAreTyped(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if m, ok := n.(*ast.MapType); ok {
				if k, ok := m.Key.(*ast.Ident); ok && k.Name == "string" {
					if v, ok := m.Value.(*ast.Ident); ok && v.Name == "any" {
						t.Errorf("%s: map[string]any: use the method's params or result type from bindings", fset.Position(m.Pos()))
					}
				}
			}
			return true
		})
	}
}

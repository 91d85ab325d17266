package main

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// source is the type-checked code the references are generated from: the configuration
// types, their doc comments and the functions that read the keys.
type source struct {
	fset *token.FileSet
	pkgs map[string]*packages.Package // by import path
	// fields maps a struct field's position (its name, or its type when embedded) to its
	// declaration, for the doc comment.
	fields map[token.Pos]*ast.Field
}

const modulePath = "github.com/releasegate/releasegate"

// sourcePackages are the packages holding the configuration types and their readers.
var sourcePackages = []string{
	modulePath + "/gate",
	modulePath + "/bot/triage",
	modulePath + "/ownership",
	modulePath + "/internal/sentryconf",
	modulePath + "/internal/serveconf",
}

// loadSource type-checks sourcePackages from the module at root.
func loadSource(root string) (*source, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedFiles,
		Dir:  root,
	}
	pkgs, err := packages.Load(cfg, sourcePackages...)
	if err != nil {
		return nil, fmt.Errorf("loading the configuration packages: %w", err)
	}
	s := &source{pkgs: map[string]*packages.Package{}, fields: map[token.Pos]*ast.Field{}}
	var errs []error
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, e)
		}
		s.fset = p.Fset
		s.pkgs[p.PkgPath] = p
		for _, f := range p.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				st, ok := n.(*ast.StructType)
				if !ok {
					return true
				}
				for _, fd := range st.Fields.List {
					if len(fd.Names) == 0 {
						s.fields[embeddedPos(fd.Type)] = fd
					}
					for _, name := range fd.Names {
						s.fields[name.Pos()] = fd
					}
				}
				return true
			})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("loading the configuration packages: %w", errors.Join(errs...))
	}
	return s, nil
}

// embeddedPos is the position go/types gives an embedded field: its type name's.
func embeddedPos(e ast.Expr) token.Pos {
	switch t := e.(type) {
	case *ast.StarExpr:
		return embeddedPos(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Pos()
	}
	return e.Pos()
}

// lookup is the named type name of the package at path.
func (s *source) lookup(path, name string) (*types.Named, error) {
	p, ok := s.pkgs[path]
	if !ok {
		return nil, fmt.Errorf("package %s is not loaded", path)
	}
	obj := p.Types.Scope().Lookup(name)
	if obj == nil {
		return nil, fmt.Errorf("%s.%s does not exist (renamed? update scripts/gen-docs)", path, name)
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		return nil, fmt.Errorf("%s.%s is not a named type", path, name)
	}
	return named, nil
}

// fieldDoc is the doc comment of a struct field (the comment above it, else the one after it
// on its line), as one paragraph.
func (s *source) fieldDoc(f *types.Var) string {
	fd, ok := s.fields[f.Pos()]
	if !ok {
		return ""
	}
	if fd.Doc != nil {
		return paragraph(fd.Doc.Text())
	}
	if fd.Comment != nil {
		return paragraph(fd.Comment.Text())
	}
	return ""
}

// funcDecl is the declaration of the function or method name in the package at path
// ("Load", or "loader.model" for a method).
func (s *source) funcDecl(path, name string) (*ast.FuncDecl, *packages.Package, error) {
	p, ok := s.pkgs[path]
	if !ok {
		return nil, nil, fmt.Errorf("package %s is not loaded", path)
	}
	recv, fn, isMethod := strings.Cut(name, ".")
	if !isMethod {
		fn, recv = recv, ""
	}
	for _, f := range p.Syntax {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Name.Name != fn {
				continue
			}
			if recvName(fd) == recv {
				return fd, p, nil
			}
		}
	}
	return nil, nil, fmt.Errorf("%s: no function %s (renamed? update scripts/gen-docs)", path, name)
}

func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// commentAbove is the comment group that ends on the line just above pos in the file of
// pkg, as one paragraph ("" if none).
func (s *source) commentAbove(pkg *packages.Package, pos token.Pos) string {
	line := s.fset.Position(pos).Line
	file := s.fset.File(pos)
	for _, f := range pkg.Syntax {
		if s.fset.File(f.Pos()) != file {
			continue
		}
		for _, cg := range f.Comments {
			if s.fset.Position(cg.End()).Line == line-1 {
				return paragraph(cg.Text())
			}
		}
	}
	return ""
}

// paragraph joins a comment's lines into one.
func paragraph(text string) string {
	return strings.Join(strings.Fields(text), " ")
}

// moduleRoot is the folder of go.mod, from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run go run ./scripts/gen-docs from the repository")
		}
		dir = parent
	}
}

package main

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// propertyKey is one sentry.properties key and the comment above the code that reads it,
// written "key: description".
type propertyKey struct {
	Key, Doc string
}

// sentryPropertiesKeys lists the keys of sentry.properties: those internal/sentryconf reads
// for the connection, those ownership.LoadConfig reads, and the sentry-cli keys LoadConfig
// accepts without reading.
func sentryPropertiesKeys(src *source) (connection, ownership []propertyKey, ignored []string, err error) {
	fd, pkg, err := src.funcDecl(modulePath+"/internal/sentryconf", "readProperties")
	if err != nil {
		return nil, nil, nil, err
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || err != nil {
			return err == nil
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "get" || len(call.Args) != 1 {
			return true
		}
		key, ok := stringValue(pkg, call.Args[0])
		if !ok {
			err = fmt.Errorf("%s: get's argument is not a constant", src.fset.Position(call.Pos()))
			return false
		}
		var k propertyKey
		if k, err = keyDoc(src, pkg, call.Pos(), key, false); err == nil {
			connection = append(connection, k)
		}
		return false
	})
	if err != nil {
		return nil, nil, nil, err
	}

	fd, pkg, err = src.funcDecl(modulePath+"/ownership", "LoadConfig")
	if err != nil {
		return nil, nil, nil, err
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		clause, ok := n.(*ast.CaseClause)
		if !ok || err != nil {
			return err == nil
		}
		for _, e := range clause.List {
			key, prefix, found := ownershipCaseKey(pkg, e)
			if !found {
				continue
			}
			var k propertyKey
			if k, err = keyDoc(src, pkg, clause.Pos(), key, prefix); err != nil {
				return false
			}
			ownership = append(ownership, k)
		}
		return true
	})
	if err != nil {
		return nil, nil, nil, err
	}
	listed, err := stringSlice(src, modulePath+"/ownership", "ownershipKeys")
	if err != nil {
		return nil, nil, nil, err
	}
	for _, l := range listed {
		if !slices.ContainsFunc(ownership, func(k propertyKey) bool { return k.Key == l }) {
			return nil, nil, nil, fmt.Errorf("ownership: %s is in ownershipKeys but no case of LoadConfig's switch reads it with a comment above", l)
		}
	}
	cli, err := stringSlice(src, modulePath+"/ownership", "cliKeys")
	if err != nil {
		return nil, nil, nil, err
	}
	for _, c := range cli {
		if !slices.ContainsFunc(connection, func(k propertyKey) bool { return k.Key == c }) {
			ignored = append(ignored, c)
		}
	}
	for _, k := range connection {
		if !slices.Contains(cli, k.Key) {
			return nil, nil, nil, fmt.Errorf("sentryconf reads %s, but ownership.LoadConfig does not accept it (add it to cliKeys)", k.Key)
		}
	}
	return connection, ownership, ignored, nil
}

// ownershipCaseKey is the key a case of LoadConfig's switch compares with: e.Key == "x"
// (exact), or strings.HasPrefix(e.Key, "x.") (a prefix).
func ownershipCaseKey(pkg *packages.Package, e ast.Expr) (key string, prefix, found bool) {
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op == token.EQL {
			if s, ok := stringValue(pkg, x.Y); ok && strings.HasPrefix(s, "ownership.") {
				return s, false, true
			}
		}
	case *ast.CallExpr:
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "HasPrefix" && len(x.Args) == 2 {
			if s, ok := stringValue(pkg, x.Args[1]); ok && strings.HasPrefix(s, "ownership.") {
				return s, true, true
			}
		}
	}
	return "", false, false
}

// keyDoc reads the "key: description" comment above pos. A prefix key's comment names its
// placeholder ("ownership.rule.<n>").
func keyDoc(src *source, pkg *packages.Package, pos token.Pos, key string, prefix bool) (propertyKey, error) {
	where := src.fset.Position(pos)
	c := src.commentAbove(pkg, pos)
	named, doc, ok := strings.Cut(c, ": ")
	switch {
	case !ok || doc == "":
		return propertyKey{}, fmt.Errorf("%s: the code reading %s has no comment above it written \"%s: what it means\"; the reference is generated from it", where, key, key)
	case !prefix && named != key,
		prefix && !(strings.HasPrefix(named, key+"<") && strings.HasSuffix(named, ">")):
		return propertyKey{}, fmt.Errorf("%s: the comment above the code reading %s describes %q", where, key, named)
	}
	return propertyKey{Key: named, Doc: doc}, nil
}

// stringValue is the constant string value of e.
func stringValue(pkg *packages.Package, e ast.Expr) (string, bool) {
	tv, ok := pkg.TypesInfo.Types[e]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return "", false
	}
	return constant.StringVal(tv.Value), true
}

// stringSlice is the elements of the package-level []string literal name.
func stringSlice(src *source, path, name string) ([]string, error) {
	pkg := src.pkgs[path]
	for _, f := range pkg.Syntax {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gd.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, n := range vs.Names {
					if n.Name != name || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.CompositeLit)
					if !ok {
						return nil, fmt.Errorf("%s.%s is not a literal", path, name)
					}
					var out []string
					for _, el := range lit.Elts {
						s, ok := stringValue(pkg, el)
						if !ok {
							return nil, fmt.Errorf("%s.%s holds a value that is not a constant string", path, name)
						}
						out = append(out, s)
					}
					return out, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("%s: no variable %s (renamed? update scripts/gen-docs)", path, name)
}

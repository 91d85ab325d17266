package main

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/tools/go/packages"
)

// envVar is one RELEASEGATE_* variable of the service.
type envVar struct {
	Name, Flag, Default, Doc string
	// Secret says the value may instead be read from the file Name_FILE names.
	Secret bool
}

// serveEnvVars lists the variables serveconf reads (Load and the model suggester's loader),
// each described by the doc comment of the Config field it fills.
func serveEnvVars(src *source) ([]envVar, error) {
	var out []envVar
	for _, fn := range []string{"Load", "loader.model"} {
		fd, pkg, err := src.funcDecl(modulePath+"/internal/serveconf", fn)
		if err != nil {
			return nil, err
		}
		vars, err := envVarsIn(src, pkg, fd)
		if err != nil {
			return nil, err
		}
		out = append(out, vars...)
	}
	return out, nil
}

// envVarsIn finds the calls l.plain(flag, "VAR", default), l.secretOr(flag, "VAR", default),
// l.secret("VAR") and l.getenv("VAR") in fd, and the struct field each one's value goes to.
func envVarsIn(src *source, pkg *packages.Package, fd *ast.FuncDecl) ([]envVar, error) {
	var out []envVar
	var err error
	var stack []ast.Node
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if err != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || !slices.Contains([]string{"plain", "secretOr", "secret", "getenv"}, sel.Sel.Name) {
			return true
		}
		v := envVar{Secret: sel.Sel.Name == "secret" || sel.Sel.Name == "secretOr"}
		nameArg := 0
		if sel.Sel.Name == "plain" || sel.Sel.Name == "secretOr" {
			nameArg = 1
			if flag, ok := call.Args[0].(*ast.SelectorExpr); ok {
				v.Flag = "--" + kebab(flag.Sel.Name)
			}
			if d, ok := stringValue(pkg, call.Args[2]); ok {
				v.Default = d
			}
		}
		name, ok := stringValue(pkg, call.Args[nameArg])
		if !ok || !strings.HasPrefix(name, "RELEASEGATE_") {
			return true
		}
		v.Name = name
		field := assignedField(pkg, stack)
		if field == nil {
			err = fmt.Errorf("%s: cannot tell which Config field %s fills", src.fset.Position(call.Pos()), name)
			return false
		}
		if v.Doc = plainDoc(src.fieldDoc(field), field.Name()); v.Doc == "" {
			err = fmt.Errorf("%s: the field %s that %s fills has no doc comment; the reference is generated from it", src.fset.Position(field.Pos()), field.Name(), name)
			return false
		}
		if v.Default == "" {
			v.Default = literalValue(pkg, fd, field)
		}
		out = append(out, v)
		return true
	})
	return out, err
}

// assignedField is the struct field the innermost call of stack fills: the key of the
// composite literal element it is in, the field it is assigned to, or, for a value read in an
// if statement's init, the field the if's body assigns.
func assignedField(pkg *packages.Package, stack []ast.Node) *types.Var {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok {
				if f, ok := pkg.TypesInfo.Uses[id].(*types.Var); ok && f.IsField() {
					return f
				}
			}
		case *ast.AssignStmt:
			if f := selectedField(pkg, n.Lhs[0]); f != nil {
				return f
			}
		case *ast.IfStmt:
			var found *types.Var
			ast.Inspect(n.Body, func(b ast.Node) bool {
				if as, ok := b.(*ast.AssignStmt); ok && found == nil {
					found = selectedField(pkg, as.Lhs[0])
				}
				return found == nil
			})
			return found
		}
	}
	return nil
}

func selectedField(pkg *packages.Package, e ast.Expr) *types.Var {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	if s, ok := pkg.TypesInfo.Selections[sel]; ok {
		if f, ok := s.Obj().(*types.Var); ok && f.IsField() {
			return f
		}
	}
	return nil
}

// literalValue is the constant fd's composite literals give field ("" if none): the default
// of a variable read apart from the literal (RELEASEGATE_MODEL_DAILY_BUDGET).
func literalValue(pkg *packages.Package, fd *ast.FuncDecl, field *types.Var) string {
	value := ""
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok || value != "" {
			return value == ""
		}
		if id, ok := kv.Key.(*ast.Ident); ok && pkg.TypesInfo.Uses[id] == field {
			if tv, ok := pkg.TypesInfo.Types[kv.Value]; ok && tv.Value != nil {
				value = tv.Value.ExactString()
			}
		}
		return true
	})
	return value
}

// kebab writes a Go field name as a flag name: PublicURL is public-url.
func kebab(name string) string {
	var b strings.Builder
	runes := []rune(name)
	for i, r := range runes {
		if unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || i+1 < len(runes) && unicode.IsLower(runes[i+1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

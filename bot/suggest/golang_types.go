package suggest

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// What the Go rules know about types comes from the file alone: its declarations, the
// parameters and results of its functions, and what its variables are assigned. No type
// checker runs (the package's other files and its dependencies are not at hand), so a type
// the file does not spell is unknown, and a rule that needs it abstains.

// goKind is the shape of a type, as far as a guard needs it.
type goKind int

const (
	kindUnknown goKind = iota
	kindPointer
	kindInterface
	kindFunc
	kindMap
	kindSlice
	kindArray
	kindChan
	kindString
	kindNumber
	kindBool
	kindStruct
)

// nilable says whether a value of the kind can be nil.
func (k goKind) nilable() bool {
	switch k {
	case kindPointer, kindInterface, kindFunc, kindMap, kindSlice, kindChan:
		return true
	}
	return false
}

var goNumberTypes = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "complex64": true, "complex128": true, "byte": true, "rune": true,
}

// goStdResults are the result types of a few standard library functions whose values are
// commonly indexed or dereferenced; other packages' functions are unknown.
var goStdResults = map[string][]string{
	"strings.Split": {"[]string"}, "strings.SplitN": {"[]string"}, "strings.SplitAfter": {"[]string"},
	"strings.Fields": {"[]string"}, "bytes.Split": {"[][]byte"}, "bytes.Fields": {"[][]byte"},
	"strings.Index": {"int"}, "strings.LastIndex": {"int"}, "strings.IndexByte": {"int"},
	"strings.Count": {"int"}, "strconv.Atoi": {"int", "error"}, "errors.New": {"error"},
	"fmt.Errorf": {"error"}, "fmt.Sprintf": {"string"}, "strings.TrimSpace": {"string"},
}

// goFile is a parsed Go file and its package-level declarations.
type goFile struct {
	fset    *token.FileSet
	file    *ast.File
	types   map[string]*ast.TypeSpec
	funcs   map[string]*ast.FuncDecl
	methods map[string]map[string]*ast.FuncDecl // receiver's type name → method name → declaration
	vars    map[string]goDecl                   // package-level variables
	imports map[string]string                   // local name → import path
}

// goDecl is a declared name: its type when spelled, else the value it was given (the idx'th
// of a tuple when one value gives several names).
type goDecl struct {
	name     string
	pos      token.Pos // where the name is declared
	from, to token.Pos // the scope the name is visible in
	typ      ast.Expr
	value    ast.Expr
	idx      int
	rangeOf  ast.Expr // a range statement's operand, for its key (idx 0) or value (idx 1)
	param    bool     // a parameter, receiver or result
}

func newGoFile(fset *token.FileSet, f *ast.File) *goFile {
	g := &goFile{fset: fset, file: f, types: map[string]*ast.TypeSpec{}, funcs: map[string]*ast.FuncDecl{},
		methods: map[string]map[string]*ast.FuncDecl{}, vars: map[string]goDecl{}, imports: map[string]string{}}
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		name := goImportName(p)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		g.imports[name] = p
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil || len(d.Recv.List) == 0 {
				g.funcs[d.Name.Name] = d
				continue
			}
			if t := receiverTypeName(d.Recv.List[0].Type); t != "" {
				if g.methods[t] == nil {
					g.methods[t] = map[string]*ast.FuncDecl{}
				}
				g.methods[t][d.Name.Name] = d
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					g.types[s.Name.Name] = s
				case *ast.ValueSpec:
					if d.Tok != token.VAR {
						continue
					}
					for i, n := range s.Names {
						gd := goDecl{name: n.Name, pos: n.Pos(), from: f.Pos(), to: f.End(), typ: s.Type}
						if s.Type == nil && len(s.Values) == len(s.Names) {
							gd.value = s.Values[i]
						} else if s.Type == nil && len(s.Values) == 1 {
							gd.value, gd.idx = s.Values[0], i
						}
						g.vars[n.Name] = gd
					}
				}
			}
		}
	}
	return g
}

// goImportName is the name a package is known by when imported without one: its path's
// last element, without a major-version suffix (".v3", "/v2") or a "go-" prefix.
func goImportName(p string) string {
	segs := strings.Split(p, "/")
	last := segs[len(segs)-1]
	if len(segs) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = segs[len(segs)-2]
	}
	if i := strings.Index(last, ".v"); i > 0 {
		last = last[:i]
	}
	last = strings.TrimPrefix(last, "go-")
	return strings.ReplaceAll(last, "-", "_")
}

func receiverTypeName(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// goScope is what is declared in one function: every name with the stretch of source it is
// visible in.
type goScope struct {
	g     *goFile
	decls []goDecl
}

// newGoScope collects the declarations of fn (its receiver, parameters, results and every
// name declared in its body, function literals included).
func newGoScope(g *goFile, fn *ast.FuncDecl) *goScope {
	s := &goScope{g: g}
	if fn.Body == nil {
		return s
	}
	s.params(fn.Recv, fn.Body)
	s.params(fn.Type.Params, fn.Body)
	s.params(fn.Type.Results, fn.Body)
	var stack []ast.Node
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		scope := ast.Node(fn.Body)
		for i := len(stack) - 1; i >= 0; i-- {
			if isScopeNode(stack[i]) {
				scope = stack[i]
				break
			}
		}
		stack = append(stack, n)
		switch n := n.(type) {
		case *ast.FuncLit:
			s.params(n.Type.Params, n.Body)
			s.params(n.Type.Results, n.Body)
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				return true
			}
			for i, l := range n.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok || id.Name == "_" {
					continue
				}
				d := goDecl{name: id.Name, pos: n.End(), from: n.End(), to: scope.End()}
				if len(n.Rhs) == len(n.Lhs) {
					d.value = n.Rhs[i]
				} else if len(n.Rhs) == 1 {
					d.value, d.idx = n.Rhs[0], i
				}
				s.decls = append(s.decls, d)
			}
		case *ast.DeclStmt:
			gd, ok := n.Decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				return true
			}
			for _, sp := range gd.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, id := range vs.Names {
					d := goDecl{name: id.Name, pos: n.End(), from: n.End(), to: scope.End(), typ: vs.Type}
					if vs.Type == nil && len(vs.Values) == len(vs.Names) {
						d.value = vs.Values[i]
					} else if vs.Type == nil && len(vs.Values) == 1 {
						d.value, d.idx = vs.Values[0], i
					}
					s.decls = append(s.decls, d)
				}
			}
		case *ast.RangeStmt:
			if n.Tok != token.DEFINE {
				return true
			}
			for i, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
					s.decls = append(s.decls, goDecl{name: id.Name, pos: n.X.End(), from: n.X.End(), to: n.End(), rangeOf: n.X, idx: i})
				}
			}
		case *ast.TypeSwitchStmt:
			s.typeSwitch(n)
		}
		return true
	})
	return s
}

func isScopeNode(n ast.Node) bool {
	switch n.(type) {
	case *ast.BlockStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt,
		*ast.TypeSwitchStmt, *ast.CaseClause, *ast.CommClause, *ast.FuncLit:
		return true
	}
	return false
}

func (s *goScope) params(fl *ast.FieldList, body *ast.BlockStmt) {
	if fl == nil || body == nil {
		return
	}
	for _, f := range fl.List {
		typ := f.Type
		if e, ok := typ.(*ast.Ellipsis); ok {
			typ = &ast.ArrayType{Elt: e.Elt}
		}
		for _, n := range f.Names {
			s.decls = append(s.decls, goDecl{name: n.Name, pos: n.Pos(), from: body.Pos(), to: body.End(), typ: typ, param: true})
		}
	}
}

// typeSwitch declares `v` of `switch v := x.(type)` in each clause: the clause's type when it
// names one, else unknown.
func (s *goScope) typeSwitch(n *ast.TypeSwitchStmt) {
	as, ok := n.Assign.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 1 {
		return
	}
	id, ok := as.Lhs[0].(*ast.Ident)
	if !ok {
		return
	}
	for _, st := range n.Body.List {
		cc, ok := st.(*ast.CaseClause)
		if !ok {
			continue
		}
		d := goDecl{name: id.Name, pos: cc.Colon, from: cc.Colon, to: cc.End()}
		if len(cc.List) == 1 {
			d.typ = cc.List[0]
		}
		s.decls = append(s.decls, d)
	}
}

// lookup finds the declaration of name visible at pos: the innermost one declared before it.
// ok is false when the function does not declare it (a package-level name, or unknown).
func (s *goScope) lookup(name string, pos token.Pos) (goDecl, bool) {
	var best goDecl
	found := false
	for _, d := range s.decls {
		if d.name != name || pos < d.from || pos >= d.to || d.pos > pos {
			continue
		}
		if !found || d.from >= best.from {
			best, found = d, true
		}
	}
	return best, found
}

// isPackage says whether the identifier at pos names an imported package.
func (s *goScope) isPackage(name string, pos token.Pos) bool {
	if _, local := s.lookup(name, pos); local {
		return false
	}
	if _, v := s.g.vars[name]; v {
		return false
	}
	_, ok := s.g.imports[name]
	return ok
}

// typeOf is the type of e at pos as the file spells it, or nil when unknown.
func (s *goScope) typeOf(e ast.Expr, pos token.Pos) ast.Expr { return s.typeOfDepth(e, pos, 0, 0) }

func (s *goScope) typeOfDepth(e ast.Expr, pos token.Pos, idx, depth int) ast.Expr {
	if depth > 12 {
		return nil
	}
	depth++
	switch x := e.(type) {
	case *ast.ParenExpr:
		return s.typeOfDepth(x.X, pos, idx, depth)
	case *ast.Ident:
		return s.identType(x.Name, pos, depth)
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT:
			return ast.NewIdent("int")
		case token.FLOAT:
			return ast.NewIdent("float64")
		case token.STRING:
			return ast.NewIdent("string")
		case token.CHAR:
			return ast.NewIdent("rune")
		}
	case *ast.CompositeLit:
		return x.Type
	case *ast.FuncLit:
		return x.Type
	case *ast.UnaryExpr:
		switch x.Op {
		case token.AND:
			if t := s.typeOfDepth(x.X, pos, 0, depth); t != nil {
				return &ast.StarExpr{X: t}
			}
		case token.NOT:
			return ast.NewIdent("bool")
		case token.ARROW:
			if ct, ok := s.underlying(s.typeOfDepth(x.X, pos, 0, depth)).(*ast.ChanType); ok {
				if idx == 1 {
					return ast.NewIdent("bool")
				}
				return ct.Value
			}
		case token.SUB, token.ADD, token.XOR:
			return s.typeOfDepth(x.X, pos, 0, depth)
		}
	case *ast.StarExpr:
		if p, ok := s.underlying(s.typeOfDepth(x.X, pos, 0, depth)).(*ast.StarExpr); ok {
			return p.X
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ, token.LAND, token.LOR:
			return ast.NewIdent("bool")
		}
		if t := s.typeOfDepth(x.X, pos, 0, depth); t != nil {
			return t
		}
		return s.typeOfDepth(x.Y, pos, 0, depth)
	case *ast.TypeAssertExpr:
		if idx == 1 {
			return ast.NewIdent("bool")
		}
		return x.Type
	case *ast.IndexExpr:
		switch t := s.underlying(s.typeOfDepth(x.X, pos, 0, depth)).(type) {
		case *ast.MapType:
			if idx == 1 {
				return ast.NewIdent("bool")
			}
			return t.Value
		case *ast.ArrayType:
			return t.Elt
		case *ast.Ident:
			if t.Name == "string" {
				return ast.NewIdent("byte")
			}
		}
	case *ast.SliceExpr:
		t := s.typeOfDepth(x.X, pos, 0, depth)
		if at, ok := s.underlying(t).(*ast.ArrayType); ok && at.Len != nil {
			return &ast.ArrayType{Elt: at.Elt}
		}
		return t
	case *ast.SelectorExpr:
		return s.fieldType(x, pos, depth)
	case *ast.CallExpr:
		return s.callType(x, pos, idx, depth)
	}
	return nil
}

func (s *goScope) identType(name string, pos token.Pos, depth int) ast.Expr {
	d, ok := s.lookup(name, pos)
	if !ok {
		if d, ok = s.g.vars[name]; !ok {
			return nil
		}
	}
	if d.typ != nil {
		return d.typ
	}
	if d.rangeOf != nil {
		switch t := s.underlying(s.typeOfDepth(d.rangeOf, d.pos, 0, depth)).(type) {
		case *ast.ArrayType:
			if d.idx == 0 {
				return ast.NewIdent("int")
			}
			return t.Elt
		case *ast.MapType:
			if d.idx == 0 {
				return t.Key
			}
			return t.Value
		case *ast.ChanType:
			return t.Value
		case *ast.Ident:
			if t.Name == "string" {
				if d.idx == 0 {
					return ast.NewIdent("int")
				}
				return ast.NewIdent("rune")
			}
			if goNumberTypes[t.Name] {
				return t
			}
		}
		return nil
	}
	if d.value != nil {
		return s.typeOfDepth(d.value, d.pos, d.idx, depth)
	}
	return nil
}

// fieldType is the type of a selector: a field of a struct the file declares, or a method's
// value; nil when unknown.
func (s *goScope) fieldType(x *ast.SelectorExpr, pos token.Pos, depth int) ast.Expr {
	if id, ok := x.X.(*ast.Ident); ok && s.isPackage(id.Name, pos) {
		if id.Name == "os" && x.Sel.Name == "Args" && s.g.imports["os"] == "os" {
			return &ast.ArrayType{Elt: ast.NewIdent("string")}
		}
		return nil
	}
	t := s.typeOfDepth(x.X, pos, 0, depth)
	if p, ok := t.(*ast.StarExpr); ok {
		t = p.X
	}
	name := receiverTypeName(t)
	if name == "" {
		return nil
	}
	if ts, ok := s.g.types[name]; ok && ts.TypeParams == nil {
		if st, ok := ts.Type.(*ast.StructType); ok {
			for _, f := range st.Fields.List {
				for _, n := range f.Names {
					if n.Name == x.Sel.Name {
						return f.Type
					}
				}
			}
		}
	}
	if m, ok := s.g.methods[name][x.Sel.Name]; ok {
		return m.Type
	}
	return nil
}

func (s *goScope) callType(x *ast.CallExpr, pos token.Pos, idx, depth int) ast.Expr {
	fun := x.Fun
	if p, ok := fun.(*ast.ParenExpr); ok {
		fun = p.X
	}
	switch f := fun.(type) {
	case *ast.Ident:
		if _, local := s.lookup(f.Name, pos); !local {
			switch f.Name {
			case "new":
				if len(x.Args) == 1 {
					return &ast.StarExpr{X: x.Args[0]}
				}
			case "make":
				if len(x.Args) > 0 {
					return x.Args[0]
				}
			case "len", "cap", "copy":
				return ast.NewIdent("int")
			case "append":
				if len(x.Args) > 0 {
					return s.typeOfDepth(x.Args[0], pos, 0, depth)
				}
			}
			if goNumberTypes[f.Name] || f.Name == "string" || f.Name == "bool" {
				return f
			}
			if _, ok := s.g.types[f.Name]; ok {
				return f // a conversion
			}
			if fd, ok := s.g.funcs[f.Name]; ok && fd.Type.TypeParams == nil {
				return resultType(fd.Type, idx)
			}
		}
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok && s.isPackage(id.Name, pos) {
			if rs, ok := goStdResults[s.g.imports[id.Name]+"."+f.Sel.Name]; ok && idx < len(rs) && s.g.imports[id.Name] == id.Name {
				return typeFromString(rs[idx])
			}
			return nil
		}
	case *ast.StarExpr, *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType:
		return fun // a conversion
	}
	if ft, ok := s.underlying(s.typeOfDepth(fun, pos, 0, depth)).(*ast.FuncType); ok {
		return resultType(ft, idx)
	}
	return nil
}

func typeFromString(t string) ast.Expr {
	var e ast.Expr = ast.NewIdent(strings.TrimLeft(t, "[]"))
	for range strings.Count(t, "[]") {
		e = &ast.ArrayType{Elt: e}
	}
	return e
}

// resultType is the idx'th result of a function type.
func resultType(ft *ast.FuncType, idx int) ast.Expr {
	if ft.Results == nil {
		return nil
	}
	i := 0
	for _, f := range ft.Results.List {
		n := max(1, len(f.Names))
		if idx < i+n {
			return f.Type
		}
		i += n
	}
	return nil
}

// underlying follows the file's type declarations (and aliases) to a type literal or a
// predeclared type; nil when the type is not declared in the file.
func (s *goScope) underlying(t ast.Expr) ast.Expr {
	for range 12 {
		switch x := t.(type) {
		case *ast.ParenExpr:
			t = x.X
			continue
		case *ast.Ident:
			ts, ok := s.g.types[x.Name]
			if !ok || ts.TypeParams != nil {
				return t
			}
			t = ts.Type
			continue
		case *ast.IndexExpr, *ast.IndexListExpr:
			return nil // an instantiated generic type
		}
		return t
	}
	return nil
}

// kindOf is the kind of a type the file spells.
func (s *goScope) kindOf(t ast.Expr) goKind {
	switch x := s.underlying(t).(type) {
	case *ast.StarExpr:
		return kindPointer
	case *ast.InterfaceType:
		return kindInterface
	case *ast.FuncType:
		return kindFunc
	case *ast.MapType:
		return kindMap
	case *ast.ChanType:
		return kindChan
	case *ast.StructType:
		return kindStruct
	case *ast.ArrayType:
		if x.Len == nil {
			return kindSlice
		}
		return kindArray
	case *ast.Ident:
		if _, declared := s.g.types[x.Name]; declared {
			return kindUnknown // a generic type's parameter or a cycle
		}
		switch {
		case x.Name == "error" || x.Name == "any":
			return kindInterface
		case x.Name == "string":
			return kindString
		case x.Name == "bool":
			return kindBool
		case goNumberTypes[x.Name]:
			return kindNumber
		}
	}
	return kindUnknown
}

// zeroValue spells the zero value of a result type, or "" when it cannot be written from the
// file alone.
func (s *goScope) zeroValue(t ast.Expr) string {
	switch k := s.kindOf(t); {
	case k.nilable():
		return "nil"
	case k == kindNumber:
		return "0"
	case k == kindString:
		return `""`
	case k == kindBool:
		return "false"
	case k == kindStruct:
		if id, ok := t.(*ast.Ident); ok {
			if ts, ok := s.g.types[id.Name]; ok && ts.TypeParams == nil {
				return id.Name + "{}"
			}
		}
	}
	return ""
}

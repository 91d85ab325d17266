package suggest

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// goRules are Go's rules: a nil pointer dereferenced and an index or slice bound out of
// range, each pinned with go/parser and go/ast on the whole file and fixed by a guard before
// the faulting statement that returns the function's zero values (and an error when its last
// result is one).
var goRules = []rule{goNilDereference, goIndexOutOfRange}

const goNilMessage = "invalid memory address or nil pointer dereference"

var (
	goIndexMessage = regexp.MustCompile(`index out of range \[(-?\d+)\](?: with length (\d+))?`)
	goSliceMessage = regexp.MustCompile(`slice bounds out of range \[(:?)(-?\d+):?(-?\d*)\](?: with (length|capacity) (\d+))?`)
)

// goSite is where a Go fault is: the function around the frame's line and the statement the
// guard goes before.
type goSite struct {
	g     *goFile
	scope *goScope
	decl  *ast.FuncDecl // the declared function (for its name in messages)
	fn    *ast.FuncType // the innermost function, whose results a guard returns
	stmt  ast.Stmt      // the statement that holds the line, in a block's list
	line  int           // the frame's line
	// evaluated are the parts of stmt evaluated once when it runs (a loop's condition and
	// post statement, the branches of a switch or an else-if are not).
	evaluated []ast.Node
}

// goLocate parses the case's file and finds the frame's statement; why says why not.
func goLocate(c *Case) (*goSite, string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, c.Frame.Path, c.Source, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Sprintf("%s does not parse (%v), so the faulting expression cannot be pinned", c.Frame.Path, err)
	}
	site := &goSite{g: newGoFile(fset, f), line: c.Frame.Line}
	line := func(p token.Pos) int { return fset.Position(p).Line }
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && line(fd.Body.Lbrace) < site.line && site.line < line(fd.Body.Rbrace) {
			site.decl, site.fn = fd, fd.Type
		}
	}
	if site.decl == nil {
		return nil, fmt.Sprintf("line %d of %s is not inside a function's body, so no guard can go before it", site.line, c.Frame.Path)
	}
	site.scope = newGoScope(site.g, site.decl)
	var stack []ast.Node
	ast.Inspect(site.decl.Body, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		if line(n.Pos()) > site.line || line(n.End()) < site.line {
			return false
		}
		stack = append(stack, n)
		var list []ast.Stmt
		switch b := n.(type) {
		case *ast.BlockStmt:
			list = b.List
		case *ast.CaseClause:
			list = b.Body
		case *ast.CommClause:
			list = b.Body
		case *ast.FuncLit:
			if line(b.Body.Lbrace) < site.line && site.line < line(b.Body.Rbrace) {
				site.fn = b.Type
			}
		}
		for _, s := range list {
			if line(s.Pos()) <= site.line && site.line <= line(s.End()) {
				site.stmt = s
			}
		}
		return true
	})
	if site.stmt == nil {
		return nil, fmt.Sprintf("line %d of %s holds no statement of %s's body", site.line, c.Frame.Path, site.decl.Name.Name)
	}
	if why := site.header(c); why != "" {
		return nil, why
	}
	return site, ""
}

// header collects the parts of the statement evaluated once, or says why a guard before the
// statement would not run where the fault did.
func (s *goSite) header(c *Case) string {
	fset := s.g.fset
	line := func(p token.Pos) int { return fset.Position(p).Line }
	st := s.stmt
	for {
		l, ok := st.(*ast.LabeledStmt)
		if !ok {
			break
		}
		st = l.Stmt
	}
	start := fset.Position(s.stmt.Pos())
	if strings.TrimSpace(c.Lines[start.Line-1][:min(start.Column-1, len(c.Lines[start.Line-1]))]) != "" {
		return fmt.Sprintf("the statement at line %d shares its line with other code, so a guard cannot go on the line before it", start.Line)
	}
	add := func(ns ...ast.Node) {
		for _, n := range ns {
			if n != nil && !isNilNode(n) {
				s.evaluated = append(s.evaluated, n)
			}
		}
	}
	switch x := st.(type) {
	case *ast.IfStmt:
		add(x.Init, x.Cond)
		for e := x.Else; e != nil; {
			elif, ok := e.(*ast.IfStmt)
			if !ok {
				break
			}
			if line(elif.Pos()) <= s.line && s.line <= line(elif.Body.Lbrace) {
				return fmt.Sprintf("line %d is an else-if's condition, which runs only when the conditions before it fail; a guard before the if statement would run in every case", s.line)
			}
			e = elif.Else
		}
	case *ast.ForStmt:
		if (x.Cond != nil && line(x.Cond.Pos()) <= s.line && s.line <= line(x.Cond.End())) ||
			(x.Post != nil && line(x.Post.Pos()) <= s.line && s.line <= line(x.Post.End())) {
			return fmt.Sprintf("the fault at line %d is in a loop's condition or post statement, which runs on every iteration; a guard before the loop would check it only once", s.line)
		}
		add(x.Init)
	case *ast.RangeStmt:
		add(x.X)
	case *ast.SwitchStmt:
		add(x.Init, x.Tag)
	case *ast.TypeSwitchStmt:
		add(x.Init, x.Assign)
	case *ast.SelectStmt, *ast.BlockStmt:
	case *ast.DeferStmt, *ast.GoStmt:
		return fmt.Sprintf("line %d is a defer or go statement, whose call runs later than the statement; a guard before it would not be where the panic happens", s.line)
	default:
		add(st)
	}
	if len(s.evaluated) == 0 {
		return fmt.Sprintf("line %d is in the branches of a %s, not in code a guard before it can protect", s.line, goStmtName(st))
	}
	return ""
}

func isNilNode(n ast.Node) bool {
	switch v := n.(type) {
	case ast.Expr:
		return v == nil
	case ast.Stmt:
		return v == nil
	}
	return false
}

func goStmtName(s ast.Stmt) string {
	switch s.(type) {
	case *ast.SwitchStmt, *ast.TypeSwitchStmt:
		return "switch statement"
	case *ast.SelectStmt:
		return "select statement"
	case *ast.IfStmt:
		return "if statement"
	}
	return "block"
}

// onLine walks the evaluated parts of the statement, calling visit for each node whose
// position is on the frame's line; it does not enter the bodies of function literals and
// says whether one shares the line.
func (s *goSite) onLine(visit func(n ast.Node, parents []ast.Node)) (literalOnLine bool) {
	line := func(p token.Pos) int { return s.g.fset.Position(p).Line }
	for _, root := range s.evaluated {
		var stack []ast.Node
		ast.Inspect(root, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			if line(n.Pos()) > s.line || line(n.End()) < s.line {
				return false
			}
			if fl, ok := n.(*ast.FuncLit); ok {
				if line(fl.Body.Lbrace) <= s.line && s.line <= line(fl.Body.Rbrace) {
					literalOnLine = literalOnLine || line(fl.Body.Lbrace) == s.line || line(fl.Body.Rbrace) == s.line
				}
				return false
			}
			visit(n, stack)
			stack = append(stack, n)
			return true
		})
	}
	return literalOnLine
}

// goOperand is one value on the line that a dereference needs to be non-nil.
type goOperand struct {
	expr   ast.Expr // what is dereferenced
	at     ast.Node // the dereference (a selector, a star, a call)
	ident  *ast.Ident
	kind   goKind
	target bool // written to: the left side of an assignment
}

// goNilDereference guards the one variable on the frame's line whose nil value the panic
// dereferenced.
func goNilDereference(c *Case) (*Fix, string) {
	if !strings.Contains(c.Exception.Value, goNilMessage) {
		return nil, ""
	}
	site, why := goLocate(c)
	if why != "" {
		return nil, why
	}
	var nilable, values, unknown []goOperand
	literal := site.onLine(func(n ast.Node, parents []ast.Node) {
		for _, op := range site.operand(n, parents) {
			switch {
			case op.kind == kindUnknown:
				unknown = append(unknown, op)
			case op.kind.nilable():
				nilable = append(nilable, op)
			default:
				values = append(values, op)
			}
		}
	})
	p := c.Frame.Path
	if literal {
		return nil, fmt.Sprintf("a function literal shares line %d, so which expression of the line panicked cannot be told", c.Frame.Line)
	}
	vars := map[string]goOperand{}
	var others []string
	for _, op := range nilable {
		if op.ident == nil {
			others = append(others, "`"+goExpr(op.expr)+"`")
			continue
		}
		if prev, seen := vars[op.ident.Name]; !seen || prev.target {
			vars[op.ident.Name] = op
		}
	}
	for _, op := range unknown {
		others = append(others, "`"+goExpr(op.expr)+"`")
	}
	switch {
	case len(vars) == 0 && len(unknown) > 0:
		return nil, fmt.Sprintf("the type of %s at %s:%d is not known from the file, so whether it can be nil cannot be told", goExpr(unknown[0].expr), p, c.Frame.Line)
	case len(vars) == 0 && len(nilable) > 0:
		return nil, fmt.Sprintf("%s at %s:%d can be nil, but it is not a variable a guard can check without repeating the expression", others[0], p, c.Frame.Line)
	case len(vars) == 0 && len(values) > 0:
		return nil, fmt.Sprintf("`%s` at %s:%d is a value, not a pointer, so it cannot be nil: the nil pointer is dereferenced elsewhere (in a call the line makes)", goExpr(values[0].expr), p, c.Frame.Line)
	case len(vars) == 0:
		return nil, fmt.Sprintf("no expression at %s:%d dereferences a pointer the file declares, so the nil value cannot be pinned", p, c.Frame.Line)
	case len(vars) > 1 || len(others) > 0:
		var names []string
		for _, op := range nilable {
			if op.ident != nil && !slices.Contains(names, "`"+op.ident.Name+"`") {
				names = append(names, "`"+op.ident.Name+"`")
			}
		}
		names = append(names, others...)
		return nil, fmt.Sprintf("%s at %s:%d can each be nil, so which one the panic dereferenced cannot be told", strings.Join(names, " and "), p, c.Frame.Line)
	}
	var op goOperand
	for _, v := range vars {
		op = v
	}
	name := op.ident.Name
	if op.target {
		return nil, fmt.Sprintf("`%s` is written to through the nil `%s` at %s:%d; whether to skip the write or create the value is the code's decision", goExpr(op.at.(ast.Expr)), name, p, c.Frame.Line)
	}
	decl, _ := site.scope.lookup(name, op.ident.Pos())
	if decl.pos >= site.stmt.Pos() && !decl.param {
		return nil, fmt.Sprintf("`%s` is declared by the statement at line %d itself, so no guard can check it before the statement", name, c.Frame.Line)
	}
	fname := site.decl.Name.Name
	ret, how, why := site.guardReturn(c, fmt.Sprintf("%s: %s is nil", fname, name))
	if why != "" {
		return nil, why
	}
	fix, why := site.guard(c, fmt.Sprintf("%s == nil", name), ret)
	if why != "" {
		return nil, why
	}
	fix.Family = "go-nil-dereference"
	fix.Confidence = High
	if !decl.param && decl.typ == nil {
		fix.Confidence = Medium // the type was inferred from what the variable was given
	}
	fix.Explanation = fmt.Sprintf("`%s` is nil at %s:%d, where `%s` dereferences it (runtime error: %s); the guard added before line %d makes %s %s when `%s` is nil instead of panicking.",
		name, p, c.Frame.Line, goExpr(op.at.(ast.Expr)), goNilMessage, site.g.fset.Position(site.stmt.Pos()).Line, fname, how, name)
	return fix, ""
}

// operand says which values n needs to be non-nil: x in x.f (x a pointer or an interface),
// *x, f() (f a variable of a func type), and x.f itself when it is a func field called.
func (s *goSite) operand(n ast.Node, parents []ast.Node) []goOperand {
	var parent ast.Node
	if len(parents) > 0 {
		parent = parents[len(parents)-1]
	}
	switch x := n.(type) {
	case *ast.SelectorExpr:
		if s.g.fset.Position(x.Sel.Pos()).Line != s.line {
			return nil
		}
		if id, ok := x.X.(*ast.Ident); ok && s.scope.isPackage(id.Name, id.Pos()) {
			return nil
		}
		ce, isCall := parent.(*ast.CallExpr)
		called := isCall && ce.Fun == x
		t := s.scope.typeOf(x.X, x.Pos())
		op := goOperand{expr: x.X, at: x, kind: s.scope.kindOf(t), target: isWritten(x, parents)}
		op.ident, _ = x.X.(*ast.Ident)
		var ops []goOperand
		switch op.kind {
		case kindFunc, kindMap, kindSlice, kindChan:
			return nil // no selector reaches through these
		case kindUnknown, kindInterface:
			return []goOperand{op}
		}
		m, ftype := s.member(t, x.Sel.Name)
		switch m {
		case memberPointerMethod:
			// A method with a pointer receiver takes a nil pointer without dereferencing it.
			if op.kind == kindPointer {
				return nil
			}
		case memberField:
			if called && s.scope.kindOf(ftype) == kindFunc {
				// Calling a nil func field panics the same way as reading through a nil pointer.
				ops = append(ops, goOperand{expr: x, at: x, kind: kindFunc})
			}
		case memberOther:
			// A field promoted from an embedded type (maybe through a pointer), or a method
			// declared in another file: whether it dereferences cannot be told.
			op.kind = kindUnknown
		case memberExternal:
			if called && op.kind == kindPointer {
				op.kind = kindUnknown
			}
		}
		return append([]goOperand{op}, ops...)
	case *ast.StarExpr:
		if s.g.fset.Position(x.Star).Line != s.line || s.isTypePosition(x, parent) {
			return nil
		}
		op := goOperand{expr: x.X, at: x, kind: s.scope.kindOf(s.scope.typeOf(x.X, x.Pos())), target: isWritten(x, parents)}
		op.ident, _ = x.X.(*ast.Ident)
		if op.kind != kindPointer && op.kind != kindUnknown {
			return nil
		}
		return []goOperand{op}
	case *ast.CallExpr:
		id, ok := x.Fun.(*ast.Ident)
		if !ok || s.g.fset.Position(x.Lparen).Line != s.line {
			return nil
		}
		d, local := s.scope.lookup(id.Name, id.Pos())
		if !local {
			return nil // a function of the package, a builtin or a conversion
		}
		t := d.typ
		if t == nil {
			t = s.scope.typeOf(id, id.Pos())
		}
		k := s.scope.kindOf(t)
		if k != kindFunc && k != kindUnknown {
			return nil
		}
		return []goOperand{{expr: id, at: x, ident: id, kind: k}}
	}
	return nil
}

// goMember is what a selector names on a type.
type goMember int

const (
	memberExternal      goMember = iota // the type is not declared in the file
	memberField                         // a field the type's struct declares
	memberPointerMethod                 // a method with a pointer receiver, in the file
	memberValueMethod                   // a method with a value receiver, in the file
	memberOther                         // neither: promoted from an embedded type, or declared elsewhere
)

// member says what sel names on the type t (or *t), and a field's type.
func (s *goSite) member(t ast.Expr, sel string) (goMember, ast.Expr) {
	if p, ok := t.(*ast.StarExpr); ok {
		t = p.X
	}
	id, ok := t.(*ast.Ident)
	if !ok {
		return memberExternal, nil
	}
	ts, declared := s.g.types[id.Name]
	if !declared {
		return memberExternal, nil
	}
	if st, ok := ts.Type.(*ast.StructType); ok {
		for _, f := range st.Fields.List {
			for _, n := range f.Names {
				if n.Name == sel {
					return memberField, f.Type
				}
			}
		}
	}
	if m, ok := s.g.methods[id.Name][sel]; ok {
		if _, ptr := m.Recv.List[0].Type.(*ast.StarExpr); ptr {
			return memberPointerMethod, nil
		}
		return memberValueMethod, nil
	}
	return memberOther, nil
}

// isTypePosition says whether a star expression is a pointer type rather than a dereference.
func (s *goSite) isTypePosition(x *ast.StarExpr, parent ast.Node) bool {
	switch p := parent.(type) {
	case *ast.ValueSpec, *ast.Field, *ast.CompositeLit, *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.TypeAssertExpr:
		return true
	case *ast.ParenExpr, *ast.IndexExpr:
		return s.scope.kindOf(x.X) != kindUnknown || s.isTypeName(x.X)
	case *ast.CallExpr:
		if id, ok := p.Fun.(*ast.Ident); ok && (id.Name == "new" || id.Name == "make") {
			return true
		}
	}
	return s.isTypeName(x.X)
}

func (s *goSite) isTypeName(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	if _, local := s.scope.lookup(id.Name, id.Pos()); local {
		return false
	}
	_, declared := s.g.types[id.Name]
	return declared || goNumberTypes[id.Name] || id.Name == "string" || id.Name == "bool" || id.Name == "error" || id.Name == "any"
}

// isWritten says whether an expression is the target of an assignment or of ++/--.
func isWritten(e ast.Expr, parents []ast.Node) bool {
	if len(parents) == 0 {
		return false
	}
	switch p := parents[len(parents)-1].(type) {
	case *ast.AssignStmt:
		for _, l := range p.Lhs {
			if l == e {
				return true
			}
		}
	case *ast.IncDecStmt:
		return p.X == e
	}
	return false
}

// guardReturn is the return statement of a guard: the function's zero values and, when its
// last result is an error, one saying what happened; how says what the function then does.
func (s *goSite) guardReturn(c *Case, message string) (ret, how, why string) {
	fname := s.decl.Name.Name
	var types []ast.Expr
	if s.fn.Results != nil {
		for _, f := range s.fn.Results.List {
			for range max(1, len(f.Names)) {
				types = append(types, f.Type)
			}
		}
	}
	if len(types) == 0 {
		return "return", "return early", ""
	}
	last := types[len(types)-1]
	hasErr := false
	if id, ok := last.(*ast.Ident); ok && id.Name == "error" {
		if _, redeclared := s.g.types["error"]; !redeclared {
			hasErr = true
		}
	}
	var vals []string
	for i, t := range types {
		if hasErr && i == len(types)-1 {
			e, why := s.errorValue(c, message)
			if why != "" {
				return "", "", why
			}
			vals = append(vals, e)
			continue
		}
		z := s.scope.zeroValue(t)
		if z == "" {
			return "", "", fmt.Sprintf("the zero value of %s's result type %s cannot be written from %s alone, so the guard's return cannot be", fname, goExpr(t), c.Frame.Path)
		}
		if z != "nil" && !hasErr {
			return "", "", fmt.Sprintf("the fix would need %s to return an error, which changes its signature: returning %s would pass off a made-up %s as its result", fname, z, goExpr(t))
		}
		vals = append(vals, z)
	}
	switch {
	case hasErr:
		how = "return an error"
	default:
		how = "return nil"
	}
	return "return " + strings.Join(vals, ", "), how, ""
}

// errorValue is an expression making an error with the message, from the errors package (or
// fmt when only that is imported).
func (s *goSite) errorValue(c *Case, message string) (string, string) {
	usable := func(path string) string {
		for name, p := range s.g.imports {
			if p != path || name == "_" || name == "." {
				continue
			}
			if _, local := s.scope.lookup(name, s.stmt.Pos()); local {
				continue
			}
			if _, v := s.g.vars[name]; v {
				continue
			}
			return name
		}
		return ""
	}
	if n := usable("errors"); n != "" {
		return n + ".New(" + strconv.Quote(message) + ")", ""
	}
	if n := usable("fmt"); n != "" {
		return n + ".Errorf(" + strconv.Quote(message) + ")", ""
	}
	if _, taken := s.g.imports["errors"]; taken {
		return "", fmt.Sprintf("%s imports another package as errors, so the guard's error cannot be made without renaming an import", c.Frame.Path)
	}
	if _, local := s.scope.lookup("errors", s.stmt.Pos()); local {
		return "", fmt.Sprintf("%s declares a variable named errors, so the errors package cannot be used there", s.decl.Name.Name)
	}
	return "errors.New(" + strconv.Quote(message) + ")", ""
}

// guard inserts `if cond { ret }` before the statement (and the errors import when the return
// needs it and the file lacks it), keeping the file gofmt-clean.
func (s *goSite) guard(c *Case, cond, ret string) (*Fix, string) {
	stmtLine := s.g.fset.Position(s.stmt.Pos()).Line
	indent := c.Indent(stmtLine - 1)
	unit := c.IndentUnit()
	guard := []string{indent + "if " + cond + " {", indent + unit + ret, indent + "}"}
	lines := append(append(append([]string{}, c.Lines[:stmtLine-1]...), guard...), c.Lines[stmtLine-1:]...)
	start := stmtLine
	if strings.Contains(ret, "errors.New(") && s.g.imports["errors"] == "" {
		var at int
		lines, at = goAddImport(s.g, lines, "errors")
		if at == 0 {
			return nil, fmt.Sprintf("the guard's error needs the errors package, and where to import it in %s cannot be worked out", c.Frame.Path)
		}
		start = at
	}
	// The lines from start to the guard's end replace the old lines start..stmtLine-1.
	oldEnd := stmtLine - 1
	newEnd := oldEnd + len(lines) - len(c.Lines)
	fix := &Fix{Line: c.Frame.Line, Start: start, End: oldEnd, New: append([]string(nil), lines[start-1:newEnd]...)}
	patched, err := apply(c.Source, &Change{Start: fix.Start, End: fix.End, New: fix.New})
	if err != nil {
		return nil, err.Error()
	}
	formatted, err := format.Source(patched)
	if err != nil {
		return nil, fmt.Sprintf("the guard would leave %s unparseable (%v)", c.Frame.Path, err)
	}
	if !bytes.Equal(formatted, patched) {
		return nil, fmt.Sprintf("%s with the guard would not be gofmt-clean (is the file gofmt-formatted?), and a suggestion keeps it so", c.Frame.Path)
	}
	return fix, ""
}

// goAddImport adds an import of path to the file's lines, the way gofmt keeps imports: into
// the first parenthesised block's group of standard packages, sorted. It returns the new
// lines and the first changed line (0 when it cannot).
func goAddImport(g *goFile, lines []string, path string) ([]string, int) {
	line := func(p token.Pos) int { return g.fset.Position(p).Line }
	quoted := strconv.Quote(path)
	insert := func(at int, add ...string) []string {
		return append(append(append([]string{}, lines[:at-1]...), add...), lines[at-1:]...)
	}
	for _, d := range g.file.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		if !gd.Lparen.IsValid() {
			// import "x" becomes a block of two.
			l := line(gd.Pos())
			if line(gd.End()) != l || len(gd.Specs) != 1 {
				return nil, 0
			}
			spec := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[l-1]), "import"))
			other, err := strconv.Unquote(gd.Specs[0].(*ast.ImportSpec).Path.Value)
			if err != nil {
				return nil, 0
			}
			specs := []string{"\t" + quoted, "\t" + spec}
			switch {
			case isThirdParty(other):
				specs = []string{"\t" + quoted, "", "\t" + spec}
			case other < path:
				specs[0], specs[1] = specs[1], specs[0]
			}
			out := append(append([]string{}, lines[:l-1]...), "import (")
			out = append(append(append(out, specs...), ")"), lines[l:]...)
			return out, l
		}
		// The first group of standard-library imports, sorted by path.
		for _, sp := range gd.Specs {
			is := sp.(*ast.ImportSpec)
			p, err := strconv.Unquote(is.Path.Value)
			if err != nil {
				return nil, 0
			}
			if isThirdParty(p) {
				// A third-party import before any standard one: a new group goes first.
				if sp == gd.Specs[0] {
					at := line(is.Pos())
					return insert(at, "\t"+quoted, ""), at
				}
				at := line(is.Pos())
				return insert(at-1, "\t"+quoted), at - 1
			}
			if p > path {
				at := line(is.Pos())
				if is.Doc != nil {
					at = line(is.Doc.Pos())
				}
				return insert(at, "\t"+quoted), at
			}
		}
		at := line(gd.Rparen)
		return insert(at, "\t"+quoted), at
	}
	// No imports: one after the package clause.
	at := line(g.file.Name.End()) + 1
	return insert(at, "", "import "+quoted), at
}

// isThirdParty says whether an import path is outside the standard library (its first
// element has a dot, as a domain does).
func isThirdParty(p string) bool { return strings.Contains(strings.Split(p, "/")[0], ".") }

// goIndexOutOfRange guards the one index or slice expression on the frame's line whose bound
// the panic names.
func goIndexOutOfRange(c *Case) (*Fix, string) {
	v := c.Exception.Value
	im := goIndexMessage.FindStringSubmatch(v)
	sm := goSliceMessage.FindStringSubmatch(v)
	if im == nil && sm == nil {
		return nil, ""
	}
	p, ln := c.Frame.Path, c.Frame.Line
	if (im != nil && strings.HasPrefix(im[1], "-")) || (sm != nil && strings.HasPrefix(sm[2], "-")) {
		return nil, fmt.Sprintf("the index at %s:%d is negative (%s); a guard on the length would not catch it", p, ln, strings.TrimPrefix(v, "runtime error: "))
	}
	site, why := goLocate(c)
	if why != "" {
		return nil, why
	}
	var cands []ast.Node
	var maps int
	written := map[ast.Node]bool{}
	literal := site.onLine(func(n ast.Node, parents []ast.Node) {
		if e, ok := n.(ast.Expr); ok && isWritten(e, parents) {
			written[n] = true
		}
		switch x := n.(type) {
		case *ast.IndexExpr:
			if im == nil || site.g.fset.Position(x.Lbrack).Line != ln {
				return
			}
			if k := site.scope.kindOf(site.scope.typeOf(x.X, x.Pos())); k == kindMap {
				maps++
				return
			} else if k == kindArray && isIntLit(x.Index) {
				return // a constant index into an array is checked when compiling
			}
			if site.isTypeName(x.X) || site.isFuncName(x.X) {
				return // a generic instantiation
			}
			if bl, ok := x.Index.(*ast.BasicLit); ok && (bl.Kind != token.INT || bl.Value != im[1]) {
				return // not the index the message names
			}
			cands = append(cands, x)
		case *ast.SliceExpr:
			if sm != nil && site.g.fset.Position(x.Lbrack).Line == ln {
				cands = append(cands, x)
			}
		}
	})
	if literal {
		return nil, fmt.Sprintf("a function literal shares line %d, so which index of the line is out of range cannot be told", ln)
	}
	switch {
	case len(cands) == 0 && maps > 0:
		return nil, fmt.Sprintf("the only index expression at %s:%d is into a map, which cannot go out of range: the panic is elsewhere", p, ln)
	case len(cands) == 0:
		return nil, fmt.Sprintf("no index expression at %s:%d matches %q, so the one out of range cannot be pinned", p, ln, strings.TrimPrefix(v, "runtime error: "))
	case len(cands) > 1:
		var names []string
		for _, n := range cands {
			names = append(names, "`"+goExpr(n.(ast.Expr))+"`")
		}
		return nil, fmt.Sprintf("%s at %s:%d could each be the one out of range, so which one cannot be told", strings.Join(names, " and "), p, ln)
	}
	if written[cands[0]] {
		return nil, fmt.Sprintf("`%s` at %s:%d is written to; whether to skip the write or grow the slice is the code's decision", goExpr(cands[0].(ast.Expr)), p, ln)
	}
	if im != nil {
		return site.indexGuard(c, cands[0].(*ast.IndexExpr))
	}
	return site.sliceGuard(c, cands[0].(*ast.SliceExpr), sm)
}

func isIntLit(e ast.Expr) bool {
	bl, ok := e.(*ast.BasicLit)
	return ok && bl.Kind == token.INT
}

func (s *goSite) isFuncName(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	if _, local := s.scope.lookup(id.Name, id.Pos()); local {
		return false
	}
	_, ok = s.g.funcs[id.Name]
	return ok
}

// sequence checks the indexed operand: a variable or a field path (evaluated again by the
// guard, so it must be free of calls) of a type the file shows can be indexed by position.
func (s *goSite) sequence(c *Case, x ast.Expr) (string, string) {
	if !isPurePath(x) {
		return "", fmt.Sprintf("`%s` at %s:%d is not a variable or a field, so a guard would evaluate it twice", goExpr(x), c.Frame.Path, c.Frame.Line)
	}
	switch k := s.scope.kindOf(s.scope.typeOf(x, x.Pos())); k {
	case kindSlice, kindArray, kindString:
		return goExpr(x), ""
	case kindMap:
		return "", fmt.Sprintf("`%s` is a map, which cannot go out of range", goExpr(x))
	default:
		return "", fmt.Sprintf("the type of `%s` at %s:%d is not known from the file (a map's index cannot go out of range, a slice's can), so no guard is proposed", goExpr(x), c.Frame.Path, c.Frame.Line)
	}
}

func isPurePath(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isPurePath(x.X)
	}
	return false
}

// intIndex checks an index: an int literal, or a variable of type int (so `i >= len(xs)`
// compiles).
func (s *goSite) intIndex(c *Case, e ast.Expr) (string, string) {
	if isIntLit(e) {
		return e.(*ast.BasicLit).Value, ""
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return "", fmt.Sprintf("the index `%s` at %s:%d is an expression, not a variable, so the guard cannot name it", goExpr(e), c.Frame.Path, c.Frame.Line)
	}
	if t, ok := s.scope.typeOf(id, id.Pos()).(*ast.Ident); !ok || t.Name != "int" {
		return "", fmt.Sprintf("the type of the index `%s` at %s:%d is not known to be int, so comparing it with len() may not compile", id.Name, c.Frame.Path, c.Frame.Line)
	}
	return id.Name, ""
}

func (s *goSite) indexGuard(c *Case, x *ast.IndexExpr) (*Fix, string) {
	seq, why := s.sequence(c, x.X)
	if why != "" {
		return nil, why
	}
	idx, why := s.intIndex(c, x.Index)
	if why != "" {
		return nil, why
	}
	fname := s.decl.Name.Name
	var cond, msg, when string
	switch {
	case idx == "0":
		cond, msg, when = fmt.Sprintf("len(%s) == 0", seq), fmt.Sprintf("%s: %s is empty", fname, seq), fmt.Sprintf("`%s` is empty", seq)
	case isIntLit(x.Index):
		n, _ := strconv.Atoi(idx)
		cond, msg, when = fmt.Sprintf("len(%s) <= %s", seq, idx), fmt.Sprintf("%s: %s has fewer than %d elements", fname, seq, n+1), fmt.Sprintf("`%s` has fewer than %d elements", seq, n+1)
	default:
		cond, msg, when = fmt.Sprintf("%s >= len(%s)", idx, seq), fmt.Sprintf("%s: index %s out of range of %s", fname, idx, seq), fmt.Sprintf("`%s` is past the end of `%s`", idx, seq)
	}
	return s.boundsFix(c, x, cond, msg, when)
}

func (s *goSite) sliceGuard(c *Case, x *ast.SliceExpr, m []string) (*Fix, string) {
	if x.Slice3 {
		return nil, fmt.Sprintf("`%s` at %s:%d is a three-index slice; no rule guards one", goExpr(x), c.Frame.Path, c.Frame.Line)
	}
	seq, why := s.sequence(c, x.X)
	if why != "" {
		return nil, why
	}
	fname := s.decl.Name.Name
	var bound ast.Expr
	fn := "len"
	switch {
	case m[1] == ":" && m[4] != "": // [:h] with length|capacity n: the high bound
		bound = x.High
		if m[4] == "capacity" {
			fn = "cap"
		}
	case m[1] == "" && m[3] != "" && x.High == nil: // [l:len]: the low bound past the end
		bound = x.Low
	default:
		return nil, fmt.Sprintf("the slice bounds at %s:%d are out of order (%s); no guard on the length catches that", c.Frame.Path, c.Frame.Line, strings.TrimPrefix(c.Exception.Value, "runtime error: "))
	}
	if bound == nil {
		return nil, fmt.Sprintf("`%s` at %s:%d has no bound the message names", goExpr(x), c.Frame.Path, c.Frame.Line)
	}
	b, why := s.intIndex(c, bound)
	if why != "" {
		return nil, why
	}
	if isIntLit(bound) && b != m[2] {
		return nil, fmt.Sprintf("`%s` at %s:%d does not have the bound %s the message names, so the panic is elsewhere", goExpr(x), c.Frame.Path, c.Frame.Line, m[2])
	}
	what := "length"
	if fn == "cap" {
		what = "capacity"
	}
	cond := fmt.Sprintf("%s > %s(%s)", b, fn, seq)
	if isIntLit(bound) {
		cond = fmt.Sprintf("%s(%s) < %s", fn, seq, b)
	}
	return s.boundsFix(c, x, cond, fmt.Sprintf("%s: %s exceeds the %s of %s", fname, b, what, seq),
		fmt.Sprintf("`%s` exceeds the %s of `%s`", b, what, seq))
}

func (s *goSite) boundsFix(c *Case, x ast.Expr, cond, msg, when string) (*Fix, string) {
	ret, how, why := s.guardReturn(c, msg)
	if why != "" {
		return nil, why
	}
	fix, why := s.guard(c, cond, ret)
	if why != "" {
		return nil, why
	}
	fix.Family = "go-index-out-of-range"
	fix.Confidence = High
	fix.Explanation = fmt.Sprintf("`%s` at %s:%d goes past the end of its operand (runtime error: %s); the guard added before line %d makes %s %s when %s instead of panicking.",
		goExpr(x), c.Frame.Path, c.Frame.Line, strings.TrimPrefix(strings.SplitN(c.Exception.Value, "\n", 2)[0], "runtime error: "), s.g.fset.Position(s.stmt.Pos()).Line, s.decl.Name.Name, how, when)
	return fix, ""
}

// goExpr prints an expression as gofmt would.
func goExpr(e ast.Expr) string {
	var b bytes.Buffer
	if err := format.Node(&b, token.NewFileSet(), e); err != nil {
		return "?"
	}
	return b.String()
}

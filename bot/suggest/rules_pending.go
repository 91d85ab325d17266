package suggest

// The families' rules, filled in by js.go, python.go, jvm.go and golang.go.
var (
	pythonRules []rule
	jvmRules    []rule
	goRules     []rule
)

package suggest

// The families' rules, filled in by js.go, python.go, jvm.go and golang.go.
var (
	jsRules     []rule
	pythonRules []rule
	jvmRules    []rule
)

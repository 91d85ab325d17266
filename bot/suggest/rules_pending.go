package suggest

// The families' rules, filled in by js.go.
var jsRules []rule

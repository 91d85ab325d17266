// Package suggest proposes a fix for a Sentry error, or says why it will not. It is pure:
// an error (the exception, the frame that raised it, the source at the release's commit, the
// pull request that last changed the line) comes in; a Result goes out — a minimal diff with
// its explanation and confidence, or an abstention with its reason. No network, no
// environment, no clock.
//
// Rules cover the common families (JS/TS TypeError on undefined/null, "is not a function",
// "is not iterable"; Python AttributeError on None, KeyError, IndexError,
// ZeroDivisionError; Java NullPointerException; Go nil dereference and index out of range).
// Each rule pins the fault to one expression on the frame's line or abstains: no suggestion
// beats a wrong one. Whatever a rule proposes is checked before anyone sees it: the diff
// must apply to the file at the commit and the patched file must still parse (Check).
//
// A model's answer (an OpenAI-compatible chat endpoint, wired outside this package) goes
// through the same contract: ModelPrompt builds the question, ParseModelAnswer turns the
// answer into a Result checked the same way, labelled as the model's.
package suggest

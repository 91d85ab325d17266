// Command releasegate keeps broken releases out of production for teams on Sentry and GitHub:
// it validates, injects and uploads JavaScript source maps, and gates deploys on Sentry evidence.
//
// Exit codes: 0 ok, 1 the verdict is no (validation found errors, the gate failed), 2 usage or
// configuration error, 3 could not decide (a service unreachable, a timeout).
package main

import "os"

func main() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

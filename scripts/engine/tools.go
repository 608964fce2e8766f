//go:build tools

// The Pulumi CLI's main package, required so `go build` resolves it with this module's go.sum (see go.mod).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"

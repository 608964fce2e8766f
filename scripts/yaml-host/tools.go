//go:build tools

// Pulumi YAML's language host, required so `go build` resolves it with this module's go.sum (see go.mod).
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"

// A toy Go consumer (a template: the real one, using the real package's generated SDK, replaces it under examples/go):
// an Automation API inline program whose program uses the toy component through its generated Go SDK, run `up`,
// `preview --expect-no-changes` and `destroy` on one stack, then one JSON line on stdout.
//
//	go run . <work-dir> [<pulumi-root>]
//
// <work-dir> holds the Pulumi.yaml (its `plugins: providers:` entry says where the component provider is). The SDK is
// generated into ./sdk (scripts/gen-sdk.sh go <schema.json> sdk), which go.mod's `replace` points at. The CLI is
// <pulumi-root>/bin/pulumi (the Automation API's PulumiCommand layout) when given, else `pulumi` on PATH; the backend
// and passphrase come from the environment (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"example.com/pulumi-toy/sdk/go/toy/greet"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func program(ctx *pulumi.Context) error {
	greeter, err := greet.NewGreeter(ctx, "by-sdk", &greet.GreeterArgs{Name: pulumi.String("go sdk")})
	if err != nil {
		return err
	}
	ctx.Export("sdkMessage", greeter.Message)
	return nil
}

func run(workDir, root string) error {
	ctx := context.Background()
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(workDir)}
	if root != "" {
		command, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root})
		if err != nil {
			return err
		}
		opts = append(opts, auto.Pulumi(command))
	}
	stack, err := auto.UpsertStackInlineSource(ctx, "dev", "toy-go", program, opts...)
	if err != nil {
		return err
	}
	up, err := stack.Up(ctx)
	if err != nil {
		return err
	}
	preview, err := stack.Preview(ctx, optpreview.ExpectNoChanges())
	if err != nil {
		return err
	}
	destroy, err := stack.Destroy(ctx)
	if err != nil {
		return err
	}
	outputs := map[string]any{}
	for k, v := range up.Outputs {
		outputs[k] = v.Value
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"up":             outputs,
		"upChanges":      up.Summary.ResourceChanges,
		"previewChanges": preview.ChangeSummary,
		"destroyChanges": destroy.Summary.ResourceChanges,
	})
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: go run . <work-dir> [<pulumi-root>]")
		os.Exit(2)
	}
	root := ""
	if len(os.Args) == 3 {
		root = os.Args[2]
	}
	if err := run(os.Args[1], root); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// The program (../logout) as Pulumi's Automation API runs it inline, for machines with the Pulumi CLI but no Go
// language host: the CLI calls back into this process for the program, the way `pulumi up` runs ../main.go.
//
//	go run ./automation <command> [-stack NAME] [-pulumi-root DIR]
//
// <command>: up, up-refresh, preview, preview-refresh-expect-no-changes (the drift check), destroy. The stack's config
// is the project folder's Pulumi.<stack>.yaml (set it with `pulumi config set`, as for `pulumi up`); run it from that
// folder. The CLI is DIR/bin/pulumi with -pulumi-root, else `pulumi` on PATH. Exits with the CLI's exit code.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"cerby-universal-logout-go/logout"
)

func main() {
	stackName := flag.String("stack", "dev", "the stack")
	root := flag.String("pulumi-root", "", "the folder whose bin/pulumi is the CLI (default: pulumi on PATH)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: automation <up|up-refresh|preview|preview-refresh-expect-no-changes|destroy>")
		os.Exit(2)
	}
	os.Exit(run(context.Background(), flag.Arg(0), *stackName, *root))
}

func run(ctx context.Context, command, stackName, root string) int {
	dir, err := os.Getwd()
	if err != nil {
		return fail(err)
	}
	project, err := workspace.LoadProject(dir + "/Pulumi.yaml")
	if err != nil {
		return fail(err)
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(dir)}
	if root != "" {
		cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, SkipVersionCheck: true})
		if err != nil {
			return fail(err)
		}
		opts = append(opts, auto.Pulumi(cmd))
	}
	stack, err := auto.SelectStackInlineSource(ctx, stackName, string(project.Name), logout.Program, opts...)
	if err != nil {
		return fail(err)
	}
	switch command {
	case "up":
		_, err = stack.Up(ctx, optup.ProgressStreams(os.Stdout))
	case "up-refresh":
		_, err = stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.Refresh())
	case "preview":
		_, err = stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout))
	case "preview-refresh-expect-no-changes":
		_, err = stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout), optpreview.Refresh(),
			optpreview.ExpectNoChanges(), optpreview.Diff())
	case "destroy":
		_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
	default:
		err = fmt.Errorf("unknown command %q: see the usage at the top of automation/main.go", command)
	}
	if err != nil {
		return fail(err)
	}
	return 0
}

// fail prints how the command ended and returns the CLI's exit code (7: changes where none were expected), else 1.
func fail(err error) int {
	fmt.Fprintln(os.Stderr, err)
	var exitCode interface{ ExitCode() int }
	if errors.As(err, &exitCode) {
		return exitCode.ExitCode()
	}
	if m := regexp.MustCompile(`code: (\d+)`).FindStringSubmatch(err.Error()); m != nil {
		code, _ := strconv.Atoi(m[1])
		return code
	}
	return 1
}

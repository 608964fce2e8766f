// gen-sdk writes a Python or Go SDK for a Pulumi package schema with Pulumi's own code generators
// (pkg/codegen/python, pkg/codegen/go), the code behind `pulumi package gen-sdk`. That command needs the language's
// host (pulumi-language-python / -go), which cannot be had here; the generators are in the engine's module, so this
// program builds from the same go.mod/go.sum as the CLI and generates the same SDK. Built by scripts/gen-sdk.sh.
//
//	gen-sdk <python|go> <schema.json> <out-dir>
//
// Files are written under out-dir (created if missing; files of the same name are overwritten, others left alone:
// clear the folder first to drop stale ones). The schema must be self-contained: it may not reference other packages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-gen-sdk (cerby)"

// noReferences refuses every referenced package: the component's schema stands alone.
type noReferences struct{}

func (noReferences) fail(name string) error {
	return fmt.Errorf("the schema references package %q; gen-sdk handles self-contained schemas only", name)
}

func (l noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.fail(pkg)
}

func (l noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.fail(d.Name)
}

func (l noReferences) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.fail(pkg)
}

func (l noReferences) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.fail(d.Name)
}

func generate(language, schemaPath, outDir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s is not a package schema: %w", schemaPath, err)
	}
	// BindSpec validates against Pulumi's metaschema (as `pulumi package gen-sdk` does) before generating.
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s is not a valid package schema: %w", schemaPath, errors.Join(diags.Errs()...))
	}

	var files map[string][]byte
	switch language {
	case "python":
		files, err = pygen.GeneratePackage(tool, pkg, nil, noReferences{})
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
	default:
		return fmt.Errorf("unknown language %q: expected python or go", language)
	}
	if err != nil {
		return err
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		target := filepath.Join(outDir, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen-sdk: wrote %d files of the %s SDK for %s %v into %s\n",
		len(names), language, pkg.Name, pkg.Version, outDir)
	return nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk <python|go> <schema.json> <out-dir>")
		os.Exit(2)
	}
	if err := generate(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

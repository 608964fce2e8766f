/**
 * The `pulumi-nodejs` plugin (bin/pulumi-resource-pulumi-nodejs): Pulumi's own dynamic-provider plugin, started from
 * this package so that it finds the package's node_modules wherever the CLI starts it (a Pulumi YAML or Python project
 * has none). Requiring @pulumi/pulumi's cmd/dynamic-provider starts it serving (it reads process.argv).
 */
require("@pulumi/pulumi/cmd/dynamic-provider");

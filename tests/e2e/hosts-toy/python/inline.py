"""A toy Automation API inline program (stands in for the real Python consumer until its scenarios replace it): runs
`up`, `preview --expect-no-changes` and `destroy` on one stack whose program uses the toy component twice, through a
hand-written remote component class and through the SDK generated from the toy schema, then prints one JSON line.

    python inline.py <work-dir> [<pulumi-root>]

<work-dir> holds the Pulumi.yaml (its `plugins: providers:` entry says where the component provider is). The CLI is
<pulumi-root>/bin/pulumi (Pulumi's PulumiCommand layout) when given, else `pulumi` on PATH; the backend and
passphrase come from the environment (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE).
"""

import json
import sys

import pulumi
from pulumi import automation as auto


class Greeter(pulumi.ComponentResource):
    """The component as a hand-written remote class: the provider plugin constructs it, as the generated SDK does."""

    message: pulumi.Output[str]

    def __init__(self, name: str, who: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("toy:greet:Greeter", name, {"name": who, "message": None}, opts, remote=True)


def program() -> None:
    import pulumi_toy  # the generated SDK, installed by the caller

    by_class = Greeter("by-class", "python class")
    by_sdk = pulumi_toy.greet.Greeter("by-sdk", name="python sdk")
    pulumi.export("classMessage", by_class.message)
    pulumi.export("sdkMessage", by_sdk.message)


def main(work_dir: str, root: str | None) -> None:
    command = auto.PulumiCommand(root=root) if root else None
    stack = auto.create_or_select_stack(
        "dev",
        project_name="toy-python",
        program=program,
        opts=auto.LocalWorkspaceOptions(work_dir=work_dir, pulumi_command=command),
    )
    up = stack.up()
    preview = stack.preview(expect_no_changes=True)
    destroy = stack.destroy()
    print(
        json.dumps(
            {
                "up": {k: v.value for k, v in up.outputs.items()},
                "upChanges": up.summary.resource_changes,
                "previewChanges": preview.change_summary,
                "destroyChanges": destroy.summary.resource_changes,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)

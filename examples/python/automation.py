"""The program (program.py) as Pulumi's Automation API runs it inline, for machines with the Pulumi CLI but no Python
language host: the CLI calls back into this process for the program, the way `pulumi up` runs __main__.py.

    python automation.py <command> [--stack NAME] [--pulumi-root DIR]

<command>: up, up-refresh, preview, preview-refresh-expect-no-changes (the drift check), destroy. The stack's config
is this folder's Pulumi.<stack>.yaml (set it with `pulumi config set`, as for `pulumi up`). The CLI is
DIR/bin/pulumi with --pulumi-root, else `pulumi` on PATH. Exits with the CLI's exit code.
"""

import argparse
import os
import re
import sys

import yaml
from pulumi import automation as auto

from program import program

HERE = os.path.dirname(os.path.abspath(__file__))


def run(command: str, stack: auto.Stack) -> None:
    out = {"on_output": print}
    if command == "up":
        stack.up(**out)
    elif command == "up-refresh":
        stack.up(refresh=True, **out)
    elif command == "preview":
        stack.preview(**out)
    elif command == "preview-refresh-expect-no-changes":
        stack.preview(refresh=True, expect_no_changes=True, diff=True, **out)
    elif command == "destroy":
        stack.destroy(**out)
    else:
        raise SystemExit(f"unknown command {command!r}: see the usage at the top of automation.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--pulumi-root")
    args = parser.parse_args()
    with open(os.path.join(HERE, "Pulumi.yaml"), encoding="utf-8") as f:
        project = yaml.safe_load(f)["name"]
    stack = auto.select_stack(
        args.stack,
        project_name=project,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=HERE,
            pulumi_command=auto.PulumiCommand(root=args.pulumi_root) if args.pulumi_root else None,
        ),
    )
    try:
        run(args.command, stack)
    except auto.CommandError as e:
        # The CLI already printed its output; say how it ended, and exit as it did (7: changes where none expected).
        text = str(e)
        print(text[text.find("stderr:") :] if "stderr:" in text else text, file=sys.stderr)
        code = re.search(r"code: (\d+)", text)
        return int(code.group(1)) if code else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

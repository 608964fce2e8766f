"""The program, as Pulumi's Python language host runs it (`pulumi up` in this folder)."""

from program import program

program()

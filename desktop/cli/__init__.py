"""The scriptable command line; `waymark --help` lists the commands."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]

"""Command-line options checked when they are parsed: an argument parser whose errors are one
line (a UsageError, exit 2) and the types of the options that take numbers or a folder."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from asl.errors import UsageError


class Parser(argparse.ArgumentParser):
    """argparse, with a bad option reported as one line: ``--port must be ... (see --help)``."""

    def error(self, message: str):
        message = re.sub(r"^argument ([^:]+): ", lambda m: m.group(1).split("/")[-1] + " ", message)
        raise UsageError(f"{message} (see {self.prog} --help)")


def whole(low: int, high: int | None = None, what: str = "a whole number"):
    """The type of an option taking a whole number from ``low`` (to ``high``)."""
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"must be {what} {span}, not {text!r}")
        return value
    return convert


def seconds(text: str) -> float:
    """A time limit: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text!r}")
    return value


def folder(text: str) -> Path:
    """An output folder: new, or an existing folder (not a file)."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder: give a folder for "
                                         f"the outputs (it is made if needed)")
    return path


PORT = whole(0, 65535, "a port number")
AT_LEAST_ONE = whole(1)

"""Helpers shared by the engine's tests (plain functions; the fixtures are in conftest.py)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, TinyProject, project_with_notebook


def metrics(project, name):
    return json.loads((project.out / "variants" / name / "metrics.json").read_text())


def states(output: str) -> dict[str, str]:
    """The last state printed for each variant: {"alpha": "cached", ...}."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s+([\w.\[\]=,]+)\s+(queued|running|cached|done|FAILED)\b", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def run_cli(capsys, args: list[str]) -> tuple[int, str, str]:
    """``build.py ARGS`` in this process: the exit code, stdout and stderr."""
    from asl.engine import cli

    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_fixtures(capsys, *args, variants_file=FIXTURES / "variants.yaml"):
    """``build.py`` on the fixture variants and notebooks; nothing may be written."""
    return run_cli(capsys, ["--variants-file", str(variants_file), "--notebooks", str(FIXTURES),
                            "--data", str(FIXTURES), "--out", "/nonexistent/never-written",
                            *args])


def build_real(capsys, tmp_path, *args):
    """The project's variants.yaml and notebooks; nothing may run (the data does not exist)."""
    return run_cli(capsys, ["--out", str(tmp_path / "out"), "--data", str(tmp_path / "no-data"),
                            *args])


def seeded_project(tmp_path) -> tuple[TinyProject, list[str]]:
    """A tiny project whose notebook takes a training seed (one variant, alpha)."""
    def add_seed(book):
        parameters = next(c for c in book["cells"]
                          if "parameters" in c["metadata"].get("tags", []))
        parameters["source"].append("\ntrain_seed = 1\n")
        book["cells"][-1]["source"].insert(0, "label = f'{label}-{train_seed}'\n")

    return project_with_notebook(tmp_path, add_seed)


def build_without_root_powers(project, *args):
    """``build.py`` in its own process that file permissions apply to even when the tests run
    as root (root without the capability to override them)."""
    command = [sys.executable, str(FIXTURES / "stub_build.py"), *project.args(*args)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def uses_table(tmp_path: Path, entries: dict):
    """A variants file of ``entries`` over a copy of tiny.ipynb that takes ``uses_dir`` and a
    training seed (many.ipynb: ``uses_dirs`` too; plain.ipynb: neither); returns the loaded
    table (or raises)."""
    import yaml

    from asl.engine import variants

    book = json.loads((FIXTURES / "tiny.ipynb").read_text())
    parameters = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
    parameters["source"].append('\nuses_dir = ""\ntrain_seed = 1\n')
    (tmp_path / "tiny.ipynb").write_text(json.dumps(book))
    parameters["source"].append('uses_dirs = []\n')
    (tmp_path / "many.ipynb").write_text(json.dumps(book))
    (tmp_path / "plain.ipynb").write_text((FIXTURES / "tiny.ipynb").read_text())
    path = tmp_path / "variants.yaml"
    path.write_text(yaml.safe_dump({"variants": entries}))
    return variants.load(path, tmp_path)


def uses_notebook(book) -> None:
    """tiny.ipynb with a training seed, a ``uses_dir``, a seed to fail on, and in its metrics
    the metrics.json of the run it used."""
    parameters = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
    parameters["source"].append('\ntrain_seed = 1\nuses_dir = ""\nfail_seed = 0\n')
    book["cells"][-1]["source"][-1:-1] = [
        "if train_seed == fail_seed:\n",
        "    raise ValueError(f'asked to fail on seed {train_seed}')\n",
        "metrics['uses_dir'] = uses_dir\n",
        "metrics['used'] = json.loads((Path(uses_dir) / 'metrics.json').read_text()) "
        "if uses_dir else None\n",
        "metrics['used_files'] = sorted(os.listdir(uses_dir)) if uses_dir else []\n"]


def uses_many_notebook(book) -> None:
    """``uses_notebook`` that also takes ``uses_dirs`` and puts in its metrics the folders and
    the metrics.json of every run it used."""
    uses_notebook(book)
    parameters = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
    parameters["source"].append("uses_dirs = []\n")
    book["cells"][-1]["source"][-1:-1] = [
        "metrics['uses_dirs'] = uses_dirs\n",
        "metrics['used_all'] = [json.loads((Path(d) / 'metrics.json').read_text()) "
        "for d in uses_dirs]\n"]

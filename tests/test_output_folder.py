"""An output folder the build cannot write gets one line, and nothing runs."""
from __future__ import annotations

import shutil
import stat

import pytest

from helpers import build_without_root_powers


@pytest.mark.parametrize("where", ["out", "variants", "parent of --out"])
def test_a_read_only_folder_gets_one_line_and_nothing_runs(tiny_project, where):
    folder = {"out": tiny_project.out, "variants": tiny_project.out / "variants",
              "parent of --out": tiny_project.root}[where]
    if where == "parent of --out":
        shutil.rmtree(tiny_project.out)
    pdf = tiny_project.out / "report.pdf"
    before = pdf.read_bytes() if pdf.exists() else None
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = build_without_root_powers(tiny_project, "--force", "alpha")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: cannot write to ") and str(folder) in error
    assert "--out" in error
    assert "running" not in result.stdout
    assert (pdf.read_bytes() if pdf.exists() else None) == before

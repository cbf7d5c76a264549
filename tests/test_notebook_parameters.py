"""A notebook's parameters cell that is not valid Python is named as a syntax error in that
cell, with its line, before anything runs (not as a value out of range)."""
from __future__ import annotations

from conftest import project_with_notebook
from helpers import run_cli


def broken_cell(book):
    cell = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = "".join(cell["source"]).replace("rate = 0.5", "rate = 0.5)")


def test_a_parameters_cell_that_does_not_parse_is_a_syntax_error(tmp_path, capsys):
    project, args = project_with_notebook(tmp_path, broken_cell)
    code, out, err = run_cli(capsys, args)
    assert code == 2
    assert err.startswith("error: tiny.ipynb: syntax error in the parameters cell, line 8: "
                          "unmatched ')': 'rate = 0.5)'")
    assert len(err.strip().splitlines()) == 1 and "running" not in out
    assert not (project.out / "variants").exists()

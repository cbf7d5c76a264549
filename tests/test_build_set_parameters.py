"""The parameters the build sets (those `--list` marks "set by the build") are refused for -p and
under `parameters:` in variants.yaml, every one of them, in one place."""
from __future__ import annotations

import json

import pytest

from asl.engine.parameters import SET_BY_BUILD
from conftest import project_with_notebook
from helpers import run_cli


def takes_everything(book):
    """tiny.ipynb that also asks for its variant's name, a training seed and used runs."""
    cell = next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = "".join(cell["source"]) + ('\nvariant = ""\ntrain_seed = 1\nuses_dir = ""\n'
                                                'uses_dirs = []\n')


@pytest.mark.parametrize("name", SET_BY_BUILD)
def test_every_build_set_parameter_is_refused_for_p(tmp_path, capsys, name):
    _, args = project_with_notebook(tmp_path, takes_everything)
    code, out, err = run_cli(capsys, [*args, "--list", "-p", f"{name}=x"])
    assert code == 2 and f"{name} is set" in err and "not a parameter" in err


def test_the_list_marks_what_the_build_sets(tmp_path, capsys):
    _, args = project_with_notebook(tmp_path, takes_everything)
    code, out, _ = run_cli(capsys, [*args, "--list"])
    marked = out.split("(set by the build: ")[1].split(")")[0].split(", ")
    assert code == 0 and sorted(marked) == sorted(SET_BY_BUILD)


def test_a_build_set_parameter_in_variants_yaml_is_refused(tmp_path, capsys):
    project, args = project_with_notebook(tmp_path, takes_everything)
    project.edit_variants(lambda table: table["alpha"]["parameters"].update(variant="foo"))
    code, _, err = run_cli(capsys, [*args, "--list"])
    assert code == 2 and "variant alpha: variant is set by the build to the variant's name" in err
    assert not json.dumps(err).count("Traceback")

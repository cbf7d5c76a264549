"""The runs of a build: the chosen variants with their final values, layered in order, each
after the runs it uses; the table itself is left as it was read (asl/engine/plan.py)."""
from __future__ import annotations

import pytest

from asl.engine import plan, variants
from asl.errors import VariantError
from conftest import FIXTURES
from helpers import run_fixtures, uses_table


def test_unknown_variant_lists_the_valid_ones(capsys):
    code, _, err = run_fixtures(capsys, "--variant", "gamma")
    assert code == 2
    assert err == "error: unknown variant 'gamma'; valid: alpha, beta\n"


def test_force_needs_a_known_variant(capsys):
    code, _, err = run_fixtures(capsys, "--force", "zeta")
    assert code == 2 and "--force zeta" in err


def test_quick_applies_only_to_parameters_the_notebook_has():
    table = variants.load(FIXTURES / "variants.yaml", FIXTURES)
    chosen = plan.select(table, [], {}, quick=True)
    assert [v.parameters["epochs"] for v in chosen] == [1, 1]
    assert all("learning_rate" not in v.parameters for v in chosen)
    beta = plan.select(table, ["beta"], {"epochs": "5"}, quick=True)[0]
    assert beta.parameters["epochs"] == 5 and beta.origin["epochs"] == "-p"


def test_a_dependent_takes_the_used_variants_parameters_and_runs_after_it(tmp_path):
    table = uses_table(tmp_path, {
        "a": {"notebook": "tiny.ipynb", "parameters": {"rate": 2, "label": "a"}},
        "s": {"notebook": "tiny.ipynb", "uses": "a", "sweep": {"epochs": [3, 4]}},
        "b": {"notebook": "tiny.ipynb", "uses": "a", "parameters": {"label": "b"}}})
    chosen = plan.select(table, ["b", "s"], {"sleep": "0.5"}, quick=False)
    assert [v.name for v in chosen] == ["a", "b", "s[epochs=3]", "s[epochs=4]"]
    a, b = chosen[:2]
    assert b.parameters == {**a.parameters, "label": "b"}
    assert b.parameters["rate"] == 2.0 and b.parameters["sleep"] == 0.5
    assert b.origin["rate"] == "variants.yaml of a" and b.origin["sleep"] == "-p"
    assert chosen[3].parameters["epochs"] == 4 and chosen[3].parameters["rate"] == 2.0
    runs = plan.expand([chosen[1]], 2, quick=False)    # a's runs come with b's
    assert [(r.name, [u.name for u in r.uses]) for r in runs] == [
        ("a.seed1", []), ("b.seed1", ["a.seed1"]), ("a.seed2", []), ("b.seed2", ["a.seed2"])]


def test_uses_dir_is_set_by_the_build(tmp_path):
    table = uses_table(tmp_path, {"a": {"notebook": "tiny.ipynb"}})
    with pytest.raises(VariantError, match="uses_dir is set by the build"):
        plan.select(table, ["a"], {"uses_dir": "/tmp"}, quick=False)


def test_select_leaves_the_table_as_it_was_read(tmp_path):
    """Two plans from one table do not share their values: each is a new record."""
    table = uses_table(tmp_path, {"a": {"notebook": "tiny.ipynb"},
                                  "b": {"notebook": "tiny.ipynb", "uses": "a"}})
    first = plan.select(table, ["b"], {"rate": "3"}, quick=False)
    second = plan.select(table, ["b"], {"rate": "4"}, quick=False)
    assert [v.parameters["rate"] for v in first] == [3.0, 3.0]
    assert [v.parameters["rate"] for v in second] == [4.0, 4.0]
    assert first[1].uses[0] is first[0] and second[1].uses[0] is second[0]
    assert table.variants["b"].uses[0] is table.variants["a"]
    assert not hasattr(table.variants["a"], "parameters")

"""The variants table and -p overrides: refused before anything runs, with the valid names."""
from __future__ import annotations

import pytest
import yaml

from asl import config
from asl.config import BUILD_PARAMETERS
from asl.engine import cli, variants
from asl.errors import VariantError
from conftest import FIXTURES


def run(capsys, *args, variants_file=FIXTURES / "variants.yaml"):
    code = cli.main(["--variants-file", str(variants_file), "--notebooks", str(FIXTURES),
                     "--data", str(FIXTURES), "--out", "/nonexistent/never-written", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_unknown_variant_lists_the_valid_ones(capsys):
    code, _, err = run(capsys, "--variant", "gamma")
    assert code == 2
    assert err == "error: unknown variant 'gamma'; valid: alpha, beta\n"


def test_unknown_parameter_lists_the_valid_ones_with_types(capsys):
    code, _, err = run(capsys, "--variant", "alpha", "-p", "epoch=3")
    assert code == 2
    assert "unknown parameter 'epoch'" in err
    assert "epochs (int, default 2)" in err and "rate (float, default 0.5)" in err
    assert "output_dir" not in err                  # set by the build, not offered


@pytest.mark.parametrize("override, message", [
    ("epochs=3.5", "epochs must be int (default 2), got 3.5"),
    ("epochs=many", "epochs must be int (default 2), got 'many'"),
    ("fail=1", "fail must be bool (default False), got 1"),
    ("rate=fast", "rate must be float (default 0.5), got 'fast'"),
])
def test_wrong_type_is_refused(capsys, override, message):
    code, _, err = run(capsys, "-p", override)
    assert code == 2 and message in err and "Traceback" not in err


def test_reserved_parameters_are_set_by_the_build(capsys):
    code, _, err = run(capsys, "-p", "output_dir=/tmp")
    assert code == 2 and "output_dir is set by the build" in err


def test_values_are_typed_like_the_defaults():
    table = variants.load(FIXTURES / "variants.yaml", FIXTURES)
    overrides = variants.parse_overrides(["rate=2", "fail=true", "label=007", "epochs=4"])
    alpha, = variants.select(table, ["alpha"], overrides, quick=False)
    assert alpha.parameters == {"epochs": 4, "rate": 2.0, "label": "007", "fail": True,
                                "sleep": 0.0}
    assert type(alpha.parameters["rate"]) is float


def test_quick_applies_only_to_parameters_the_notebook_has():
    table = variants.load(FIXTURES / "variants.yaml", FIXTURES)
    chosen = variants.select(table, [], {}, quick=True)
    assert [v.parameters["epochs"] for v in chosen] == [1, 1]
    assert all("learning_rate" not in v.parameters for v in chosen)
    beta = variants.select(table, ["beta"], {"epochs": "5"}, quick=True)[0]
    assert beta.parameters["epochs"] == 5 and beta.origin["epochs"] == "-p"


def test_bad_variants_file_is_refused(tmp_path):
    bad = tmp_path / "variants.yaml"
    bad.write_text(yaml.safe_dump({"variants": {"x": {"notebook": "tiny.ipynb",
                                                      "parameters": {"epochs": "ten"}}}}))
    with pytest.raises(VariantError, match="variant x.*epochs must be int"):
        variants.load(bad, FIXTURES)
    bad.write_text(yaml.safe_dump({"variants": {"x": {"notebook": "missing.ipynb"}}}))
    with pytest.raises(VariantError, match="missing.ipynb does not exist"):
        variants.load(bad, FIXTURES)


def test_malformed_override(capsys):
    code, _, err = run(capsys, "-p", "epochs")
    assert code == 2 and "expected key=value" in err


def test_force_needs_a_known_variant(capsys):
    code, _, err = run(capsys, "--force", "zeta")
    assert code == 2 and "--force zeta" in err


def test_list_shows_types_defaults_and_overrides(capsys):
    code, out, _ = run(capsys, "--list", "--quick", "-p", "rate=0.75")
    assert code == 0
    assert "alpha  [tiny.ipynb]  Alpha" in out
    assert "epochs  int    default 2  -> 1 (quick)" in out
    assert "label   str    default 'tiny'  -> 'alpha' (variants.yaml)" in out
    assert "rate    float  default 0.5  -> 0.75 (-p)" in out


def test_project_variants_file_is_valid():
    """variants.yaml of the project names existing notebooks with these parameters."""
    table = yaml.safe_load(config.VARIANTS_FILE.read_text())
    missing = [entry["notebook"] for entry in table["variants"].values()
               if not (config.NOTEBOOKS_DIR / entry["notebook"]).exists()]
    assert not missing, f"variants.yaml names notebooks that do not exist: {missing}"
    loaded = variants.load(config.VARIANTS_FILE, config.NOTEBOOKS_DIR)
    for variant in loaded.variants.values():
        assert set(BUILD_PARAMETERS) <= set(variant.declared), variant.name


def uses_table(tmp_path, entries: dict):
    """A variants file of ``entries`` over a copy of tiny.ipynb that takes ``uses_dir`` and a
    training seed; returns the loaded table (or raises)."""
    import json

    book = json.loads((FIXTURES / "tiny.ipynb").read_text())
    next(c for c in book["cells"] if "parameters" in c["metadata"].get("tags", []))[
        "source"].append('\nuses_dir = ""\ntrain_seed = 1\n')
    (tmp_path / "tiny.ipynb").write_text(json.dumps(book))
    (tmp_path / "plain.ipynb").write_text((FIXTURES / "tiny.ipynb").read_text())
    path = tmp_path / "variants.yaml"
    path.write_text(yaml.safe_dump({"variants": entries}))
    return variants.load(path, tmp_path)


@pytest.mark.parametrize("entries, message", [
    ({"a": {"notebook": "tiny.ipynb", "uses": "nope"}},
     "variants.yaml: variant a: uses: 'nope' is not a variant; name the variant whose runs' "
     "output this one builds on: a"),
    ({"a": {"notebook": "tiny.ipynb", "uses": "b"}, "b": {"notebook": "tiny.ipynb", "uses": "a"}},
     "variants.yaml: `uses:` goes round in a circle (a uses b uses a): a variant can only build "
     "on one that does not build on it"),
    ({"a": {"notebook": "tiny.ipynb", "uses": "a"}},
     "variants.yaml: `uses:` goes round in a circle (a uses a)"),
    ({"a": {"notebook": "tiny.ipynb"}, "b": {"notebook": "plain.ipynb", "uses": "a"}},
     "variant b: uses: 'a': its notebook plain.ipynb has no `uses_dir` parameter"),
    ({"s": {"notebook": "tiny.ipynb", "sweep": {"rate": [1, 2]}},
      "b": {"notebook": "tiny.ipynb", "uses": "s"}},
     "variant b: uses: 's' is a sweep: name one of its variants (s[rate=1.0], s[rate=2.0])"),
])
def test_a_bad_uses_is_refused_with_one_message(tmp_path, entries, message):
    with pytest.raises(VariantError) as error:
        uses_table(tmp_path, entries)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_dependent_takes_the_used_variants_parameters_and_runs_after_it(tmp_path):
    table = uses_table(tmp_path, {
        "a": {"notebook": "tiny.ipynb", "parameters": {"rate": 2, "label": "a"}},
        "s": {"notebook": "tiny.ipynb", "uses": "a", "sweep": {"epochs": [3, 4]}},
        "b": {"notebook": "tiny.ipynb", "uses": "a", "parameters": {"label": "b"}}})
    chosen = variants.select(table, ["b", "s"], {"sleep": "0.5"}, quick=False)
    assert [v.name for v in chosen] == ["a", "b", "s[epochs=3]", "s[epochs=4]"]
    a, b = chosen[:2]
    assert b.parameters == {**a.parameters, "label": "b"}
    assert b.parameters["rate"] == 2.0 and b.parameters["sleep"] == 0.5
    assert b.origin["rate"] == "variants.yaml of a" and b.origin["sleep"] == "-p"
    assert chosen[3].parameters["epochs"] == 4 and chosen[3].parameters["rate"] == 2.0
    runs = variants.expand([chosen[1]], 2, quick=False)    # a's runs come with b's
    assert [(r.name, r.uses and r.uses.name) for r in runs] == [
        ("a.seed1", None), ("b.seed1", "a.seed1"), ("a.seed2", None), ("b.seed2", "a.seed2")]


def test_uses_dir_is_set_by_the_build(tmp_path):
    table = uses_table(tmp_path, {"a": {"notebook": "tiny.ipynb"}})
    with pytest.raises(VariantError, match="uses_dir is set by the build"):
        variants.select(table, ["a"], {"uses_dir": "/tmp"}, quick=False)

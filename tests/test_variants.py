"""The variants table as read from variants.yaml: every mistake in it refused before anything
runs, with one message (asl/engine/variants.py)."""
from __future__ import annotations

import pytest
import yaml

from asl import config
from asl.config import BUILD_PARAMETERS
from asl.engine import variants
from asl.errors import VariantError
from conftest import FIXTURES
from helpers import run_cli, uses_table


def test_bad_variants_file_is_refused(tmp_path):
    bad = tmp_path / "variants.yaml"
    bad.write_text(yaml.safe_dump({"variants": {"x": {"notebook": "tiny.ipynb",
                                                      "parameters": {"epochs": "ten"}}}}))
    with pytest.raises(VariantError, match="variant x.*epochs must be int"):
        variants.load(bad, FIXTURES)
    bad.write_text(yaml.safe_dump({"variants": {"x": {"notebook": "missing.ipynb"}}}))
    with pytest.raises(VariantError, match="missing.ipynb does not exist"):
        variants.load(bad, FIXTURES)


def test_project_variants_file_is_valid():
    """variants.yaml of the project names existing notebooks with these parameters."""
    table = yaml.safe_load(config.VARIANTS_FILE.read_text())
    missing = [entry["notebook"] for entry in table["variants"].values()
               if not (config.NOTEBOOKS_DIR / entry["notebook"]).exists()]
    assert not missing, f"variants.yaml names notebooks that do not exist: {missing}"
    loaded = variants.load(config.VARIANTS_FILE, config.NOTEBOOKS_DIR)
    for variant in loaded.variants.values():
        assert set(BUILD_PARAMETERS) <= set(variant.declared), variant.name


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


def variants_file(tmp_path, text):
    path = tmp_path / "variants.yaml"
    path.write_text(text)
    return ["--variants-file", str(path), "--notebooks", str(FIXTURES), "--list"]


@pytest.mark.parametrize("text, message", [
    ("variants:\n  alpha:\n    notebook: tiny.ipynb\n  beta:\n    notebook: tiny.ipynb\n"
     "  alpha:\n    notebook: tiny.ipynb\n", "'alpha' is given twice, on lines 2 and 6"),
    ("variants:\n  alpha:\n    notebook: tiny.ipynb\n    parameters:\n      epochs: 2\n"
     "      epochs: 3\n", "'epochs' is given twice, on lines 5 and 6"),
    ("- alpha\n- beta\n", "expected a mapping with `variants:`"),
    ("variants:\n  - alpha\n", "expected a mapping with `variants:`"),
    ("variants:\n  alpha: tiny.ipynb\n",
     "variant alpha: expected a mapping such as `notebook: cnn.ipynb`"),
    ("variants:\n  alpha:\n    notebook: tiny.ipynb\n    parameters: [epochs]\n",
     "variant alpha: parameters: expected name: value lines"),
    ("quick: 3\nvariants:\n  alpha:\n    notebook: tiny.ipynb\n", "quick: expected name: value"),
])
def test_a_malformed_variants_file_gets_one_clear_message(capsys, tmp_path, text, message):
    code, _, err = run_cli(capsys, variants_file(tmp_path, text))
    assert code == 2, err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_typo_under_quick_is_warned_about(capsys, tmp_path):
    code, out, err = run_cli(capsys, variants_file(
        tmp_path, "quick:\n  epochz: 1\n  epochs: 1\nallowed:\n  ratez: {min: 0}\n"
                  "variants:\n  alpha:\n    notebook: tiny.ipynb\n"))
    assert code == 0
    assert "warning: variants.yaml: quick: epochz is not a parameter of any notebook" in err
    assert "warning: variants.yaml: allowed: ratez is not a parameter of any notebook" in err
    assert "epochs" not in err


def test_a_negative_timeout_is_refused(tiny_project, capsys):
    assert tiny_project.build("--timeout", "-5") == 2
    assert "--timeout must be a number of seconds above 0" in capsys.readouterr().err
    tiny_project.edit_variants(lambda table: table["alpha"].update(timeout=0))
    assert tiny_project.build() == 2
    assert "variant alpha: timeout must be a number of seconds above 0" in \
        capsys.readouterr().err

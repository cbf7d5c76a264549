"""``build.py --list``: each variant with its parameters' types, defaults, values and rules
(asl/engine/listing.py)."""
from __future__ import annotations

from helpers import build_real, run_fixtures


def test_list_shows_types_defaults_and_overrides(capsys):
    code, out, _ = run_fixtures(capsys, "--list", "--quick", "-p", "rate=0.75")
    assert code == 0
    assert "alpha  [tiny.ipynb]  Alpha" in out
    assert "epochs  int    default 2  -> 1 (quick)" in out
    assert "label   str    default 'tiny'  -> 'alpha' (variants.yaml)" in out
    assert "rate    float  default 0.5  -> 0.75 (-p)" in out


def test_the_list_shows_what_is_allowed(capsys, tmp_path):
    code, out, _ = build_real(capsys, tmp_path, "--variant", "cnn_scratch", "--list")
    assert "[one of 'rmsprop', 'adam', 'sgd']" in out and "[above 0 and below 1]" in out

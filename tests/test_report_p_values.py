"""p-values in prose: a p below the printing floor reads "p < 1e-6", never "p = < 1e-6"."""
from types import SimpleNamespace

from asl.report.verdicts import verdict


def pair(p_holm, significant):
    return SimpleNamespace(seeds=1, agree=True, significant=significant, family=91,
                           p_holm=p_holm)


def test_a_tiny_p_value_reads_p_below_the_floor():
    text = verdict(pair(3e-301, True))
    assert "p < 1e-6" in text and "p = <" not in text


def test_an_ordinary_p_value_reads_p_equals():
    assert "(p = 0.923; one training run)" in verdict(pair(0.923, False))
    assert "p = 2.5e-04" in verdict(pair(0.00025, True))

"""The detector's rates are printed once among the key findings: "Finding the hand" is left out
when the domain gap already quotes the same rates to explain a gap below zero."""
from __future__ import annotations

from asl.report import narrative
from asl.report.facts import Facts, Finding

RATES = {"training photos": {"first_pass": 0.599, "after_retries": 0.931},
         "wild photos": {"first_pass": 0.963, "after_retries": 1.0}}


def facts(detection: dict) -> Facts:
    return Facts([], None, None, {}, None, {}, detection=detection)


def test_rates_the_domain_gap_quotes_are_not_repeated(monkeypatch):
    found = facts(RATES)
    monkeypatch.setattr(narrative, "domain_gap", lambda f: Finding(
        "Domain gap", "A rises from 0.787 to 0.862." + narrative.detection_reason(f)))
    assert "0.599" in narrative.domain_gap(found).text
    assert narrative.hand_detection(found) is None


def test_the_rates_are_a_finding_of_their_own_when_the_domain_gap_does_not_quote_them(
        monkeypatch):
    found = facts(RATES)
    monkeypatch.setattr(narrative, "domain_gap", lambda f: Finding(
        "Domain gap", "MobileNet drops from 0.929 to 0.343."))
    text = narrative.hand_detection(found).text
    assert "0.931 of the training photos that show one (0.599 in its first pass)" in text


def test_rates_of_other_photo_sets_keep_the_finding(monkeypatch):
    found = facts({**RATES, "bad photos": {"first_pass": 0.5, "after_retries": 0.7}})
    monkeypatch.setattr(narrative, "domain_gap", lambda f: Finding(
        "Domain gap", "A rises." + narrative.detection_reason(f)))
    assert "0.700 of the bad photos" in narrative.hand_detection(found).text


def test_without_rates_there_is_no_finding():
    assert narrative.hand_detection(facts({})) is None

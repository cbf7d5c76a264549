"""What the key findings are computed from (``Facts``), and what each one is (``Finding``)."""
from __future__ import annotations

from dataclasses import dataclass, field

from asl.report.candidates import Candidate
from asl.report.decision import Recommendation
from asl.report.significance import Significance


@dataclass
class Finding:
    title: str
    text: str


@dataclass
class Facts:
    """What the findings are computed from."""

    models: list[Candidate]
    significance: Significance
    recommendation: Recommendation | None
    roles: dict                 # role -> Candidate (baseline, leakage_control)
    exploration: dict | None    # the exploration notebook's metrics
    reference: dict             # the original study's published accuracies
    ideas: list = field(default_factory=list)          # measured ideas (asl.report.ideas)
    detection: dict = field(default_factory=dict)      # a keypoint variant's detection rates

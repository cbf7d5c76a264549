"""How long a build has left: each run's expected time, from the last build's manifest or the
typical minutes declared in variants.yaml, less what the build has already done."""
from __future__ import annotations

from statistics import mean

OK = ("done", "cached")


def expected_seconds(runs, previous: dict, quick: bool) -> dict[str, float | None]:
    """Run name -> the seconds it should take: its time in the last manifest (of a build of the
    same kind, quick or full), else the mean of its variant's runs there, else the variant's
    ``minutes:`` (declared for full builds), else None (not known)."""
    entries = (previous.get("variants") or {}) if bool(previous.get("quick")) == quick else {}
    by_run, by_variant = {}, {}
    for name, entry in entries.items():
        seconds = entry.get("seconds")
        if entry.get("status") in OK and isinstance(seconds, (int, float)) and seconds > 0:
            by_run[name] = float(seconds)
            by_variant.setdefault(entry.get("variant") or name, []).append(float(seconds))
    expected = {}
    for run in runs:
        minutes = None if quick else getattr(run.variant, "minutes", None)
        expected[run.name] = by_run.get(run.name) or (
            mean(by_variant[run.variant.name]) if run.variant.name in by_variant else
            minutes * 60 if minutes else None)
    return expected


def seconds_left(expected: dict[str, float | None], finished: dict[str, float | None],
                 running: dict[str, float], jobs: int) -> float | None:
    """Seconds until the runs not ``finished`` (name -> seconds taken, None if it never ran)
    are done, ``jobs`` at a time, the ``running`` ones (name -> seconds so far) counted from
    where they are. A run of unknown time counts as the mean of the runs finished so far; None
    while there are none."""
    left = [name for name in expected if name not in finished]
    taken = [seconds for seconds in finished.values() if seconds]
    typical = mean(taken) if taken else None
    total = 0.0
    for name in left:
        seconds = expected[name] if expected[name] is not None else typical
        if seconds is None:
            return None
        total += max(0.0, seconds - running.get(name, 0.0))
    return total / max(1, min(jobs, len(left)))


def duration(seconds: float | None) -> str:
    """``"about 1 h 12 min left"``, ``"about 5 min left"``, ``"under a minute left"``."""
    if seconds is None:
        return "time left known once a run has ended"
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute left"
    if minutes < 60:
        return f"about {minutes} min left"
    return f"about {minutes // 60} h {minutes % 60:02d} min left"

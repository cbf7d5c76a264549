"""Waiting for the run a run uses (``uses:``): the one loop both runners (local processes and
the Dask cluster) start their runs through."""
from __future__ import annotations

from typing import Callable, Iterator

from asl.engine.plan import Run
from asl.engine.records import BuildRecord


def used_state(run: Run, queued: set[str], records: dict[str, BuildRecord]) -> str:
    """How the run that ``run`` uses stands: "ready" (none, or cached, or done in this build),
    "waiting" (to run in this build) or "failed"."""
    if run.uses is None or run.uses.name not in queued:
        return "ready"
    record = records.get(run.uses.name)
    if record is None:
        return "waiting"
    return "ready" if record.ok else "failed"


def ready_runs(pending: list[tuple[Run, str]], queued: set[str],
               records: dict[str, BuildRecord],
               not_run: Callable[[Run, str], BuildRecord]) -> Iterator[tuple[Run, str]]:
    """The ``(run, fingerprint)`` pairs of ``pending`` that can start now, in order (the caller
    takes a pair out of ``pending`` when it starts it); a pair whose used run failed is taken
    out at once and recorded by ``not_run``. Pairs still waiting stay."""
    for pair in list(pending):
        state = used_state(pair[0], queued, records)
        if state == "failed":
            pending.remove(pair)
            records[pair[0].name] = not_run(*pair)
        elif state == "ready":
            yield pair

"""Waiting for the runs a run uses (``uses:``): the one loop both runners (local processes and
the Dask cluster) start their runs through."""
from __future__ import annotations

from typing import Callable, Iterator

from asl.engine.plan import Run
from asl.engine.records import BuildRecord


def used_state(used: Run, queued: set[str], records: dict[str, BuildRecord]) -> str:
    """How a used run stands: "ready" (not in this build's queue: cached, or done in this
    build), "waiting" (to run in this build) or "failed"."""
    if used.name not in queued:
        return "ready"
    record = records.get(used.name)
    if record is None:
        return "waiting"
    return "ready" if record.ok else "failed"


def ready_runs(pending: list[tuple[Run, str]], queued: set[str],
               records: dict[str, BuildRecord],
               not_run: Callable[[Run, str, str], BuildRecord]) -> Iterator[tuple[Run, str]]:
    """The ``(run, fingerprint)`` pairs of ``pending`` whose used runs are all ready, in order
    (the caller takes a pair out of ``pending`` when it starts it); a pair one of whose used
    runs failed is taken out at once and recorded by ``not_run(run, fingerprint, failed run's
    name)``. Pairs still waiting stay."""
    for pair in list(pending):
        states = {used.name: used_state(used, queued, records) for used in pair[0].uses}
        failed = [name for name, state in states.items() if state == "failed"]
        if failed:
            pending.remove(pair)
            records[pair[0].name] = not_run(*pair, failed[0])
        elif "waiting" not in states.values():
            yield pair

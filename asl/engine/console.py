"""What a build prints while its runs are busy: what each run is doing, with its count, at least
every ``HEARTBEAT_SECONDS``; and for the whole build the runs done out of the runs planned and
the time left. On a terminal the build's line is a tqdm bar; a log written to a file or a CI
console gets plain lines, never control characters."""
from __future__ import annotations

import sys
import time

from asl import progress
from asl.engine.estimate import duration, seconds_left

HEARTBEAT_SECONDS = 25
"""A running run's line is repeated at least this often, even when nothing changed."""
UPDATE_SECONDS = 10
"""A new count (epoch, photos) within the same stage is shown at most this often."""


def line(text: str) -> None:
    """Print one line, above the build's bar if there is one."""
    from tqdm import tqdm

    tqdm.write(text, file=sys.stdout)
    sys.stdout.flush()


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 \
        else f"{minutes}:{seconds:02d}"


def due(state: dict | None, shown: dict | None, since: float) -> bool:
    """Whether a run's line is due: its stage changed, its count changed ``UPDATE_SECONDS``
    after the last line, or ``HEARTBEAT_SECONDS`` passed since the last line."""
    if since >= HEARTBEAT_SECONDS:
        return True
    if not state:
        return False
    if shown is None or state.get("stage") != shown.get("stage"):
        return True
    return progress.describe(state) != progress.describe(shown) and since >= UPDATE_SECONDS


def doing(state: dict | None, elapsed: float) -> str:
    """``"training epoch 7/15  [16:23]"``: what a run is doing, and for how long."""
    return f"{progress.describe(state) + '  ' if state else ''}[{clock(elapsed)}]"


class BuildProgress:
    """Runs done out of runs planned and the time left, printed at the start and as each run
    ends (a tqdm bar on a terminal, kept up to date while the runs are busy)."""

    def __init__(self, expected: dict[str, float | None], jobs: int):
        self.expected, self.jobs = expected, jobs
        self.finished: dict[str, float | None] = {}
        self.started_at: dict[str, float] = {}
        self.bar = None
        if not expected:             # everything cached: nothing to count
            return
        if sys.stdout.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=len(expected), file=sys.stdout, dynamic_ncols=True,
                            bar_format="build {n}/{total} runs |{bar:24}| {desc}")
        self.show()

    def left(self) -> float | None:
        now = time.monotonic()
        running = {name: now - start for name, start in self.started_at.items()
                   if name not in self.finished}
        return seconds_left(self.expected, self.finished, running, self.jobs)

    def time_left(self) -> str:
        """``"about 42 min left"``."""
        return duration(self.left()) if len(self.finished) < len(self.expected) else "none left"

    def show(self) -> None:
        """``build: 3/13 runs done, about 42 min left``, or the bar brought up to date."""
        if self.bar is None:
            line(f"build: {len(self.finished)}/{len(self.expected)} runs done, "
                 f"{self.time_left()}")
        else:
            self.bar.n = len(self.finished)
            self.bar.set_description_str(self.time_left())

    def started(self, name: str) -> None:
        self.started_at[name] = time.monotonic()

    def ended(self, name: str, seconds: float | None) -> None:
        """A run ended (``seconds`` None: it never started); print the new count and estimate."""
        self.finished[name] = seconds
        self.show()

    def refresh(self) -> None:
        """Keep the bar's time left current (plain lines change only as runs end)."""
        if self.bar is not None:
            self.bar.set_description_str(self.time_left())

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

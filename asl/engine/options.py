"""What a build is asked to do: the options the CLI fills from the command line."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from asl import config

DEFAULT_JOBS = None
"""--jobs default, measured with bench/bench_build.py on 2 cores: a quick build is mostly kernel
start-up and imports, so two at a time is faster (128 s vs 194 s); a full build is TensorFlow
training that already uses every core, so one at a time."""


def default_jobs(quick: bool) -> int:
    from asl.engine.manifest import cores

    return min(2, cores()) if quick else 1


@dataclass
class Options:
    """Everything a build needs; the CLI fills it from the command line."""

    data: str | None = None
    wild: str | None = None
    weights: str | None = None
    quick: bool = False
    variants: list[str] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    force: list[str] = field(default_factory=list)      # variant names, or "*" for all
    jobs: int | None = DEFAULT_JOBS
    seeds: int | None = None                            # training seeds per variant
    max_runs: int | None = None                         # largest sweep allowed (default 50)
    render_only: bool = False
    allow_failed: bool = False
    allow_mixed_data: bool = False
    timeout: float | None = None
    cluster: str | None = None      # Dask scheduler address, or "local"; None: local processes
    cluster_files: str = "auto"     # how a cluster's results come back: auto | shared | archive
    variants_file: Path = config.VARIANTS_FILE
    notebooks_dir: Path = config.NOTEBOOKS_DIR
    out: Path | None = None

    @property
    def out_dir(self) -> Path:
        if self.out:
            return Path(self.out)
        return config.QUICK_REPORT_DIR if self.quick else config.REPORT_DIR

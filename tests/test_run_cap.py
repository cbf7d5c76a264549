"""`--max-runs` caps the runs of each variant as it caps a sweep's: `--seeds 1000` is refused
before anything runs, naming the value."""
from __future__ import annotations

from helpers import run_cli, seeded_project


def test_seeds_count_against_max_runs(tmp_path, capsys):
    project, args = seeded_project(tmp_path)
    code, out, err = run_cli(capsys, [*args, "--seeds", "1000"])
    assert code == 2
    assert ("--seeds 1000 makes 1000 runs of alpha, more than 50: give fewer seeds, or allow it "
            "with --max-runs 1000") in err
    assert "running" not in out and not (project.out / "variants").exists()
    code, out, _ = run_cli(capsys, [*args, "--seeds", "3", "--max-runs", "2"])
    assert code == 2
    code, out, _ = run_cli(capsys, [*args, "--seeds", "2", "--max-runs", "2"])
    assert code == 0 and "alpha.seed2" in out

"""A built run, for ``build.py evaluate`` and ``predict``: its folder (checked, with one message
for an unknown variant and for a seed never built) and the paths it was built with."""
from __future__ import annotations

from pathlib import Path

from asl import config
from asl.engine.cache import read_stamp
from asl.engine.plan import seeds_on_disk
from asl.engine.variants import read_yaml
from asl.errors import UsageError, VariantError


def run_folder(variants_dir: Path, name: str, seed: int) -> Path:
    """The folder of a variant's run: ``NAME.seedK`` for a seeded variant, else ``NAME``."""
    seeded = variants_dir / f"{name}.seed{seed}"
    return seeded if seeded.exists() or not (variants_dir / name).exists() else variants_dir / name


def built_seeds(variants_dir: Path, name: str) -> list[int]:
    """The training seeds of ``name`` with results in ``variants_dir``."""
    return [seed for seed in seeds_on_disk(variants_dir, name)
            if (variants_dir / f"{name}.seed{seed}" / "metrics.json").exists()]


def built_run(name: str, seed: int, out: Path, quick: bool, given_out: Path | None) -> Path:
    """The folder of run ``name`` (training seed ``seed``) in ``out``; a VariantError for a
    variant variants.yaml does not declare, a UsageError for a run never built, whose
    suggestion repeats --quick and --out."""
    variants_dir = out / "variants"
    declared = read_yaml(config.VARIANTS_FILE) or {}
    names = list(declared.get("variants") or {}) if isinstance(declared, dict) else []
    if name not in names and not (variants_dir / name).exists() and not built_seeds(variants_dir,
                                                                                    name):
        raise VariantError(f"unknown variant {name!r}; choose from {', '.join(names)}")
    folder = run_folder(variants_dir, name, seed)
    if (folder / "metrics.json").exists():
        return folder
    build = " ".join(["python build.py", *(["--quick"] if quick else []),
                      *([f"--out {given_out}"] if given_out else []), f"--variant {name}"])
    seeds = built_seeds(variants_dir, name)
    if seeds:
        raise UsageError(f"variant {name!r} has no run of training seed {seed} in {variants_dir} "
                         f"(built: seed {', '.join(map(str, seeds))}): choose one with --seed K, "
                         f"or build it ({build} --seeds {seed})")
    raise UsageError(f"variant {name!r} has no results in {variants_dir}: build it first "
                     f"({build})")


def weights_for(folder: Path, given: str | None) -> str:
    """The weights file (the hand models lie beside it) for a run: --weights or $ASL_WEIGHTS if
    given, else the one the run was built with, else the one beside the data it was built on."""
    chosen = config.weights_path(given, "")
    if chosen:
        return chosen
    paths = (read_stamp(folder) or {}).get("paths") or {}
    return paths.get("weights") or config.weights_path(None, paths.get("data") or "")

"""The runs of a build: the chosen variants with their final parameters, one run per training
seed.

Values are layered in this order: notebook default < ``variants.yaml`` < ``quick:`` (with
``--quick``, only keys the notebook has) < the sweep's values < ``-p key=value``. A variant with
``uses: other`` starts from ``other``'s final parameters, its own layers go on top; its run of
training seed k gets the folder of ``other``'s run of seed k as ``uses_dir``, runs after it and
is fingerprinted with it. ``uses: [first, second]`` starts from ``first``'s parameters; its run
of seed k comes after the runs of seed k of each (their folders as ``uses_dirs``, ``first``'s as
``uses_dir``) and is fingerprinted with all of them. Building it builds (or takes from the
cache) the runs it uses, with the same ``-p`` overrides. ``select`` returns new records and
leaves the table as it was read.
"""
from __future__ import annotations

import glob
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from asl.config import DEFAULT_SEEDS, SEED_PARAMETER
from asl.engine import variants
from asl.engine.options import Options
from asl.engine.parameters import (SET_BY_BUILD, convert, describe_rule, known, parse_overrides,
                                   permits, rule_for)
from asl.engine.variants import Table, Variant
from asl.errors import VariantError

MAX_RUNS = 50
"""A variant or sweep of more runs (combinations times seeds) is refused unless ``--max-runs``
allows it."""


@dataclass
class Resolved(Variant):
    """A variant chosen for a build, with its final parameter values and where each came from."""

    parameters: dict = field(default_factory=dict)   # final values (no reserved names)
    origin: dict = field(default_factory=dict)       # name -> "variants.yaml" | "quick" | "-p"


@dataclass
class Run:
    """One execution of a variant: with one training seed, or its only run."""

    variant: Variant
    seed: int | None = None
    uses: tuple[Run, ...] = ()              # the runs whose output this one builds on

    @property
    def name(self) -> str:
        """``cnn_scratch.seed2``; the variant's name for a variant without seeds."""
        return self.variant.name if self.seed is None else f"{self.variant.name}.seed{self.seed}"

    @property
    def parameters(self) -> dict:
        extra = {} if self.seed is None else {SEED_PARAMETER: self.seed}
        # a run found on disk (not chosen for this build) has no resolved values
        return {**getattr(self.variant, "parameters", {}), **extra}

    @property
    def notebook(self) -> Path:
        return self.variant.notebook

    @property
    def timeout(self) -> float | None:
        return self.variant.timeout

    @property
    def gpu(self) -> bool | None:
        return self.variant.gpu


def load_plan(options: Options) -> tuple[Table, list[Run]]:
    """Read and check the variants, overrides and --force names (before anything runs); return
    the table and the runs to consider (one per variant and training seed)."""
    table = variants.load(options.variants_file, options.notebooks_dir)
    for warning in table.warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    chosen = select(table, options.variants, parse_overrides(options.overrides), options.quick)
    runs = expand(chosen, options.seeds, options.quick)
    names = [v.name for v in chosen]
    names += [sweep for sweep in table.sweeps if any(v.sweep == sweep for v in chosen)]
    for name in options.force:
        if name != "*" and name not in names and name not in [r.name for r in runs]:
            where = "known" if name not in table.variants else "being built (see --variant)"
            raise VariantError(f"--force {name}: not a variant {where}; "
                               f"choose from {', '.join(names)}")
    return table, runs


def select(table: Table, names: list[str] | None, overrides: dict[str, str],
           quick: bool) -> list[Resolved]:
    """The variants to build (all if ``names`` is empty, else in the order given), each after
    the variants it uses (added if not named), with their final parameters. ``-p`` overrides
    apply to every one of them and must be a parameter of each.
    """
    rows = [table.variants[name] for name in _named(table, names)] if names \
        else list(table.variants.values())
    rows = list({used.name: used for row in rows for used in _lineage(row)}.values())
    resolved: dict[str, Resolved] = {}

    def resolve(row: Variant) -> Resolved:
        if row.name not in resolved:
            used = tuple(resolve(variant) for variant in row.uses)
            resolved[row.name] = _resolve(row, used, table, overrides, quick)
        return resolved[row.name]

    return [resolve(row) for row in rows]


def _named(table: Table, names: list[str]) -> list[str]:
    """The variants ``names`` stand for (a sweep for all its members), each once."""
    valid = ", ".join([*(n for n in table.variants if not table.variants[n].sweep),
                       *table.sweeps])
    wanted = []
    for name in names or []:
        if name in table.sweeps:
            wanted += table.sweeps[name]
        elif name in table.variants:
            wanted.append(name)
        else:
            raise VariantError(f"unknown variant {name!r}; valid: {valid}")
    return list(dict.fromkeys(wanted))


def _resolve(row: Variant, used: tuple[Resolved, ...], table: Table, overrides: dict,
             quick: bool) -> Resolved:
    """``row`` with its final values: its notebook's defaults, the first used variant's values,
    then its layers; each checked against its type and ``allowed:``."""
    swept = set(row.swept) & set(overrides)
    if swept:
        raise VariantError(f"-p {', '.join(sorted(swept))}: swept by {row.sweep} "
                           f"(change its sweep: in variants.yaml, or --variant others)")
    variant = Resolved(**{f.name: getattr(row, f.name) for f in fields(Variant)})
    variant.uses = used
    layers = [(row.settings, "variants.yaml")]
    if quick:
        layers.append(({k: v for k, v in table.quick.items() if k in row.declared}, "quick"))
    layers += [(row.swept, "sweep"), (overrides, "-p")]
    variant.parameters = {k: p.default for k, p in row.declared.items() if k not in SET_BY_BUILD}
    if used:                            # its starting point: the first used variant's values
        first = used[0]
        for key, value in first.parameters.items():
            if key in variant.parameters:
                variant.parameters[key] = value
                if key in first.origin:
                    variant.origin[key] = f"{first.origin[key]} of {first.name}"
    if "variant" in row.declared:             # a notebook that asks for its variant's name
        variant.parameters["variant"], variant.origin["variant"] = row.name, "build"
    for values, origin in layers:
        for key, value in values.items():
            where = f"variant {row.name}" if origin != "quick" else "quick"
            parameter = known(row.declared, key, where)
            variant.parameters[key] = convert(parameter, value, f"{where} ({origin})")
            variant.origin[key] = origin
    for key, value in variant.parameters.items():
        rule = rule_for(table.allowed, key, row.notebook)
        if not permits(rule, value):
            origin = variant.origin.get(key, f"default of {row.notebook.name}")
            raise VariantError(f"variant {row.name}: {key}={value!r} ({origin}) is not "
                               f"allowed: {key} must be {describe_rule(rule)} "
                               f"(`allowed:` in {table.path.name})")
    return variant


def _lineage(variant: Variant) -> list[Variant]:
    """The variants ``variant`` builds on, each after those it builds on, then itself (a
    variant reached twice is listed twice)."""
    return [before for used in variant.uses for before in _lineage(used)] + [variant]


def expand(chosen: list[Variant], seeds: int | None, quick: bool) -> list[Run]:
    """The runs of the chosen variants: ``--seeds`` if given, else 3 for a full build and 1 for
    a quick one, at most the variant's ``seeds:`` (a control that needs one run declares
    ``seeds: 1``); one run for a notebook without seeds. A run of a variant with ``uses:`` comes
    after the runs it uses (the same seed; the only run of a variant without seeds), added if
    needed."""
    runs: dict[tuple[str, int | None], Run] = {}

    def run_of(variant: Variant, seed: int | None) -> Run:
        if (variant.name, seed) not in runs:
            used = tuple(run_of(other, seed if other.seeded else None) for other in variant.uses)
            runs[variant.name, seed] = Run(variant, seed, used)
        return runs[variant.name, seed]

    for variant in chosen:
        count = seeds or DEFAULT_SEEDS["quick" if quick else "full"]
        count = min(count, variant.seeds) if variant.seeds else count
        for seed in range(1, count + 1) if variant.seeded else [None]:
            run_of(variant, seed)
    return list(runs.values())


def check_run_counts(runs: list[Run], max_runs: int | None, seeds: int | None = None) -> None:
    """Refuse a sweep, or a variant, of more runs than ``max_runs`` (default ``MAX_RUNS``):
    the runs of a sweep are its combinations times the seeds, those of a variant its seeds."""
    limit = max_runs or MAX_RUNS
    counts: dict[str, int] = {}
    for run in runs:
        group = run.variant.sweep or run.variant.name
        counts[group] = counts.get(group, 0) + 1
    for group, count in counts.items():
        if count <= limit:
            continue
        if group in {run.variant.sweep for run in runs}:
            raise VariantError(f"sweep {group} expands to {count} runs (combinations times "
                               f"seeds), more than {limit}: sweep fewer values, or allow it "
                               f"with --max-runs {count}")
        given = f"--seeds {seeds}" if seeds else f"`seeds: {count}` in variants.yaml"
        raise VariantError(f"{given} makes {count} runs of {group}, more than {limit}: give "
                           f"fewer seeds, or allow it with --max-runs {count}")


def seeds_on_disk(variants_dir: Path, name: str) -> list[int]:
    """The training seeds of the ``NAME.seedK`` folders earlier builds left in ``variants_dir``."""
    pattern = re.compile(rf"{re.escape(name)}\.seed(\d+)")
    return sorted(int(match.group(1)) for path in variants_dir.glob(f"{glob.escape(name)}.seed*")
                  if (match := pattern.fullmatch(path.name)))


def runs_on_disk(variant: Variant, variants_dir: Path) -> list[Run]:
    """The runs of a variant that earlier builds left in the output folder."""
    if not variant.seeded:
        return [Run(variant)]
    return [Run(variant, seed) for seed in seeds_on_disk(variants_dir, variant.name)]


def all_runs(table: Table, chosen: list[Run], variants_dir: Path,
             options: Options) -> dict[str, list[Run]]:
    """Variant name -> the runs the report shows: this build's for the chosen variants, the
    ones on disk (else the default seeds) for the others and for every variant of a
    --render-only build, which runs nothing."""
    shown = {name: [] if options.render_only else [r for r in chosen if r.variant.name == name]
             for name in table.variants}
    for name, variant in table.variants.items():
        if not shown[name]:
            shown[name] = runs_on_disk(variant, variants_dir) or \
                expand([variant], options.seeds, options.quick)
    return shown

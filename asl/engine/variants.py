"""The variants table as read from ``variants.yaml`` and each notebook's parameters cell.

A variant is a notebook and the parameters that differ from the notebook's defaults. A variant
with ``sweep:`` (lists of values per parameter) stands for one variant per combination, named
``cnn_lr[learning_rate=0.0003,epochs=20]``; ``--variant cnn_lr`` builds them all. Parameter
names, types and defaults come from the notebook's tagged ``parameters`` cell (read with
``papermill.inspect_notebook``, without running anything); unknown names, wrong types and values
outside what ``allowed:`` permits are refused before anything runs. A variant with ``uses:
other`` (or ``uses: [first, second]``) builds on other variants' output (see ``plan``). This
module only reads and checks the table; ``plan.select`` turns it into the runs of a build
without changing it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from asl.config import SEED_PARAMETER
from asl.engine.parameters import (USES_LIST_PARAMETER, USES_PARAMETER, Parameter, check_allowed,
                                   convert, inspect_parameters, known)
from asl.engine.sweeps import combinations, label, sweep_name
from asl.errors import VariantError

ENTRY_KEYS = {"notebook", "title", "description", "role", "parameters", "seeds", "timeout",
              "gpu", "sweep", "uses", "minutes"}
ROLES = ("baseline", "leakage_control", "ablation")


@dataclass
class Variant:
    """One row of variants.yaml with its notebook's parameters, as declared."""

    name: str
    notebook: Path
    title: str
    description: str
    declared: dict[str, Parameter]          # the notebook's parameters cell
    settings: dict                          # the variant's `parameters:` in variants.yaml
    role: str | None = None
    seeds: int | None = None                # training seeds; None: the build's default
    timeout: float | None = None
    gpu: bool | None = None     # True: needs a GPU; False: never uses one; None: one if there is
    sweep: str | None = None                # the sweep it belongs to (its name in variants.yaml)
    swept: dict = field(default_factory=dict)        # its values of the swept parameters
    uses: tuple[Variant, ...] = ()          # the variants whose runs' output it builds on
    minutes: float | None = None            # typical minutes of one full-build run (estimates)

    @property
    def seeded(self) -> bool:
        """Its notebook takes a training seed, so it runs once per seed."""
        return SEED_PARAMETER in self.declared


@dataclass
class Table:
    """Everything variants.yaml declares."""

    variants: dict[str, Variant]
    quick: dict
    path: Path
    study: dict = field(default_factory=dict)   # reference figures and criteria for the report
    sweeps: dict[str, list[str]] = field(default_factory=dict)   # sweep -> its variants' names
    allowed: dict = field(default_factory=dict)  # parameter -> choices, bounds, or per notebook
    warnings: list[str] = field(default_factory=list)   # printed before the build


def load(variants_file: Path, notebooks_dir: Path) -> Table:
    """Read variants.yaml and each notebook's parameters cell; check every declared value."""
    variants_file = Path(variants_file)
    where = variants_file.name
    raw = _read_table(variants_file)
    notebooks: dict[Path, dict[str, Parameter]] = {}
    variants, sweeps, uses = {}, {}, {}
    for name, entry in (raw.get("variants") or {}).items():
        rows = _rows(name, entry, raw, Path(notebooks_dir), notebooks, f"{where}: variant {name}")
        if "sweep" in entry:
            sweeps[name] = [row.name for row in rows]
        for row in rows:
            variants[row.name], uses[row.name] = row, entry.get("uses")
    if not variants:
        raise VariantError(f"{variants_file} declares no variants")
    _link_uses(variants, sweeps, uses, where)
    allowed = check_allowed(raw.get("allowed") or {}, where)
    quick = raw.get("quick") or {}
    if not isinstance(quick, dict):
        raise VariantError(f"{where}: quick: expected name: value lines, got {quick!r}")
    names = {name for declared in notebooks.values() for name in declared}
    warnings = [f"{where}: {section}: {key} is not a parameter of any notebook, so it changes "
                f"nothing (a typo?)"
                for section, keys in (("quick", quick), ("allowed", allowed))
                for key in keys if key not in names]
    study = {"reference": raw.get("reference") or {},
             "min_train_accuracy": float(raw.get("min_train_accuracy", 0.0)),
             "ideas": _ideas(raw.get("ideas") or [], variants, where)}
    return Table(variants, quick, variants_file, study, sweeps, allowed, warnings)


def _read_table(variants_file: Path) -> dict:
    """The YAML mapping of variants.yaml, with ``variants:`` a mapping."""
    raw = read_yaml(variants_file) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("variants") or {}, dict):
        raise VariantError(f"{variants_file}: expected a mapping with `variants:` mapping each "
                           f"variant's name to its notebook, title and parameters (see the "
                           f"project's variants.yaml)")
    return raw


def _rows(name: str, entry, raw: dict, notebooks_dir: Path,
          notebooks: dict[Path, dict[str, Parameter]], where: str) -> list[Variant]:
    """The variant an entry declares, or one per combination of its ``sweep:``."""
    if not isinstance(entry, dict):
        raise VariantError(f"{where}: expected a mapping such as `notebook: cnn.ipynb` "
                           f"with title, parameters, ...; got {entry!r}")
    unknown = set(entry) - ENTRY_KEYS
    if unknown or "notebook" not in entry:
        raise VariantError(f"{where}: needs 'notebook', may have {', '.join(sorted(ENTRY_KEYS))}"
                           f"; unknown: {', '.join(sorted(unknown)) or 'none'}")
    notebook = notebooks_dir / entry["notebook"]
    if notebook not in notebooks:
        notebooks[notebook] = inspect_parameters(notebook)
    declared = notebooks[notebook]
    settings = _settings(entry.get("parameters") or {}, declared, where)
    title = entry.get("title", name)
    common = dict(notebook=notebook, description=" ".join(str(entry.get("description", "")).split()),
                  declared=declared, role=_role(entry, where), seeds=_seeds(entry, where),
                  timeout=_timeout(entry.get("timeout", raw.get("timeout")), where),
                  gpu=_gpu(entry, where), minutes=_minutes(entry, where))
    if "sweep" not in entry:
        return [Variant(name, title=title, settings=settings, **common)]
    rows = []
    for combination in combinations(entry["sweep"], declared, settings, where):
        values = ", ".join(f"{key} {label(value)}" for key, value in combination.items())
        rows.append(Variant(sweep_name(name, combination), title=f"{title} ({values})",
                            settings=dict(settings), sweep=name, swept=combination, **common))
    return rows


def _settings(settings, declared: dict[str, Parameter], where: str) -> dict:
    """A variant's ``parameters:``, each a parameter of its notebook, typed."""
    if not isinstance(settings, dict):
        raise VariantError(f"{where}: parameters: expected name: value lines, got {settings!r}")
    return {key: convert(known(declared, key, where), value, where)
            for key, value in settings.items()}


def _role(entry: dict, where: str) -> str | None:
    role = entry.get("role")
    if role is not None and role not in ROLES:
        raise VariantError(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def _seeds(entry: dict, where: str) -> int | None:
    seeds = entry.get("seeds")
    if seeds is not None and (type(seeds) is not int or seeds < 1):
        raise VariantError(f"{where}: seeds must be a whole number of at least 1, "
                           f"not {seeds!r}")
    return seeds


def _gpu(entry: dict, where: str) -> bool | None:
    gpu = entry.get("gpu")
    if gpu not in (None, True, False):
        raise VariantError(f"{where}: gpu must be true (needs a GPU) or false (never uses "
                           f"one), not {gpu!r}; leave it out to use a GPU where there is one")
    return gpu


def _minutes(entry: dict, where: str) -> float | None:
    minutes = entry.get("minutes")
    if minutes is not None and (type(minutes) not in (int, float) or not minutes > 0):
        raise VariantError(f"{where}: minutes must be a number above 0, not {minutes!r}")
    return minutes


def _timeout(timeout, where: str) -> float | None:
    if timeout is not None and (type(timeout) not in (int, float) or not timeout > 0):
        raise VariantError(f"{where}: timeout must be a number of seconds above 0, "
                           f"not {timeout!r}")
    return timeout


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (YAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        lines = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in lines:
                raise VariantError(f"{key!r} is given twice, on lines {lines[key]} and {line}: "
                                   f"keep one")
            lines[key] = line
        return super().construct_mapping(node, deep)


def read_yaml(path: Path):
    """The YAML document in ``path``; a duplicate key or a syntax error is a VariantError."""
    try:
        return yaml.load(path.read_text(), Loader=_UniqueKeyLoader)
    except VariantError as error:
        raise VariantError(f"{path}: {error}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise VariantError(f"cannot read {path}: {error}") from None


def _link_uses(variants: dict[str, Variant], sweeps: dict, uses: dict, where: str) -> None:
    """Point each variant with ``uses:`` (one name or a list) at the variants it builds on;
    refuse what ``_used_names`` and ``_check_use`` refuse, and cycles."""
    for name, named in uses.items():
        if named is None:
            continue
        variant = variants[name]
        here = f"{where}: variant {variant.sweep or name}: uses:"
        names = _used_names(named, variant, here)
        for used in names:
            _check_use(variant, used, variants, sweeps, f"{here} {used!r}")
        variant.uses = tuple(variants[used] for used in names)
    _refuse_cycles(variants, where)


def _used_names(named, variant: Variant, here: str) -> list:
    """The names ``uses:`` gives: one, or a list of at least one, each once; a list of more
    than one needs a notebook that can receive all their folders."""
    names = named if isinstance(named, list) else [named]
    if not names:
        raise VariantError(f"{here} [] names no variant: name the variant(s) whose runs' output "
                           f"this one builds on, or leave `uses:` out")
    repeated = [used for i, used in enumerate(names) if used in names[:i]]
    if repeated:
        raise VariantError(f"{here} {named!r} names {repeated[0]!r} twice: name each variant "
                           f"once")
    if len(names) > 1 and USES_LIST_PARAMETER not in variant.declared:
        raise VariantError(f"{here} {named!r}: its notebook {variant.notebook.name} has no "
                           f"`{USES_LIST_PARAMETER}` parameter to receive their run folders "
                           f"(declare `{USES_LIST_PARAMETER} = []`)")
    return names


def _check_use(variant: Variant, used, variants: dict[str, Variant], sweeps: dict,
               here: str) -> None:
    """Refuse a used name that is not a variant or is a whole sweep, a notebook that cannot
    receive the folder, and seeds that do not pair up."""
    if isinstance(used, str) and used in sweeps:
        raise VariantError(f"{here} is a sweep: name one of its variants "
                           f"({', '.join(sweeps[used])})")
    if not isinstance(used, str) or used not in variants:
        raise VariantError(f"{here} is not a variant; name the variant whose runs' "
                           f"output this one builds on: {', '.join(variants)}")
    if USES_PARAMETER not in variant.declared:
        raise VariantError(f"{here}: its notebook {variant.notebook.name} has no "
                           f"`{USES_PARAMETER}` parameter to receive {used}'s run folder")
    if variants[used].seeded and not variant.seeded:
        raise VariantError(f"{here}: {used} runs once per training seed but "
                           f"{variant.notebook.name} has no `{SEED_PARAMETER}`, so no run "
                           f"of {used} can be paired with it")


def _refuse_cycles(variants: dict[str, Variant], where: str) -> None:
    """Refuse a variant that builds on itself, directly or through the variants it uses."""
    def follow(variant: Variant, chain: list[str]) -> None:
        for used in variant.uses:
            if used.name in chain:
                cycle = " uses ".join(chain[chain.index(used.name):] + [used.name])
                raise VariantError(f"{where}: `uses:` goes round in a circle ({cycle}): a "
                                   f"variant can only build on one that does not build on it")
            follow(used, chain + [used.name])

    for name, variant in variants.items():
        follow(variant, [name])


def _ideas(items: list, variants: dict, where: str) -> list[dict]:
    """The ``ideas:`` list: each a name and the two variants it tells apart."""
    for item in items:
        if not isinstance(item, dict) or set(item) != {"name", "with", "without"}:
            raise VariantError(f"{where}: each idea needs exactly name, with and without; got "
                               f"{item!r}")
        unknown = [item[k] for k in ("with", "without") if item[k] not in variants]
        if unknown:
            raise VariantError(f"{where}: idea {item['name']!r} names unknown variant(s) "
                               f"{', '.join(unknown)}; valid: {', '.join(variants)}")
    return items

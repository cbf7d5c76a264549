"""The variants table: ``variants.yaml`` plus the parameters cell of each notebook.

A variant is a notebook and the parameters that differ from the notebook's defaults; a run is
one execution of it, one per training seed when its notebook has a ``train_seed``. A variant
with ``sweep:`` (lists of values per parameter) stands for one variant per combination, named
``cnn_lr[learning_rate=0.0003,epochs=20]``; ``--variant cnn_lr`` builds them all. Parameter
names, types and defaults come from the notebook's tagged ``parameters`` cell (read with
``papermill.inspect_notebook``, without running anything). Values are layered in this order:
notebook default < ``variants.yaml`` < ``quick:`` (with ``--quick``, only keys the notebook has)
< the sweep's values < ``-p key=value``. Unknown names, wrong types and values outside what
``allowed:`` in variants.yaml permits are refused before anything runs.

A variant with ``uses: other`` builds on another variant's output: its run of training seed k
gets the folder of ``other``'s run of seed k as ``uses_dir``, runs after it and is fingerprinted
with it. It starts from ``other``'s final parameters; its own ``parameters:``, ``quick:``, its
sweep and ``-p`` go on top. Building it builds (or takes from the cache) the runs it uses, with
the same ``-p`` overrides.
"""
from __future__ import annotations

import ast
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from asl.config import BUILD_PARAMETERS, DEFAULT_SEEDS, SEED_PARAMETER
from asl.errors import VariantError

ENTRY_KEYS = {"notebook", "title", "description", "role", "parameters", "seeds", "timeout",
              "gpu", "sweep", "uses", "minutes"}
MAX_SWEEP_RUNS = 50
"""A sweep of more runs (combinations times seeds) is refused unless ``--max-runs`` allows it."""
NAME_UNSAFE = set("/\\[],= ")
ROLES = ("baseline", "leakage_control")
USES_PARAMETER = "uses_dir"
"""The notebook parameter that receives the folder of the run a run builds on (``uses:``); the
same name as ``asl.study.reuse.PARAMETER``."""
SET_BY_BUILD = (*BUILD_PARAMETERS, SEED_PARAMETER, USES_PARAMETER)
BOUNDS = {"min": (lambda v, b: v >= b, "at least"), "max": (lambda v, b: v <= b, "at most"),
          "above": (lambda v, b: v > b, "above"), "below": (lambda v, b: v < b, "below")}


@dataclass
class Parameter:
    """One name of a notebook's parameters cell."""

    name: str
    type: type | None       # None: the default is an expression, any value is accepted
    default: object
    help: str = ""

    @property
    def type_name(self) -> str:
        return self.type.__name__ if self.type else "any"


@dataclass
class Variant:
    """One row of variants.yaml with its notebook's parameters and the final values."""

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
    parameters: dict = field(default_factory=dict)   # final values (no reserved names)
    origin: dict = field(default_factory=dict)       # name -> "variants.yaml" | "quick" | "-p"
    sweep: str | None = None                # the sweep it belongs to (its name in variants.yaml)
    swept: dict = field(default_factory=dict)        # its values of the swept parameters
    uses: Variant | None = None             # the variant whose runs' output it builds on
    minutes: float | None = None            # typical minutes of one full-build run (estimates)

    @property
    def seeded(self) -> bool:
        """Its notebook takes a training seed, so it runs once per seed."""
        return SEED_PARAMETER in self.declared


@dataclass
class Run:
    """One execution of a variant: with one training seed, or its only run."""

    variant: Variant
    seed: int | None = None
    uses: Run | None = None                 # the run whose output this one builds on

    @property
    def name(self) -> str:
        """``cnn_scratch.seed2``; the variant's name for a variant without seeds."""
        return self.variant.name if self.seed is None else f"{self.variant.name}.seed{self.seed}"

    @property
    def parameters(self) -> dict:
        extra = {} if self.seed is None else {SEED_PARAMETER: self.seed}
        return {**self.variant.parameters, **extra}

    @property
    def notebook(self) -> Path:
        return self.variant.notebook

    @property
    def timeout(self) -> float | None:
        return self.variant.timeout

    @property
    def gpu(self) -> bool | None:
        return self.variant.gpu


def expand(chosen: list[Variant], seeds: int | None, quick: bool) -> list[Run]:
    """The runs of the chosen variants: ``--seeds`` if given, else the variant's ``seeds:``,
    else 3 for a full build and 1 for a quick one; one run for a notebook without seeds. A run
    of a variant with ``uses:`` comes after the run it uses (the same seed), added if needed."""
    runs: dict[tuple[str, int | None], Run] = {}

    def run_of(variant: Variant, seed: int | None) -> Run:
        if (variant.name, seed) not in runs:
            used = variant.uses and run_of(variant.uses, seed if variant.uses.seeded else None)
            runs[variant.name, seed] = Run(variant, seed, used or None)
        return runs[variant.name, seed]

    for variant in chosen:
        count = seeds or variant.seeds or DEFAULT_SEEDS["quick" if quick else "full"]
        for seed in range(1, count + 1) if variant.seeded else [None]:
            run_of(variant, seed)
    return list(runs.values())


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


def inspect_parameters(notebook: Path) -> dict[str, Parameter]:
    """Names, types and defaults of a notebook's tagged parameters cell."""
    import papermill

    if not notebook.exists():
        raise VariantError(f"notebook {notebook} does not exist")
    declared = {}
    for name, info in papermill.inspect_notebook(str(notebook)).items():
        try:
            default = ast.literal_eval(info["default"])
            kind = type(default) if default is not None else None
        except (ValueError, SyntaxError):
            default, kind = info["default"], None
        declared[name] = Parameter(name, kind, default, info.get("help", ""))
    if not declared:
        raise VariantError(f"{notebook} has no cell tagged 'parameters'")
    return declared


def convert(parameter: Parameter, value, where: str):
    """Check ``value`` (a string from -p, or a YAML value) against the parameter's type."""
    expected = parameter.type
    if isinstance(value, str) and expected is not str:
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError:
            pass
    elif isinstance(value, str) and value[:1] in "\"'" and value[-1:] == value[:1]:
        value = value[1:-1]
    if expected is float and isinstance(value, str):
        try:
            value = float(value)        # every float literal Python accepts: 1e-3, 1_000.5
        except ValueError:
            pass
    if expected is float and type(value) is int:
        value = float(value)
    if type(value) is float and not math.isfinite(value):
        raise VariantError(f"{where}: {parameter.name} must be a finite number, got {value!r}")
    if expected is None or type(value) is expected:
        return value
    raise VariantError(f"{where}: {parameter.name} must be {parameter.type_name} "
                       f"(default {parameter.default!r}), got {value!r}")


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


def load(variants_file: Path, notebooks_dir: Path) -> Table:
    """Read variants.yaml and each notebook's parameters cell; check every declared value."""
    variants_file = Path(variants_file)
    raw = read_yaml(variants_file) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("variants") or {}, dict):
        raise VariantError(f"{variants_file}: expected a mapping with `variants:` mapping each "
                           f"variant's name to its notebook, title and parameters (see the "
                           f"project's variants.yaml)")
    inspected: dict[Path, dict[str, Parameter]] = {}
    variants, sweeps, uses = {}, {}, {}
    for name, entry in (raw.get("variants") or {}).items():
        where = f"{variants_file.name}: variant {name}"
        if not isinstance(entry, dict):
            raise VariantError(f"{where}: expected a mapping such as `notebook: cnn.ipynb` "
                               f"with title, parameters, ...; got {entry!r}")
        unknown = set(entry) - ENTRY_KEYS
        if unknown or "notebook" not in entry:
            raise VariantError(f"{where}: needs 'notebook', may have {', '.join(sorted(ENTRY_KEYS))}"
                               f"; unknown: {', '.join(sorted(unknown)) or 'none'}")
        notebook = Path(notebooks_dir) / entry["notebook"]
        if notebook not in inspected:
            inspected[notebook] = inspect_parameters(notebook)
        declared = inspected[notebook]
        settings = entry.get("parameters") or {}
        if not isinstance(settings, dict):
            raise VariantError(f"{where}: parameters: expected name: value lines, got "
                               f"{settings!r}")
        for key, value in settings.items():
            settings[key] = convert(_known(declared, key, where), value, where)
        role = entry.get("role")
        if role is not None and role not in ROLES:
            raise VariantError(f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
        seeds = entry.get("seeds")
        if seeds is not None and (type(seeds) is not int or seeds < 1):
            raise VariantError(f"{where}: seeds must be a whole number of at least 1, "
                               f"not {seeds!r}")
        gpu = entry.get("gpu")
        if gpu not in (None, True, False):
            raise VariantError(f"{where}: gpu must be true (needs a GPU) or false (never uses "
                               f"one), not {gpu!r}; leave it out to use a GPU where there is one")
        title = entry.get("title", name)
        description = " ".join(str(entry.get("description", "")).split())
        timeout = entry.get("timeout", raw.get("timeout"))
        if timeout is not None and (type(timeout) not in (int, float) or not timeout > 0):
            raise VariantError(f"{where}: timeout must be a number of seconds above 0, "
                               f"not {timeout!r}")
        minutes = entry.get("minutes")
        if minutes is not None and (type(minutes) not in (int, float) or not minutes > 0):
            raise VariantError(f"{where}: minutes must be a number above 0, not {minutes!r}")
        if "sweep" not in entry:
            variants[name] = Variant(name, notebook, title, description, declared, settings,
                                     role, seeds, timeout, gpu, minutes=minutes)
            uses[name] = entry.get("uses")
            continue
        sweeps[name] = []
        for combination in _combinations(entry["sweep"], declared, settings, where):
            member = sweep_name(name, combination)
            sweeps[name].append(member)
            uses[member] = entry.get("uses")
            values = ", ".join(f"{key} {label(value)}" for key, value in combination.items())
            variants[member] = Variant(member, notebook, f"{title} ({values})", description,
                                       declared, dict(settings), role, seeds, timeout, gpu,
                                       sweep=name, swept=combination, minutes=minutes)
    if not variants:
        raise VariantError(f"{variants_file} declares no variants")
    _link_uses(variants, sweeps, uses, variants_file.name)
    allowed = _allowed(raw.get("allowed") or {}, variants_file.name)
    quick = raw.get("quick") or {}
    if not isinstance(quick, dict):
        raise VariantError(f"{variants_file.name}: quick: expected name: value lines, got "
                           f"{quick!r}")
    names = {name for declared in inspected.values() for name in declared}
    warnings = [f"{variants_file.name}: {section}: {key} is not a parameter of any notebook, "
                f"so it changes nothing (a typo?)"
                for section, keys in (("quick", quick), ("allowed", allowed))
                for key in keys if key not in names]
    study = {"reference": raw.get("reference") or {},
             "min_train_accuracy": float(raw.get("min_train_accuracy", 0.0)),
             "ideas": _ideas(raw.get("ideas") or [], variants, variants_file.name)}
    return Table(variants, quick, variants_file, study, sweeps, allowed, warnings)


def _link_uses(variants: dict[str, Variant], sweeps: dict, uses: dict, where: str) -> None:
    """Point each variant with ``uses:`` at the variant it builds on; refuse an unknown name,
    a whole sweep, a notebook that cannot receive the folder, seeds that do not pair up, and
    cycles."""
    for name, used in uses.items():
        if used is None:
            continue
        here = f"{where}: variant {variants[name].sweep or name}: uses: {used!r}"
        if used in sweeps:
            raise VariantError(f"{here} is a sweep: name one of its variants "
                               f"({', '.join(sweeps[used])})")
        if not isinstance(used, str) or used not in variants:
            raise VariantError(f"{here} is not a variant; name the variant whose runs' "
                               f"output this one builds on: {', '.join(variants)}")
        variant = variants[name]
        if USES_PARAMETER not in variant.declared:
            raise VariantError(f"{here}: its notebook {variant.notebook.name} has no "
                               f"`{USES_PARAMETER}` parameter to receive {used}'s run folder")
        if variants[used].seeded and not variant.seeded:
            raise VariantError(f"{here}: {used} runs once per training seed but "
                               f"{variant.notebook.name} has no `{SEED_PARAMETER}`, so no run "
                               f"of {used} can be paired with it")
        variant.uses = variants[used]
    for name, variant in variants.items():
        chain = [name]
        while variant.uses is not None:
            variant = variant.uses
            if variant.name in chain:
                cycle = " uses ".join(chain[chain.index(variant.name):] + [variant.name])
                raise VariantError(f"{where}: `uses:` goes round in a circle ({cycle}): a "
                                   f"variant can only build on one that does not build on it")
            chain.append(variant.name)


def label(value) -> str:
    """A swept value as it appears in a run's name: ``0.0003``, ``20``, ``true``, ``adam``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sweep_name(sweep: str, combination: dict) -> str:
    """``cnn_lr[learning_rate=0.0003,epochs=20]``: stable, readable, one folder per run."""
    return f"{sweep}[{','.join(f'{key}={label(value)}' for key, value in combination.items())}]"


def _combinations(sweep, declared: dict[str, Parameter], settings: dict,
                  where: str) -> list[dict]:
    """Every combination of a ``sweep:`` mapping's values, in the order written, typed."""
    example = "e.g. sweep: {learning_rate: [0.0003, 0.001], epochs: [10, 20]}"
    if not isinstance(sweep, dict) or not sweep:
        raise VariantError(f"{where}: sweep must map parameters to lists of values; {example}")
    values = {}
    for key, items in sweep.items():
        if not isinstance(items, list) or not items:
            raise VariantError(f"{where}: sweep {key} must be a non-empty list of values; "
                               f"{example}")
        if key in settings:
            raise VariantError(f"{where}: {key} is both in parameters and in sweep; keep one")
        parameter = _known(declared, key, where)
        typed = [convert(parameter, item, f"{where} (sweep)") for item in items]
        unsafe = [item for item in typed if set(label(item)) & NAME_UNSAFE]
        if unsafe or len(set(map(label, typed))) < len(typed):
            raise VariantError(f"{where}: sweep {key} values must be distinct and name a folder "
                               f"(no spaces or any of / \\ [ ] , =): {unsafe or typed}")
        values[key] = typed
    return [dict(zip(values, combination)) for combination in itertools.product(*values.values())]


def check_sweep_sizes(runs: list[Run], max_runs: int | None) -> None:
    """Refuse a sweep of more runs than ``max_runs`` (default ``MAX_SWEEP_RUNS``)."""
    limit = max_runs or MAX_SWEEP_RUNS
    counts: dict[str, int] = {}
    for run in runs:
        if run.variant.sweep:
            counts[run.variant.sweep] = counts.get(run.variant.sweep, 0) + 1
    for sweep, count in counts.items():
        if count > limit:
            raise VariantError(f"sweep {sweep} expands to {count} runs (combinations times "
                               f"seeds), more than {limit}: sweep fewer values, or allow it "
                               f"with --max-runs {count}")


def _allowed(allowed: dict, where: str) -> dict:
    """The ``allowed:`` section, checked: each rule a list of choices, bounds, or a rule per
    notebook file."""
    if not isinstance(allowed, dict):
        raise VariantError(f"{where}: allowed: must map parameter names to their allowed values")
    for name, rule in allowed.items():
        rules = rule.values() if _per_notebook(rule) else [rule]
        for one in rules:
            if not (isinstance(one, list) and one) and not (
                    isinstance(one, dict) and one and set(one) <= set(BOUNDS)
                    and all(type(b) in (int, float) for b in one.values())):
                raise VariantError(f"{where}: allowed: {name}: give a list of choices, bounds "
                                   f"({', '.join(BOUNDS)}: number) or one of these per notebook "
                                   f"file (cnn.ipynb: ...); got {one!r}")
    return allowed


def rule_for(allowed: dict, name: str, notebook: Path):
    """The allowed values of parameter ``name`` in ``notebook``: a list, bounds, or None."""
    rule = allowed.get(name)
    return rule.get(notebook.name) if _per_notebook(rule) else rule


def _per_notebook(rule) -> bool:
    return isinstance(rule, dict) and bool(rule) and all(str(k).endswith(".ipynb") for k in rule)


def permits(rule, value) -> bool:
    if rule is None:
        return True
    if isinstance(rule, list):
        return value in rule
    return type(value) in (int, float) and all(BOUNDS[k][0](value, b) for k, b in rule.items())


def describe_rule(rule) -> str:
    """``one of 'a', 'b'`` or ``at least 1 and below 1``."""
    if isinstance(rule, list):
        return "one of " + ", ".join(map(repr, rule))
    return " and ".join(f"{BOUNDS[k][1]} {b}" for k, b in rule.items())


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


def _known(declared: dict[str, Parameter], key: str, where: str) -> Parameter:
    if key == SEED_PARAMETER:
        raise VariantError(f"{where}: {key} is set for each run by the build: use --seeds N "
                           f"(or `seeds:` in variants.yaml), and `seed` for the split")
    if key in BUILD_PARAMETERS:
        raise VariantError(f"{where}: {key} is set by the build (use --data, --wild, --weights, "
                           f"--quick, --jobs), not as a parameter")
    if key == USES_PARAMETER:
        raise VariantError(f"{where}: {key} is set by the build to the folder of the run this "
                           f"one uses (`uses: VARIANT` in variants.yaml), not as a parameter")
    if key not in declared:
        valid = ", ".join(f"{p.name} ({p.type_name}, default {p.default!r})"
                          for p in declared.values() if p.name not in SET_BY_BUILD)
        raise VariantError(f"{where}: unknown parameter {key!r}; valid: {valid}")
    return declared[key]


def parse_overrides(items: list[str]) -> dict[str, str]:
    """``["epochs=5", "split=random"]`` -> ``{"epochs": "5", "split": "random"}`` (not typed yet)."""
    overrides = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise VariantError(f"-p {item!r}: expected key=value, e.g. -p epochs=5")
        overrides[key.strip()] = value.strip()
    return overrides


def select(table: Table, names: list[str] | None, overrides: dict[str, str],
           quick: bool) -> list[Variant]:
    """The variants to build (all if ``names`` is empty, else in the order given), each after
    the variants it uses (added if not named), with their final parameters. ``-p`` overrides
    apply to every one of them and must be a parameter of each.
    """
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
    chosen = [table.variants[name] for name in dict.fromkeys(wanted)] if names \
        else list(table.variants.values())
    chosen = list({used.name: used for variant in chosen for used in _lineage(variant)}.values())
    for variant in chosen:
        swept = set(variant.swept) & set(overrides)
        if swept:
            raise VariantError(f"-p {', '.join(sorted(swept))}: swept by {variant.sweep} "
                               f"(change its sweep: in variants.yaml, or --variant others)")
        layers = [(variant.settings, "variants.yaml")]
        if quick:
            layers.append(({k: v for k, v in table.quick.items() if k in variant.declared},
                           "quick"))
        layers += [(variant.swept, "sweep"), (overrides, "-p")]
        variant.parameters = {k: p.default for k, p in variant.declared.items()
                              if k not in SET_BY_BUILD}
        variant.origin = {}
        if variant.uses:                      # its starting point: the used variant's values
            for key, value in variant.uses.parameters.items():
                if key in variant.parameters:
                    variant.parameters[key] = value
                    if key in variant.uses.origin:
                        variant.origin[key] = f"{variant.uses.origin[key]} of {variant.uses.name}"
        if "variant" in variant.declared:     # a notebook that asks for its variant's name
            variant.parameters["variant"], variant.origin["variant"] = variant.name, "build"
        for values, origin in layers:
            for key, value in values.items():
                where = f"variant {variant.name}" if origin != "quick" else "quick"
                parameter = _known(variant.declared, key, where)
                variant.parameters[key] = convert(parameter, value, f"{where} ({origin})")
                variant.origin[key] = origin
        for key, value in variant.parameters.items():
            rule = rule_for(table.allowed, key, variant.notebook)
            if not permits(rule, value):
                origin = variant.origin.get(key, f"default of {variant.notebook.name}")
                raise VariantError(f"variant {variant.name}: {key}={value!r} ({origin}) is not "
                                   f"allowed: {key} must be {describe_rule(rule)} "
                                   f"(`allowed:` in {table.path.name})")
    return chosen


def _lineage(variant: Variant) -> list[Variant]:
    """The variants ``variant`` builds on, the first one first, then itself."""
    return (_lineage(variant.uses) if variant.uses else []) + [variant]


def describe(table: Table, chosen: list[Variant], runs: list[Run]) -> str:
    """The text of ``--list``: each variant, each parameter with type, default and value."""
    lines = [f"Variants in {table.path} (build one with --variant NAME, override with "
             f"-p key=value):", ""]
    for variant in chosen:
        if variant.sweep and variant.name == table.sweeps[variant.sweep][0]:
            members = [run for run in runs if run.variant.sweep == variant.sweep]
            lines += [f"sweep {variant.sweep}: {len(table.sweeps[variant.sweep])} "
                      f"combination(s) of {', '.join(variant.swept)}, {len(members)} run(s) "
                      f"(at most {MAX_SWEEP_RUNS} unless --max-runs)", ""]
        lines.append(f"{variant.name}  [{variant.notebook.name}]  {variant.title}")
        if variant.timeout:
            lines.append(f"    timeout: {variant.timeout} s")
        if variant.seeded:
            names = [run.name for run in runs if run.variant is variant]
            lines.append(f"    runs: {', '.join(names)} (one per training seed; --seeds N)")
        if variant.uses:
            used = [run.uses.name for run in runs if run.variant is variant]
            lines.append(f"    uses: {variant.uses.name} (the output of {', '.join(used)}, "
                         f"run first; parameters not set here are {variant.uses.name}'s)")
        own = [p for name, p in variant.declared.items() if name not in SET_BY_BUILD]
        width = max((len(p.name) for p in own), default=0)
        for parameter in own:
            name = parameter.name
            line = (f"    {name:<{width}}  {parameter.type_name:<5}  "
                    f"default {parameter.default!r}")
            if name in variant.origin:
                line += f"  -> {variant.parameters[name]!r} ({variant.origin[name]})"
            rule = rule_for(table.allowed, name, variant.notebook)
            if rule is not None:
                line += f"  [{describe_rule(rule)}]"
            if parameter.help:
                line += f"  # {parameter.help}"
            lines.append(line)
        lines.append(f"    (set by the build: {', '.join(BUILD_PARAMETERS)}"
                     f"{', ' + SEED_PARAMETER if variant.seeded else ''}"
                     f"{', ' + USES_PARAMETER if USES_PARAMETER in variant.declared else ''})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

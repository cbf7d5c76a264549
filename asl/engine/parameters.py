"""A notebook's parameters: their names, types and defaults (its tagged ``parameters`` cell),
values converted to those types, the names the build sets itself, and the ``allowed:`` rules of
variants.yaml."""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from asl.config import BUILD_PARAMETERS, SEED_PARAMETER
from asl.errors import VariantError

USES_PARAMETER = "uses_dir"
"""The notebook parameter that receives the folder of the run a run builds on (``uses:``; the
first one's with ``uses: [first, second]``); the same name as ``asl.study.reuse.PARAMETER``."""
USES_LIST_PARAMETER = "uses_dirs"
"""The notebook parameter that receives the folders of all the runs a run builds on, in the
order ``uses: [first, second]`` names them (absolute paths; set only for more than one); a
notebook declares it with the default ``[]``."""
NAME_PARAMETER = "variant"
"""A notebook that declares it gets its variant's name from the build."""
BUILD_SET = {
    **{name: "set by the build (use --data, --wild, --weights, --quick, --jobs)"
       for name in BUILD_PARAMETERS},
    SEED_PARAMETER: "set for each run by the build: use --seeds N (or `seeds:` in "
                    "variants.yaml), and `seed` for the split",
    USES_PARAMETER: "set by the build to the folder of the run this one uses (`uses: VARIANT` "
                    "in variants.yaml)",
    USES_LIST_PARAMETER: "set by the build to the folders of the runs this one uses (`uses: "
                         "[FIRST, SECOND]` in variants.yaml)",
    NAME_PARAMETER: "set by the build to the variant's name (choose the variant with "
                    "--variant NAME)"}
"""Every parameter the build sets, never the user (-p, `parameters:`), with what to use instead."""
SET_BY_BUILD = tuple(BUILD_SET)
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


def inspect_parameters(notebook: Path) -> dict[str, Parameter]:
    """Names, types and defaults of a notebook's tagged parameters cell; a cell that is not
    valid Python is a VariantError naming the notebook and the line."""
    import papermill

    if not notebook.exists():
        raise VariantError(f"notebook {notebook} does not exist")
    check_syntax(notebook)
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


def check_syntax(notebook: Path) -> None:
    """Refuse a parameters cell Python cannot parse (papermill would read wrong defaults)."""
    import nbformat

    try:
        book = nbformat.read(str(notebook), as_version=4)
    except Exception as error:    # nbformat raises several kinds for a damaged file
        raise VariantError(f"{notebook} cannot be read as a notebook: {error}") from None
    for cell in book.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                ast.parse(cell.source)
            except SyntaxError as error:
                raise VariantError(
                    f"{notebook.name}: syntax error in the parameters cell, line {error.lineno}: "
                    f"{error.msg}: {(error.text or '').strip()!r}") from None
            return


def convert(parameter: Parameter, value, where: str):
    """Check ``value`` (a string from -p, or a YAML value) against the parameter's type."""
    expected = parameter.type
    if isinstance(value, str) and expected is not str:
        if not value.strip():
            raise VariantError(f"{where}: {parameter.name} has no value: give one, e.g. "
                               f"{parameter.name}={parameter.default!r}")
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


def known(declared: dict[str, Parameter], key: str, where: str) -> Parameter:
    """The parameter ``key`` of a notebook; refuse the names the build sets and unknown ones."""
    if key in BUILD_SET:
        raise VariantError(f"{where}: {key} is {BUILD_SET[key]}, not a parameter")
    if key not in declared:
        valid = ", ".join(f"{p.name} ({p.type_name}, default {p.default!r})"
                          for p in declared.values() if p.name not in SET_BY_BUILD)
        raise VariantError(f"{where}: unknown parameter {key!r}; valid: {valid}")
    return declared[key]


def set_by_build(declared: dict[str, Parameter]) -> list[str]:
    """The names the build sets in a notebook with these parameters, as ``--list`` shows them."""
    return [name for name in BUILD_SET if name in BUILD_PARAMETERS or name in declared]


def parse_overrides(items: list[str]) -> dict[str, str]:
    """``["epochs=5", "split=random"]`` -> ``{"epochs": "5", "split": "random"}`` (not typed yet)."""
    overrides = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise VariantError(f"-p {item!r}: expected key=value, e.g. -p epochs=5")
        overrides[key.strip()] = value.strip()
    return overrides


def check_allowed(allowed: dict, where: str) -> dict:
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

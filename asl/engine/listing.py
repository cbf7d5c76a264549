"""The text of ``build.py --list``: each variant with its runs and parameters."""
from __future__ import annotations

from asl.engine.parameters import SET_BY_BUILD, describe_rule, rule_for, set_by_build
from asl.engine.plan import MAX_RUNS, Resolved, Run
from asl.engine.variants import Table


def describe(table: Table, chosen: list[Resolved], runs: list[Run]) -> str:
    """The text of ``--list``: each variant, each parameter with type, default and value."""
    lines = [f"Variants in {table.path} (build one with --variant NAME, override with "
             f"-p key=value):", ""]
    for variant in chosen:
        if variant.sweep and variant.name == table.sweeps[variant.sweep][0]:
            members = [run for run in runs if run.variant.sweep == variant.sweep]
            lines += [f"sweep {variant.sweep}: {len(table.sweeps[variant.sweep])} "
                      f"combination(s) of {', '.join(variant.swept)}, {len(members)} run(s) "
                      f"(at most {MAX_RUNS} unless --max-runs)", ""]
        lines.append(f"{variant.name}  [{variant.notebook.name}]  {variant.title}")
        if variant.timeout:
            lines.append(f"    timeout: {variant.timeout} s")
        if variant.seeded:
            names = [run.name for run in runs if run.variant is variant]
            cap = f"; at most {variant.seeds}: `seeds:`" if variant.seeds else ""
            lines.append(f"    runs: {', '.join(names)} (one per training seed; --seeds N{cap})")
        if variant.uses:
            names = ", ".join(used.name for used in variant.uses)
            outputs = [used.name for run in runs if run.variant is variant for used in run.uses]
            lines.append(f"    uses: {names} (the output of {', '.join(outputs)}, run first; "
                         f"parameters not set here are {variant.uses[0].name}'s)")
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
        lines.append(f"    (set by the build: {', '.join(set_by_build(variant.declared))})")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

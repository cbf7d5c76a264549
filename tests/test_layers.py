"""The three parts keep their boundaries: the study never imports the engine or the report,
and neither the engine nor the report loads TensorFlow."""
import ast
import subprocess
import sys

import pytest

from asl import config

ASL = config.PROJECT_ROOT / "asl"


def imported_modules(path):
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    tree = ast.parse(path.read_text())
    package = "asl." + ".".join(path.relative_to(ASL).parent.parts) if path.parent != ASL else "asl"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rstrip(".").split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted((ASL / "study").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ASL)))
def test_study_modules_do_not_import_the_engine_or_the_report(path):
    bad = {m for m in imported_modules(path)
           if m.startswith(("asl.engine", "asl.report"))}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", sorted([*(ASL / "engine").glob("*.py"),
                                         *(ASL / "report").glob("*.py")]), ids=lambda p: p.name)
def test_engine_and_report_never_import_tensorflow_or_keras_at_the_top(path):
    tree = ast.parse(path.read_text())
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            top.add((node.module or "").split(".")[0])
            if (node.module or "").startswith("asl.study"):
                top.add("asl.study")
    assert not top & {"tensorflow", "keras", "asl.study"}, f"{path.name} imports {top}"


def test_importing_the_engine_and_the_report_loads_no_tensorflow():
    code = ("import sys, asl.engine.cli, asl.engine.pipeline, asl.report.render, "
            "asl.report.context; print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]

"""Cheap fingerprints of everything that decides a variant's result.

A variant is rerun only when its fingerprint changes: the notebook's cells, its final
parameters, the ``asl`` modules the notebook imports (followed through their imports, into
every subpackage), the data, weights and out-of-domain set it reads (their file listing, not
every byte), the versions of the key packages and the number of threads it trains with
(TensorFlow sums in a different order on another thread count, so results differ slightly).
"""
from __future__ import annotations

import ast
import json
import sys
from importlib import metadata
from pathlib import Path

from asl.config import PATH_PARAMETERS
from asl.files import path_fingerprint, sha256  # noqa: F401  (re-exported for the build)

KEY_PACKAGES = ("tensorflow", "keras", "scikit-learn", "numpy", "scipy", "pillow")
ASL_DIR = Path(__file__).resolve().parent.parent
NOT_FINGERPRINTED = (*PATH_PARAMETERS, "output_dir", "threads")
"""Where the build runs does not change a result; the data paths are replaced by the
fingerprints of what they point to, and the thread count is part of the build's context
(TensorFlow's results depend on it)."""


def package_versions(names=KEY_PACKAGES) -> dict[str, str | None]:
    """Installed versions, read from package metadata (nothing is imported)."""
    versions = {"python": sys.version.split()[0]}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _module_file(module: str, root: Path) -> Path | None:
    """``asl.study.data`` -> ``<root>/study/data.py`` (or a package's ``__init__.py``)."""
    path = root.joinpath(*module.split(".")[1:])
    candidates = (path.with_suffix(".py"), path / "__init__.py") if "." in module \
        else (path / "__init__.py",)
    return next((c for c in candidates if c.is_file()), None)


def _imported_modules(source: str, package: str, root: Path) -> set[str]:
    """Dotted names of the ``asl`` modules a piece of code imports, relative imports resolved
    against ``package`` (``from asl.study import data``, ``import asl.study.data``,
    ``from .data import x``, ``from .. import CLASSES``)."""
    found = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module != "asl" and not module.startswith("asl."):
                continue
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names
                      if alias.name == "asl" or alias.name.startswith("asl.")}
    expanded = set()
    for module in found:    # importing asl.study.data runs asl/__init__ and asl/study/__init__
        parts = module.split(".")
        expanded |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return {m for m in expanded if _module_file(m, root)}


def source_fingerprint(code: str = "", package_dir: Path | None = None, everything=False) -> str:
    """Hash of the ``asl`` modules that ``code`` (e.g. the notebooks' cells) uses, followed
    through their own imports into every subpackage; ``everything=True`` hashes the whole
    package."""
    root = Path(package_dir or ASL_DIR)
    if everything:
        files = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*.py"))}
    else:
        used, pending = set(), _imported_modules(code, "asl", root)
        while pending:
            module = pending.pop()
            if module in used:
                continue
            used.add(module)
            path = _module_file(module, root)
            package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            pending |= _imported_modules(path.read_text(), package, root) - used
        files = {m: _module_file(m, root) for m in sorted(used)}
    return sha256([(name, sha256(path.read_bytes())) for name, path in files.items()])


def notebook_fingerprint(path: Path) -> str:
    """Hash of the cells' types and sources (not outputs or metadata) and of the ``asl``
    modules the cells use."""
    cells = [(c["cell_type"], "".join(c["source"])) for c in json.loads(Path(path).read_text())["cells"]]
    code = "\n".join(source for kind, source in cells if kind == "code")
    return sha256({"cells": cells, "asl": source_fingerprint(code)})


def paths_used(path: Path) -> set[str]:
    """Which of the data, wild set and weights a notebook's code reads ({"data", "wild", ...}):
    the path parameters its code cells (not the parameters cell) mention."""
    cells = json.loads(Path(path).read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                     and "parameters" not in c.get("metadata", {}).get("tags", []))
    return {name.removesuffix("_path") for name in PATH_PARAMETERS if name in code}


def variant_fingerprint(notebook: str, parameters: dict, context: dict) -> str:
    """One variant's key: notebook hash, final parameters and the shared ``context``
    (source, data and package fingerprints)."""
    kept = {k: v for k, v in parameters.items() if k not in NOT_FINGERPRINTED}
    return sha256({"notebook": notebook, "parameters": kept, **context})

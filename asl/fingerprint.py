"""Cheap fingerprints of everything that decides a variant's result.

A variant is rerun only when its fingerprint changes: the notebook's cells, its final
parameters, the ``asl`` modules the notebook imports (followed through their imports), the data, weights and out-of-domain set
(their file listing, not every byte) and the versions of the key packages.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import sys
import zipfile
from importlib import metadata
from pathlib import Path

KEY_PACKAGES = ("tensorflow", "keras", "scikit-learn", "numpy", "scipy", "pillow")
ASL_DIR = Path(__file__).resolve().parent
NOT_FINGERPRINTED = {"output_dir", "threads", "data_path", "wild_path", "weights_path"}
"""Where the build runs and with how many threads does not change a result; the data paths
are replaced by the fingerprints of what they point to."""
SMALL_FILE = 64 * 2**20


def sha256(data) -> str:
    """Hex digest of bytes, or of any JSON-able value (keys sorted)."""
    if not isinstance(data, bytes):
        data = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()


def package_versions(names=KEY_PACKAGES) -> dict[str, str | None]:
    """Installed versions, read from package metadata (nothing is imported)."""
    versions = {"python": sys.version.split()[0]}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _asl_imports(source: str) -> set[str]:
    """Names of the ``asl`` modules a piece of code imports (``from asl import x``,
    ``import asl.x``, ``from .x import y``)."""
    found = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 or module.startswith("asl"):
                base = module.removeprefix("asl").lstrip(".")
                found |= {base.split(".")[0]} if base else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("asl.")}
    return found


def source_fingerprint(code: str = "", package_dir: Path = ASL_DIR, everything=False) -> str:
    """Hash of the ``asl`` modules that ``code`` (e.g. the notebooks' cells) uses, followed
    through their own imports; ``everything=True`` hashes the whole package."""
    files = {p.stem: p for p in Path(package_dir).glob("*.py")}
    if everything:
        used = set(files)
    else:
        used, pending = {"__init__"}, _asl_imports(code)
        while pending:
            name = pending.pop()
            if name in files and name not in used:
                used.add(name)
                pending |= _asl_imports(files[name].read_text())
    return sha256([(name, sha256(files[name].read_bytes())) for name in sorted(used & set(files))])


def notebook_fingerprint(path: Path) -> str:
    """Hash of the cells' types and sources (not outputs or metadata) and of the ``asl``
    modules the cells use."""
    cells = [(c["cell_type"], "".join(c["source"])) for c in json.loads(Path(path).read_text())["cells"]]
    code = "\n".join(source for kind, source in cells if kind == "code")
    return sha256({"cells": cells, "asl": source_fingerprint(code)})


def path_fingerprint(path: str) -> str:
    """Cheap fingerprint of a data file or folder; '' for no path, 'missing' if absent.

    A zip: its central directory (names, sizes, CRCs). A folder: relative paths, sizes and
    modification times. Another file: its content hash if small, else size and time.
    """
    if not path:
        return ""
    path = Path(path)
    if path.is_dir():
        listing = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                stat = os.stat(os.path.join(root, name))
                listing.append((os.path.relpath(os.path.join(root, name), path),
                                stat.st_size, stat.st_mtime_ns))
        return sha256(listing)
    if not path.exists():
        return "missing"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sha256([(i.filename, i.file_size, i.CRC) for i in archive.infolist()])
    stat = path.stat()
    if stat.st_size <= SMALL_FILE:
        return sha256(path.read_bytes())
    return sha256([path.name, stat.st_size, stat.st_mtime_ns])


def variant_fingerprint(notebook: str, parameters: dict, context: dict) -> str:
    """One variant's key: notebook hash, final parameters and the shared ``context``
    (source, data and package fingerprints)."""
    kept = {k: v for k, v in parameters.items() if k not in NOT_FINGERPRINTED}
    return sha256({"notebook": notebook, "parameters": kept, **context})

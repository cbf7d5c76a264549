"""Atomic writes and cheap fingerprints of files: shared by the build, the notebooks and the
report, so that an interrupted write never leaves a half-written file."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

SMALL_FILE = 64 * 2**20


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)`` then rename it over ``path``; on error ``path`` is
    untouched and the temporary file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes it private; our outputs are not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def replace_together(folder, writers: dict[str, Callable[[Path], object]]) -> None:
    """Write each file of ``folder`` (name -> ``write(temporary_path)``) beside it, then rename
    them all over the old ones with Ctrl-C and SIGTERM held back until the last rename: the
    files are replaced together, or (an error or an interrupt while writing) none is."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = {}
    try:
        for name, write in writers.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            os.close(fd)
            temporary[name] = Path(tmp)
            write(Path(tmp))
            os.chmod(tmp, 0o666 & ~_umask())
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            for name, tmp in temporary.items():
                os.replace(tmp, folder / name)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
    finally:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)


def write_text_atomic(path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path, data) -> Path:
    return write_text_atomic(path, json.dumps(data, indent=1))


def sha256(data) -> str:
    """Hex digest of bytes, or of any JSON-able value (keys sorted)."""
    if not isinstance(data, bytes):
        data = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(data).hexdigest()


def walk_files(folder) -> list[str]:
    """Every file under ``folder`` (a broken link too) as sorted relative POSIX paths,
    following linked folders; a folder met again (a link loop) is not entered twice."""
    found, seen = [], set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        found += [Path(os.path.relpath(os.path.join(root, name), folder)).as_posix()
                  for name in files]
    return sorted(found)


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
        for name in walk_files(path):
            file = path / name
            stat = os.stat(file) if os.path.exists(file) else os.lstat(file)  # broken link
            listing.append((os.path.relpath(file, path), stat.st_size, stat.st_mtime_ns))
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

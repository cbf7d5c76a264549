"""List a data folder or zip from its file names alone: class folders, frame numbers, what
is left out, and a few file headers to tell photos from other files."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from PIL import Image

from asl import CLASSES
from asl.errors import DataError
from asl.files import walk_files
from asl.frames import frame_number  # noqa: F401 (re-exported)
from asl.study.data_photos import UNREADABLE, is_image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
SNIFF_SAMPLE = 20
_CLASS_INDEX = {name.lower(): index for index, name in enumerate(CLASSES)}


@dataclass
class Entry:
    label: int
    name: str       # path inside the folder or member name inside the zip
    id: str
    frame: int


def _class_of(relative: PurePosixPath) -> int | None:
    if len(relative.parts) < 2:
        return None
    return _CLASS_INDEX.get(relative.parts[-2].lower())


@dataclass
class Listing:
    """What a data folder or zip holds, from its file names alone (nothing is decoded)."""

    source: Path
    entries: list[Entry]           # image files in class folders, one per id
    skipped: list[str]              # other files in class folders
    unknown_folders: dict[str, int]  # folders of images beside the class folders but not
    #                                  named after a class (``Spacebar/``) -> image files
    merged_folders: dict[str, list[str]] = field(default_factory=dict)  # class -> its folders
    #                                  when they differ in letter case (``A/`` and ``a/``)
    duplicates: list[str] = field(default_factory=list)  # same folder and file name met again

    @property
    def missing_classes(self) -> list[str]:
        present = {e.label for e in self.entries}
        return [name for i, name in enumerate(CLASSES) if i not in present]

    @property
    def unnumbered(self) -> list[str]:
        """Photos whose file name carries no frame number (``A1 (copy).jpg``)."""
        return [e.id for e in self.entries if e.frame < 0]

    def warnings(self, training: bool = True) -> list[str]:
        """One line per thing a user should know before the build runs."""
        lines = []
        if self.unknown_folders:
            lines.append("folders not named after a class, left out: " + ", ".join(
                f"{name}/ ({count} files)" for name, count in self.unknown_folders.items()))
        if self.missing_classes:
            lines.append(f"{'warning: ' if training else ''}no photos for class(es) "
                         f"{', '.join(self.missing_classes)}" + (
                             ": the models cannot learn them" if training else ""))
        if training and self.unnumbered:
            lines.append(f"{len(self.unnumbered)} photo(s) without a frame number in the file "
                         f"name set aside from frame-block splits: {few_names(self.unnumbered)}")
        if self.skipped:
            lines.append(f"{len(self.skipped)} non-image file(s) in class folders skipped: "
                         f"{few_names(self.skipped)}")
        for name, folders in self.merged_folders.items():
            lines.append(f"class folders {' and '.join(f + '/' for f in folders)} differ only "
                         f"in letter case: read as one class {name}")
        if self.duplicates:
            lines.append(f"{len(self.duplicates)} photo(s) found twice (same class folder and "
                         f"file name in two places) read once: {few_names(self.duplicates)}")
        return [f"{self.source.name}: {line}" for line in lines]


def few_names(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _listing(source: "Source") -> Listing:
    """Keep image files that sit directly in a class folder; note the rest. A photo's id is
    ``<class>/<file name>``, or ``<folder as found>/<file name>`` when a class has folders
    that differ in letter case, so that no two photos share an id."""
    found, skipped, folders = [], [], {}
    for name in source.names():
        relative = PurePosixPath(name)
        if relative.name.startswith("."):
            continue
        label = _class_of(relative)
        if label is None:
            if len(relative.parts) >= 2 and relative.suffix.lower() in IMAGE_SUFFIXES:
                folders.setdefault(relative.parent, 0)
                folders[relative.parent] += 1
            continue
        if relative.suffix.lower() not in IMAGE_SUFFIXES:
            skipped.append(name)
            continue
        found.append((label, relative, name))
    spellings: dict[int, set[str]] = {}
    for label, relative, _ in found:
        spellings.setdefault(label, set()).add(relative.parts[-2])
    entries, duplicates = {}, []
    for label, relative, name in found:     # of two copies, the last is read (as before)
        folder = relative.parts[-2] if len(spellings[label]) > 1 else CLASSES[label]
        entry = Entry(label, name, f"{folder}/{relative.name}", frame_number(relative.name))
        if entry.id in entries:
            duplicates.append(entries[entry.id].name)
        entries[entry.id] = entry
    class_parents = {PurePosixPath(e.name).parent.parent for e in entries.values()}
    unknown = {folder.name: count for folder, count in sorted(folders.items())
               if folder.parent in class_parents}
    merged = {CLASSES[label]: sorted(names) for label, names in sorted(spellings.items())
              if len(names) > 1}
    return Listing(source.path, sorted(entries.values(), key=lambda e: (e.label, e.frame, e.id)),
                   skipped, unknown, merged, duplicates)


def _check_exists(path: Path) -> None:
    if not str(path) or not path.exists():
        raise DataError(
            f"data not found at '{path}'. Give the Kaggle 'ASL Alphabet' download (folder or "
            "zip) with --data PATH or the ASL_DATA environment variable.")


def _not_a_zip(path: Path) -> str:
    """Why a file that is not a folder cannot be read as a zip archive, in a few words."""
    with open(path, "rb") as handle:
        start = handle.read(4)
    if not start:
        return "is an empty file, not a folder or a zip archive"
    if start == b"PK\x03\x04":        # a zip's first entry, but no table of contents at the end
        return ("is a damaged or truncated zip archive (its end is missing): download or copy "
                "it again")
    return "is neither a folder nor a zip archive"


class Source:
    """A folder or a zip archive with class folders somewhere inside."""

    def __init__(self, path):
        self.path = Path(path).expanduser()
        _check_exists(self.path)
        self.is_zip = self.path.is_file()
        if self.is_zip and not zipfile.is_zipfile(self.path):
            raise DataError(f"'{self.path}' {_not_a_zip(self.path)}")

    def names(self) -> list[str]:
        """Every file (a broken link too: it is skipped as unreadable when read), following
        linked folders and photos."""
        if self.is_zip:
            with zipfile.ZipFile(self.path) as archive:
                return [n for n in archive.namelist() if not n.endswith("/")]
        return walk_files(self.path)

    def reader(self):
        if self.is_zip:
            archive = zipfile.ZipFile(self.path)
            return archive, archive.read
        return None, lambda name: (self.path / name).read_bytes()


def survey(path, sniff: bool = True) -> Listing:
    """List the photos of ``path`` (folder or zip) without decoding them, and stop with one
    clear message if there are none; with ``sniff``, also if none of a sample of the image
    files is an image (e.g. text files named ``*.jpg``: only their headers are read)."""
    return survey_source(Source(path), sniff)


def survey_source(source: Source, sniff: bool) -> Listing:
    listing = _listing(source)
    if not listing.entries:
        raise DataError(
            f"no photos found in '{source.path}': expected class folders named "
            f"{', '.join(CLASSES[:3])} ... {CLASSES[-1]} (any letter case) holding image files")
    if sniff:
        sample = listing.entries[:: max(1, len(listing.entries) // SNIFF_SAMPLE)][:SNIFF_SAMPLE]
        handle, read = source.reader()
        try:
            if not any(is_image(read, e.name) for e in sample):
                raise DataError(
                    f"none of {len(sample)} image files sampled from '{source.path}' is a "
                    f"readable image (e.g. {sample[0].name}): give the folder or zip of the "
                    "photos themselves")
        finally:
            if handle is not None:
                handle.close()
    return listing


def hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def original_sizes(path, count: int = 50) -> dict[str, int]:
    """Pixel sizes ("WxH") of the first ``count`` photos as stored, before any resizing."""
    source = Source(path)
    entries = _listing(source).entries
    return sizes_of(source, [entry.name for entry in entries[:: max(1, len(entries) // count)]
                           [:count]])


def sizes_of(source: Source, names: list[str]) -> dict[str, int]:
    """How many of the readable images among ``names`` are stored at each size ("WxH")."""
    sizes: dict[str, int] = {}
    handle, read = source.reader()
    try:
        for name in names:
            try:
                with Image.open(io.BytesIO(read(name))) as image:
                    key = f"{image.width}x{image.height}"
            except UNREADABLE:
                continue
            sizes[key] = sizes.get(key, 0) + 1
    finally:
        if handle is not None:
            handle.close()
    return sizes


def stored_size(path, count: int = 50) -> int:
    """The longer side of the most common stored photo size (from a sample of ``count``)."""
    sizes = original_sizes(path, count)
    if not sizes:
        raise DataError(f"no readable photos in '{path}' to take the image size from")
    width, height = max(sizes, key=sizes.get).split("x")
    return max(int(width), int(height))

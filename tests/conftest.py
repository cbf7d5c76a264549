"""Shared fixtures: a tiny project built with fixture notebooks (no TensorFlow) and a stub
renderer standing in for asl.render."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

from asl.engine import cli  # noqa: E402


def _load_stub():
    spec = importlib.util.spec_from_file_location("stub_render", FIXTURES / "stub_render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_photo(path: Path, size: int = 8) -> Path:
    """A small real photo (a grey PNG): the build checks that the data holds images."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (size, size), (128, 128, 128)).save(path)
    return path


class TinyProject:
    """A copy of tests/fixtures/variants.yaml, a fake data folder and an output folder."""

    def __init__(self, root: Path):
        self.root, self.out, self.data = root, root / "out", root / "data"
        self.variants_file = root / "variants.yaml"

    def args(self, *extra) -> list[str]:
        return ["--variants-file", str(self.variants_file), "--notebooks", str(FIXTURES),
                "--out", str(self.out), "--data", str(self.data), *extra]

    def build(self, *extra) -> int:
        """Run ``build.py`` in this process (with the stub renderer)."""
        return cli.main(self.args(*extra))

    def build_in_subprocess(self, *extra, **kwargs) -> subprocess.CompletedProcess:
        """Run ``build.py`` in a fresh process; its last line says if TensorFlow was imported."""
        return subprocess.run([sys.executable, str(FIXTURES / "stub_build.py"), *self.args(*extra)],
                              capture_output=True, text=True, timeout=120, **kwargs)

    def edit_variants(self, change) -> None:
        table = yaml.safe_load(self.variants_file.read_text())
        change(table["variants"])
        self.variants_file.write_text(yaml.safe_dump(table))


def project_with_notebook(root: Path, change_book) -> tuple[TinyProject, list[str]]:
    """A tiny project with only variant alpha, whose copy of tiny.ipynb ``change_book`` edits;
    returns it and the build arguments."""
    notebooks = root / "notebooks"
    notebooks.mkdir()
    book = json.loads((FIXTURES / "tiny.ipynb").read_text())
    change_book(book)
    (notebooks / "tiny.ipynb").write_text(json.dumps(book))
    project = TinyProject(root)
    table = yaml.safe_load((FIXTURES / "variants.yaml").read_text())
    del table["variants"]["beta"]
    project.variants_file.write_text(yaml.safe_dump(table))
    write_photo(project.data / "A" / "A1.png")
    args = project.args()
    args[args.index("--notebooks") + 1] = str(notebooks)
    return project, args


@pytest.fixture
def stub_renderer(monkeypatch):
    stub = _load_stub()
    monkeypatch.setitem(sys.modules, "asl.report.render", stub)
    return stub


@pytest.fixture(scope="session")
def _built_template(tmp_path_factory):
    """Build the tiny project once; tests get copies of the result."""
    project = TinyProject(tmp_path_factory.mktemp("tiny"))
    shutil.copy(FIXTURES / "variants.yaml", project.variants_file)
    write_photo(project.data / "A" / "A1.png")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "asl.report.render", _load_stub())
        assert project.build() == 0
    return project.root


@pytest.fixture
def tiny_project(_built_template, tmp_path, stub_renderer) -> TinyProject:
    """A tiny project whose variants alpha and beta are built, with report.pdf rendered."""
    root = tmp_path / "tiny"
    shutil.copytree(_built_template, root)
    (root / "out" / ".build.lock").unlink(missing_ok=True)
    return TinyProject(root)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    """One quick build with a failed variant (synthetic metrics), rendered to HTML and PDF."""
    from asl.report.context import build_context
    from asl.report.render import render_report
    from report_builds import make_build
    from report_checks import pdf_text

    failed = {"cnn_wide": "ResourceExhaustedError: OOM when allocating a tensor"}
    args = make_build(tmp_path_factory.mktemp("build"), quick=True, failed=failed)
    html, pdf = render_report(*args)
    return {"args": args, "html": html, "pdf": pdf, "text": pdf_text(pdf),
            "context": build_context(*args)}

"""Rendering the report is one transaction: report.html, report.pdf and manifest.json are
replaced together or not at all; a template error is one line naming the template file, its line
and what Jinja found (exit 1), during --render-only and after a build alike. The tiny fixture
project with the real renderer."""
from __future__ import annotations

import shutil
import sys

import pytest

from asl import config
from conftest import FIXTURES, TinyProject, write_photo
from helpers import run_cli

OUTPUTS = ("report.html", "report.pdf", "manifest.json")


@pytest.fixture(scope="module")
def _rendered(tmp_path_factory):
    project = TinyProject(tmp_path_factory.mktemp("real"))
    shutil.copy(FIXTURES / "variants.yaml", project.variants_file)
    write_photo(project.data / "A" / "A1.png")
    sys.modules.pop("asl.report.render", None)          # the real renderer, not the stub
    assert project.build() == 0
    return project.root


@pytest.fixture
def project(_rendered, tmp_path) -> TinyProject:
    shutil.copytree(_rendered, tmp_path / "real")
    (tmp_path / "real" / "out" / ".build.lock").unlink(missing_ok=True)
    return TinyProject(tmp_path / "real")


def outputs(project) -> dict[str, bytes]:
    return {name: (project.out / name).read_bytes() for name in OUTPUTS}


def leftovers(project) -> list[str]:
    return [p.name for p in project.out.iterdir() if p.name.endswith(".tmp")]


def templates(tmp_path, monkeypatch, report: str, part: str | None = None):
    """A copy of the templates with report.html.j2 (and sections/part.j2) replaced."""
    folder = shutil.copytree(config.TEMPLATES_DIR, tmp_path / "templates")
    (folder / "report.html.j2").write_text(report)
    if part is not None:
        (folder / "sections").mkdir(exist_ok=True)
        (folder / "sections" / "part.j2").write_text(part)
    monkeypatch.setattr(config, "TEMPLATES_DIR", folder)


INCLUDE = "<html>\n<body>\n{% include 'sections/part.j2' %}\n</body>\n</html>\n"


@pytest.mark.parametrize("report, part, where, found", [
    (INCLUDE, "<p>\n{% if quick %}\nunclosed\n", "sections/part.j2, line 3",
     "TemplateSyntaxError: Unexpected end of template"),
    (INCLUDE, "<p>\n<b>{{ no_such_value.size }}</b>\n", "sections/part.j2, line 2",
     "UndefinedError: 'no_such_value' is undefined"),
    ("<html>\n{% include 'sections/gone.j2' %}\n</html>\n", None, "report.html.j2, line 2",
     "TemplateNotFound: the template sections/gone.j2 it includes does not exist"),
])
@pytest.mark.parametrize("how", ["--render-only", "after a build"])
def test_a_template_error_is_one_line_and_keeps_the_last_report(
        project, tmp_path, monkeypatch, capsys, report, part, where, found, how):
    before = outputs(project)
    templates(tmp_path, monkeypatch, report, part)
    args = ["--render-only"] if how == "--render-only" else ["--force", "alpha"]
    code, out, err = run_cli(capsys, project.args(*args))
    assert code == 1
    assert err.startswith(f"error: the report template {where}: {found}")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert outputs(project) == before and not leftovers(project)
    if how == "after a build":
        assert "alpha                  done" in out      # the run's new results are kept


def test_an_interrupted_render_replaces_nothing(project, monkeypatch, capsys):
    import weasyprint

    before = outputs(project)

    def interrupted(self, target=None, **options):
        with open(target, "wb") as handle:
            handle.write(b"%PDF-1.7 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", interrupted)
    code, _, err = run_cli(capsys, project.args("--render-only"))
    assert code == 130 and "interrupted" in err
    assert outputs(project) == before and not leftovers(project)

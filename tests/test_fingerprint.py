"""A variant's fingerprint follows the code its notebook really uses, into every subpackage."""
import json
import shutil

import pytest

from asl import config
from asl.engine import fingerprint
from conftest import project_with_notebook
from helpers import states

CNN_CODE = "\n".join(
    "".join(cell["source"]) for cell in json.loads(
        (config.NOTEBOOKS_DIR / "cnn.ipynb").read_text())["cells"] if cell["cell_type"] == "code")


def copy_of_asl(tmp_path):
    return shutil.copytree(config.PROJECT_ROOT / "asl", tmp_path / "asl",
                           ignore=shutil.ignore_patterns("__pycache__"))


def test_study_modules_count_and_report_modules_do_not(tmp_path):
    package = copy_of_asl(tmp_path)
    before = fingerprint.source_fingerprint(CNN_CODE, package)
    (package / "report" / "narrative.py").write_text("# the report changed\n")
    (package / "engine" / "pipeline.py").write_text("# the engine changed\n")
    assert fingerprint.source_fingerprint(CNN_CODE, package) == before
    # splits.py is imported by experiment.py, which the notebook imports
    with open(package / "study" / "splits.py", "a") as handle:
        handle.write("\n# a change to the split code\n")
    assert fingerprint.source_fingerprint(CNN_CODE, package) != before


def test_relative_and_dotted_imports_are_followed(tmp_path):
    package = tmp_path / "asl"
    (package / "study").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "study" / "__init__.py").write_text("")
    (package / "study" / "models.py").write_text("from . import layers\nfrom ..stats import t\n")
    (package / "study" / "layers.py").write_text("x = 1\n")
    (package / "stats.py").write_text("t = 1\n")
    code = "import asl.study.models"
    before = fingerprint.source_fingerprint(code, package)
    for changed in (package / "study" / "layers.py", package / "stats.py"):
        changed.write_text(changed.read_text() + "# changed\n")
        after = fingerprint.source_fingerprint(code, package)
        assert after != before
        before = after


def test_a_change_to_a_study_module_reruns_the_variant(tmp_path, monkeypatch, stub_renderer,
                                                     capsys):
    def import_splits(book):
        book["cells"][-1]["source"].insert(0, "from asl.study import splits  # noqa: F401\n")

    _, args = project_with_notebook(tmp_path, import_splits)
    monkeypatch.setattr(fingerprint, "ASL_DIR", copy_of_asl(tmp_path / "code"))
    from asl.engine import cli

    assert cli.main(args) == 0
    assert cli.main(args) == 0
    assert states(capsys.readouterr().out) == {"alpha": "cached"}
    with open(fingerprint.ASL_DIR / "study" / "splits.py", "a") as handle:
        handle.write("\n# a change to the split code\n")
    assert cli.main(args) == 0
    assert states(capsys.readouterr().out) == {"alpha": "done"}


def test_data_fingerprint_changes_with_the_files(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "A1.jpg").write_bytes(b"x")
    before = fingerprint.path_fingerprint(str(tmp_path))
    (tmp_path / "A" / "A2.jpg").write_bytes(b"y")
    assert fingerprint.path_fingerprint(str(tmp_path)) != before
    assert fingerprint.path_fingerprint(str(tmp_path / "nope")) == "missing"


def test_another_thread_count_is_another_result(tiny_project, capsys):
    """TensorFlow's results depend on the threads a run trains with (autoencoder_forest:
    0.155 with --jobs 1, 0.138 with --jobs 2), so the count is in the fingerprint and the
    manifest, and a cached run is never passed off as the result of another count."""
    from asl.engine import manifest
    if manifest.cores() < 2:
        pytest.skip("one core: every --jobs gives one thread per run")
    before = json.loads((tiny_project.out / "manifest.json").read_text())["variants"]
    assert before["alpha"]["threads"] == manifest.cores()
    assert tiny_project.build("--jobs", "2", "--variant", "alpha") == 0
    assert states(capsys.readouterr().out) == {"alpha": "done"}
    after = json.loads((tiny_project.out / "manifest.json").read_text())["variants"]
    assert after["alpha"]["threads"] == manifest.cores() // 2
    assert after["beta"]["threads"] == manifest.cores()       # cached: its own count
    assert tiny_project.build("--jobs", "2", "--variant", "alpha") == 0
    assert states(capsys.readouterr().out) == {"alpha": "cached"}

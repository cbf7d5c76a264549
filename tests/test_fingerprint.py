"""A variant's fingerprint follows the code its notebook really uses."""
from asl import fingerprint


def make_package(root):
    (root / "__init__.py").write_text("")
    (root / "models.py").write_text("from .stats import t\n")
    (root / "stats.py").write_text("t = 1\n")
    (root / "render.py").write_text("from .stats import t\n")
    return root


def test_only_modules_the_notebook_imports_count(tmp_path):
    package = make_package(tmp_path)
    code = "from asl import models\nmodel = models.build()"
    before = fingerprint.source_fingerprint(code, package)
    (package / "render.py").write_text("# the report changed\n")
    assert fingerprint.source_fingerprint(code, package) == before
    (package / "stats.py").write_text("t = 2\n")   # imported through models
    assert fingerprint.source_fingerprint(code, package) != before


def test_data_fingerprint_changes_with_the_files(tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "A1.jpg").write_bytes(b"x")
    before = fingerprint.path_fingerprint(str(tmp_path))
    (tmp_path / "A" / "A2.jpg").write_bytes(b"y")
    assert fingerprint.path_fingerprint(str(tmp_path)) != before
    assert fingerprint.path_fingerprint(str(tmp_path / "nope")) == "missing"

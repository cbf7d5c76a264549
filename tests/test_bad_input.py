"""Bad input to the build (issue 9, engine side): never loses a report, never passes as a
result, always one clear message. Tiny fixture projects (no TensorFlow)."""
from __future__ import annotations

import json

import pytest

from test_engine import states


def corrupt(project, name, text):
    (project.out / "variants" / name / "metrics.json").write_text(text)


def valid_metrics(project, name="alpha") -> dict:
    return json.loads((project.out / "variants" / name / "metrics.json").read_text())


def changed(project, change) -> str:
    metrics = valid_metrics(project)
    change(metrics)
    return json.dumps(metrics)


BAD_METRICS = {
    "truncated": (lambda p: valid_metrics(p) and '{"schema_version": 1, "kind": "mo',
                  "not valid JSON"),
    "empty": (lambda p: "", "not valid JSON"),
    "array": (lambda p: "[1, 2]", "the top level: [1, 2] is not of type 'object'"),
    "string": (lambda p: '"hello"', "is not of type 'object'"),
    "key missing": (lambda p: changed(p, lambda m: m.pop("test")), "missing test"),
    "wrong kind": (lambda p: changed(p, lambda m: m.update(kind="modl")), "kind is 'modl'"),
    "unknown schema": (lambda p: changed(p, lambda m: m.update(schema_version=7)),
                       "schema_version"),
    "null accuracy": (lambda p: changed(p, lambda m: m["test"].update(accuracy=None)),
                      "test.accuracy: None is not of type 'number'"),
    "NaN accuracy": (lambda p: changed(p, lambda m: m.update(test_accuracy=float("nan"))),
                     "test_accuracy: nan is not a number"),
    "infinite": (lambda p: changed(p, lambda m: m["test"].update(f1_macro=float("inf"))),
                 "test.f1_macro"),
    "accuracy 7.5": (lambda p: changed(p, lambda m: m["test"].update(accuracy=7.5)),
                     "test.accuracy: 7.5 is greater than the maximum of 1"),
    "CI outside [0, 1]": (lambda p: changed(p, lambda m: m["test"].update(accuracy_ci=[-3, 12])),
                          "test.accuracy_ci"),
    "confusion matrix shape": (
        lambda p: changed(p, lambda m: m["test"].update(confusion_matrix=[[1, 0, 0]])),
        "test.confusion_matrix: shape 1 x [3], expected 2 x 2"),
}


@pytest.mark.parametrize("case", BAD_METRICS)
def test_invalid_metrics_never_replace_the_complete_report(tiny_project, capsys, case):
    make, message = BAD_METRICS[case]
    pdf = tiny_project.out / "report.pdf"
    before = pdf.read_bytes()
    corrupt(tiny_project, "alpha", make(tiny_project))
    assert tiny_project.build("--render-only") == 1
    assert pdf.read_bytes() == before
    incomplete = (tiny_project.out / "report-incomplete.pdf").read_text()
    assert '"alpha": "failed"' in incomplete
    output = capsys.readouterr().out
    assert "report: incomplete" in output
    failures = json.loads((tiny_project.out / "manifest.json").read_text())["variants"]["alpha"]
    assert failures["status"] == "failed"
    assert "variants/alpha/metrics.json" in failures["error"] and message in failures["error"]


@pytest.mark.parametrize("case", ["truncated", "array", "null accuracy", "accuracy 7.5"])
def test_invalid_metrics_make_the_run_run_again(tiny_project, capsys, case):
    make, message = BAD_METRICS[case]
    corrupt(tiny_project, "alpha", make(tiny_project))
    assert tiny_project.build() == 0
    output = capsys.readouterr().out
    assert states(output) == {"alpha": "done", "beta": "cached"}
    assert message in output and "alpha/metrics.json" in output
    assert valid_metrics(tiny_project)["test"]["accuracy"] == 0.5
    assert (tiny_project.out / "report.pdf").exists()


def test_a_notebook_writing_invalid_metrics_fails(tmp_path, capsys):
    from conftest import project_with_notebook
    from asl.engine import cli

    def bad_accuracy(book):
        cell = book["cells"][-1]
        cell["source"] = "".join(cell["source"]).replace(
            "metrics_file.write(out, metrics)",
            'metrics["test"]["accuracy"] = 7.5\n'
            '(out / "metrics.json").write_text(json.dumps({"schema_version": 1, **metrics}))')
    project, args = project_with_notebook(tmp_path, bad_accuracy)
    assert cli.main(args) == 1
    output = capsys.readouterr().out
    assert "InvalidMetrics" in output and "test.accuracy: 7.5 is greater than the maximum" in output
    assert not (project.out / "variants" / "alpha").exists()


# --- parameter values outside what `allowed:` in variants.yaml permits ---------------------

def build_real(capsys, tmp_path, *args):
    """The project's variants.yaml and notebooks; nothing may run (the data does not exist)."""
    from asl.engine import cli
    code = cli.main(["--out", str(tmp_path / "out"), "--data", str(tmp_path / "no-data"), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("override, message", [
    ("test_fraction=1.5", "test_fraction must be above 0 and below 1"),
    ("block_size=0", "block_size must be at least 1"),
    ("epochs=0", "epochs must be at least 1"),
    ("epochs=-1", "epochs must be at least 1"),
    ("batch_size=0", "batch_size must be at least 1"),
    ("learning_rate=-1", "learning_rate must be above 0"),
    ("gap=-5", "gap must be at least 0"),
    ("max_per_class=-5", "max_per_class must be at least 0"),
    ("split=randm", "split must be one of 'frame_block', 'random'"),
    ("architecture=foo", "architecture must be one of 'original', 'batchnorm', 'wide'"),
    ("dropout=1.5", "dropout must be at least 0 and below 1"),
    ("learning_rate=nan", "learning_rate must be a finite number"),
])
def test_values_out_of_range_are_refused_before_anything_runs(capsys, tmp_path, override,
                                                              message):
    code, out, err = build_real(capsys, tmp_path, "--variant", "cnn_scratch", "-p", override)
    assert code == 2 and message in err and "Traceback" not in err
    assert "variant cnn_scratch" in err and not (tmp_path / "out").exists()


def test_a_classifier_is_checked_against_its_own_notebook(capsys, tmp_path):
    code, _, err = build_real(capsys, tmp_path, "--variant", "autoencoder_forest",
                              "-p", "classifier=extra_trees")
    assert code == 2 and "one of 'random_forest', 'logistic_regression'" in err
    code, out, _ = build_real(capsys, tmp_path, "--variant", "hands", "-p",
                              "classifier=extra_trees", "--list")
    assert code == 0


@pytest.mark.parametrize("literal, value", [("1e-3", 0.001), ("1E-4", 0.0001), (".5", 0.5),
                                            ("2", 2.0), ("1_0.5", 10.5)])
def test_every_python_float_literal_is_accepted(capsys, tmp_path, literal, value):
    code, out, err = build_real(capsys, tmp_path, "--variant", "cnn_scratch", "--list",
                                "-p", f"learning_rate={literal}")
    assert code == 0, err
    assert f"-> {value!r} (-p)" in out


def test_the_list_shows_what_is_allowed(capsys, tmp_path):
    code, out, _ = build_real(capsys, tmp_path, "--variant", "cnn_scratch", "--list")
    assert "[one of 'rmsprop', 'adam', 'sgd']" in out and "[above 0 and below 1]" in out


def test_the_allowed_choices_are_those_the_code_has():
    """variants.yaml's choices are the ones asl.study implements (no silent drift)."""
    from asl import config
    from asl.engine import variants
    from asl.study import models, splits, training
    from asl.study.hands import classifiers
    table = variants.load(config.VARIANTS_FILE, config.NOTEBOOKS_DIR)
    allowed = table.allowed
    assert set(allowed["architecture"]) == set(models.CNN_ARCHITECTURES)
    assert set(allowed["augment"]) == set(models.AUGMENTATIONS)
    assert set(allowed["backbone"]) == set(models.BACKBONES)
    assert set(allowed["alpha"]) == set(models._MOBILENET_ALPHA_TAGS)
    assert set(allowed["optimizer"]) == set(training.OPTIMIZERS)
    assert set(allowed["split"]) == set(splits.SPLIT_KINDS)
    assert set(allowed["classifier"]["keypoints.ipynb"]) == {"best", *classifiers.CLASSIFIERS}


def test_a_negative_timeout_is_refused(tiny_project, capsys):
    assert tiny_project.build("--timeout", "-5") == 2
    assert "--timeout must be a number of seconds above 0" in capsys.readouterr().err
    tiny_project.edit_variants(lambda table: table["alpha"].update(timeout=0))
    assert tiny_project.build() == 2
    assert "variant alpha: timeout must be a number of seconds above 0" in \
        capsys.readouterr().err


# --- runs trained on different data ----------------------------------------------------------

def test_runs_on_different_data_make_the_report_incomplete(tiny_project, capsys):
    from conftest import write_photo
    other = tiny_project.root / "other-data"
    write_photo(other / "B" / "B1.png")
    pdf = tiny_project.out / "report.pdf"
    before = pdf.read_bytes()
    assert tiny_project.build("--variant", "alpha", "--data", str(other)) == 1
    output = capsys.readouterr().out
    assert states(output) == {"alpha": "done"}
    assert "the runs were trained on different data: alpha on" in output and "beta on" in output
    assert "--allow-mixed-data" in output
    assert pdf.read_bytes() == before and (tiny_project.out / "report-incomplete.pdf").exists()
    manifest = json.loads((tiny_project.out / "manifest.json").read_text())
    alpha, beta = (manifest["variants"][n]["data_fingerprint"] for n in ("alpha", "beta"))
    assert alpha and beta and alpha != beta
    assert manifest["mixed_data"] == {alpha: ["alpha"], beta: ["beta"]}
    # the same state stays incomplete on --render-only, and --allow-mixed-data accepts it
    assert tiny_project.build("--render-only") == 1
    assert pdf.read_bytes() == before
    assert tiny_project.build("--render-only", "--allow-mixed-data") == 0
    assert pdf.read_bytes() != before
    # rebuilding beta on the same data makes the report whole again
    assert tiny_project.build("--data", str(other)) == 0
    assert not json.loads((tiny_project.out / "manifest.json").read_text())["mixed_data"]


def test_the_report_names_each_variants_training_data(tmp_path):
    from asl.report.context import build_context
    from asl.report.render import render_html
    from test_report_context import make_build
    out_dir, variants, manifest, *rest = make_build(tmp_path)
    for name, entry in manifest["variants"].items():
        entry["data_fingerprint"] = ("a" if name == "cnn_scratch" else "b") * 64
    manifest["mixed_data"] = {"a" * 64: ["cnn_scratch"],
                              "b" * 64: [n for n in manifest["variants"] if n != "cnn_scratch"]}
    html = render_html(build_context(out_dir, variants, manifest, *rest))
    assert "trained on different data" in html and "cnn_scratch on data aaaaaaaaaaaa" in html
    assert "<th>Training data</th>" in html or "Training data" in html
    assert html.count("bbbbbbbbbbbb") >= len(manifest["variants"]) - 1


# --- variants.yaml written wrong ---------------------------------------------------------------

def variants_file(tmp_path, text):
    from conftest import FIXTURES
    path = tmp_path / "variants.yaml"
    path.write_text(text)
    return ["--variants-file", str(path), "--notebooks", str(FIXTURES), "--list"]


def run_cli(capsys, args):
    from asl.engine import cli
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("text, message", [
    ("variants:\n  alpha:\n    notebook: tiny.ipynb\n  beta:\n    notebook: tiny.ipynb\n"
     "  alpha:\n    notebook: tiny.ipynb\n", "'alpha' is given twice, on lines 2 and 6"),
    ("variants:\n  alpha:\n    notebook: tiny.ipynb\n    parameters:\n      epochs: 2\n"
     "      epochs: 3\n", "'epochs' is given twice, on lines 5 and 6"),
    ("- alpha\n- beta\n", "expected a mapping with `variants:`"),
    ("variants:\n  - alpha\n", "expected a mapping with `variants:`"),
    ("variants:\n  alpha: tiny.ipynb\n",
     "variant alpha: expected a mapping such as `notebook: cnn.ipynb`"),
    ("variants:\n  alpha:\n    notebook: tiny.ipynb\n    parameters: [epochs]\n",
     "variant alpha: parameters: expected name: value lines"),
    ("quick: 3\nvariants:\n  alpha:\n    notebook: tiny.ipynb\n", "quick: expected name: value"),
])
def test_a_malformed_variants_file_gets_one_clear_message(capsys, tmp_path, text, message):
    code, _, err = run_cli(capsys, variants_file(tmp_path, text))
    assert code == 2, err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_typo_under_quick_is_warned_about(capsys, tmp_path):
    code, out, err = run_cli(capsys, variants_file(
        tmp_path, "quick:\n  epochz: 1\n  epochs: 1\nallowed:\n  ratez: {min: 0}\n"
                  "variants:\n  alpha:\n    notebook: tiny.ipynb\n"))
    assert code == 0
    assert "warning: variants.yaml: quick: epochz is not a parameter of any notebook" in err
    assert "warning: variants.yaml: allowed: ratez is not a parameter of any notebook" in err
    assert "epochs" not in err


# --- folders the build cannot write ---------------------------------------------------------

def build_without_root_powers(project, *args):
    """``build.py`` in its own process that file permissions apply to even when the tests run
    as root (root without the capability to override them)."""
    import os
    import shutil
    import subprocess
    import sys
    from conftest import FIXTURES
    command = [sys.executable, str(FIXTURES / "stub_build.py"), *project.args(*args)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("where", ["out", "variants", "parent of --out"])
def test_a_read_only_folder_gets_one_line_and_nothing_runs(tiny_project, where):
    import stat
    folder = {"out": tiny_project.out, "variants": tiny_project.out / "variants",
              "parent of --out": tiny_project.root}[where]
    if where == "parent of --out":
        import shutil
        shutil.rmtree(tiny_project.out)
    pdf = tiny_project.out / "report.pdf"
    before = pdf.read_bytes() if pdf.exists() else None
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = build_without_root_powers(tiny_project, "--force", "alpha")
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: cannot write to ") and str(folder) in error
    assert "--out" in error
    assert "running" not in result.stdout
    assert (pdf.read_bytes() if pdf.exists() else None) == before


# --- one line instead of a traceback or a misleading hint ------------------------------------

def uses_weights(book):
    """tiny.ipynb, whose code reads the weights file like the transfer notebook."""
    book["cells"][2]["source"] = "".join(book["cells"][2]["source"]) + "\nprint(weights_path)\n"


def test_weights_are_checked_only_for_variants_that_need_them(tiny_project, tmp_path, capsys):
    from conftest import project_with_notebook
    from asl.engine import cli
    assert tiny_project.build("--force", "alpha", "--weights", "nope.h5") == 0
    project, args = project_with_notebook(tmp_path, uses_weights)
    assert cli.main([*args, "--weights", "nope.h5"]) == 2
    err = capsys.readouterr().err
    assert "weights not found at nope.h5: give --weights PATH or set ASL_WEIGHTS" in err


def test_a_truncated_weights_file_is_named_before_anything_runs(tmp_path, capsys):
    import h5py
    import numpy as np
    from conftest import project_with_notebook
    from asl.engine import cli
    weights = tmp_path / "mobilenet.h5"
    with h5py.File(weights, "w") as handle:
        handle["kernel"] = np.zeros((64, 64))
    weights.write_bytes(weights.read_bytes()[:1000])
    project, args = project_with_notebook(tmp_path, uses_weights)
    assert cli.main([*args, "--weights", str(weights)]) == 2
    captured = capsys.readouterr()
    assert f"the weights file {weights} cannot be read" in captured.err
    assert "damaged or incomplete; download it again" in captured.err
    assert "running" not in captured.out


def test_a_missing_wild_set_gets_its_own_hint(tmp_path, capsys):
    from conftest import project_with_notebook
    from asl.engine import cli

    def uses_wild(book):
        book["cells"][2]["source"] = "".join(book["cells"][2]["source"]) + "\nprint(wild_path)\n"
    project, args = project_with_notebook(tmp_path, uses_wild)
    assert cli.main([*args, "--wild", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "wild not found at" in err and "--wild PATH or set ASL_WILD" in err
    assert "training" not in err and "Kaggle" not in err


def evaluate(capsys, *args):
    from asl.engine import cli
    code = cli.main(["evaluate", *args])
    captured = capsys.readouterr()
    return code, captured.err


def test_evaluate_names_a_variant_that_does_not_exist(capsys, tmp_path):
    code, err = evaluate(capsys, "nosuch", "--quick", "--images", str(tmp_path))
    assert code == 2 and "unknown variant 'nosuch'; choose from explore, cnn_scratch" in err
    assert "build it first" not in err


def test_evaluate_hints_at_the_build_that_was_asked_for(capsys, tmp_path):
    code, err = evaluate(capsys, "cnn_scratch", "--quick", "--images", str(tmp_path),
                         "--out", str(tmp_path / "out"))
    assert code == 1
    assert f"build it first (python build.py --quick --out {tmp_path / 'out'} " \
           f"--variant cnn_scratch)" in err


def test_evaluate_with_missing_photos_talks_about_images(capsys, tmp_path):
    code, err = evaluate(capsys, "cnn_scratch", "--images", str(tmp_path / "nope"))
    assert code == 2 and f"--images {tmp_path / 'nope'} not found" in err
    assert "--data" not in err and "ASL_DATA" not in err


def test_evaluate_names_a_damaged_model_file(capsys, tmp_path):
    from asl import metrics_file
    from test_report_context import model_metrics
    folder = tmp_path / "out" / "variants" / "cnn_scratch.seed1"
    metrics_file.write(folder, model_metrics("cnn_scratch", "cnn", "frame_block", 0.8, 0.3,
                                             seed=0, folder=folder))
    (folder / "model.keras").write_bytes(b"PK\x03\x04 a model cut short")
    code, err = evaluate(capsys, "cnn_scratch", "--images", str(tmp_path),
                         "--out", str(tmp_path / "out"))
    assert code == 1 and "Traceback" not in err
    assert f"{folder / 'model.keras'} cannot be loaded" in err
    assert "damaged or incomplete; rebuild the variant" in err


# --- the thread count a run trained with -------------------------------------------------------

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

"""A metrics.json that is not a result (broken, off the schema) never passes as one: the run
counts as failed, runs again, and never replaces the complete report. Tiny fixture projects."""
from __future__ import annotations

import json

import pytest

from conftest import project_with_notebook
from helpers import states


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

"""'How we evaluated' names the adaptation study's use of the wild selection half (photos added
to a refitted model, a finding; nothing chosen), next to the settings fitted on it."""
from asl.report.method import selection_half_uses
from asl.report.results import VariantResult


def _study(ks, added_from="selection half"):
    return {"added_from": added_from, "scored_on": "report half", "draws": 1,
            "points": [{"k": k, "accuracies": [0.8 + k / 100]} for k in ks]}


def _result(name, studies):
    runs = [{"parameters": {"train_seed": seed}, "extra": {"adaptation": study} if study else {}}
            for seed, study in enumerate(studies, start=1)]
    return VariantResult(name, name.title(), "", "keypoints.ipynb", None, "done",
                         metrics=runs[0], runs=runs)


def test_the_adaptation_study_is_named_with_its_ks_and_as_a_finding_only():
    notes = selection_half_uses([_result("hands", [_study([0, 1, 2, 5, 10]), _study([0, 1])]),
                                 _result("hands_no_retries", [None])])
    assert notes == [
        "Hands: the adaptation study (the finding \"Photos of new people\") adds k = 1, 2, 5, 10 "
        "photos per class drawn from the selection half to its training and refits the "
        "classifier, scored on the report half only. A finding only: nothing is chosen from it, "
        "and the recommended model is chosen without these photos."]


def test_a_variant_without_a_study_or_with_k_0_only_adds_nothing():
    assert selection_half_uses([_result("hands", [_study([0])]), _result("cnn", [None])]) == []


def test_photos_added_from_elsewhere_are_not_a_selection_half_use():
    assert selection_half_uses([_result("hands", [_study([0, 5], "validation photos")])]) == []


def test_the_evaluation_chapter_prints_the_adaptation_use(tmp_path):
    from asl import metrics_file
    from asl.files import write_json_atomic
    from asl.report.context import build_context
    from asl.report.render import render_html
    from report_builds import make_build

    args = make_build(tmp_path)
    folder = args[0] / "variants" / "cnn_augment"
    metrics = metrics_file.read(folder)
    metrics["extra"] = {**(metrics.get("extra") or {}), "adaptation": _study([0, 1, 5])}
    write_json_atomic(folder / metrics_file.FILENAME, metrics_file.validate(metrics))
    page = render_html(build_context(*args))
    chapter = page[page.index('id="evaluation"'):page.index('id="exploration"')]
    assert "Title of cnn_augment: the adaptation study (the finding &#34;Photos of new " \
           "people&#34;) adds k = 1, 5 photos per class" in chapter
    assert "a study kept apart from the recommendation" in chapter

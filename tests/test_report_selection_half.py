"""'How we evaluated' names every setting fitted on the selection half of the wild photos, with
what each run chose, read from the runs' metrics."""
from asl.report.method import fusion_choice, selection_half_uses
from asl.report.results import VariantResult


def _fusion(c, fitted_on="wild selection half"):
    return {"model": "logistic regression on both models' class probabilities", "C": c,
            "grid": [{"C": 1.0, "cv_accuracy": 0.9}, {"C": 10.0, "cv_accuracy": 0.93}],
            "folds": 5, "photos": 435, "fitted_on": fitted_on}


def _result(name, fusions):
    runs = [{"parameters": {"train_seed": seed}, "extra": {"fusion": fusion} if fusion else {}}
            for seed, fusion in enumerate(fusions, start=1)]
    return VariantResult(name, name.title(), "", "handcrop.ipynb", None, "done",
                         metrics=runs[0], runs=runs)


def test_each_run_s_choice_on_the_selection_half_is_named():
    notes = selection_half_uses([_result("handcrop", [None, None]),
                                 _result("fusion", [_fusion(10.0), _fusion(1.0)])])
    assert len(notes) == 1
    assert notes[0].startswith("Fusion: its stacking model learns which source to trust for "
                               "which letter, with logistic regression on both models' class "
                               "probabilities. It is fitted on")
    assert "435 photos of the selection half" in notes[0]
    assert "5-fold cross-validation within that half (seed 1: C = 10; seed 2: C = 1)" in notes[0]
    assert "out of fold" in notes[0]


def test_a_fusion_fitted_on_validation_photos_is_not_a_selection_half_use():
    assert selection_half_uses([_result("fusion", [_fusion(1.0, "validation photos")])]) == []


def test_the_variant_table_says_what_was_fitted_and_how_c_was_chosen():
    text = fusion_choice(_fusion(10.0))
    assert text == ("logistic regression on both models' class probabilities, fitted on the 435 "
                    "photos of the wild selection half; C = 10, chosen by 5-fold "
                    "cross-validation among those photos (1: 0.900, 10: 0.930)")


def test_the_cascade_threshold_is_named_with_where_it_was_chosen():
    from asl.report.method import cascade_choice
    assert cascade_choice({"threshold": 0.5, "chosen_on": "validation photos"}) == (
        "the network's answer when its confidence is at least 0.5 (chosen on the validation "
        "photos), else 'nothing'")


def test_a_fusion_fitted_on_both_sets_names_both_and_their_weights():
    both = {**_fusion(10.0, "wild selection half and validation photos"), "photos": 2435,
            "selection_photos": 435, "validation_photos": 2000}
    notes = selection_half_uses([_result("fusion", [both])])
    assert len(notes) == 1
    assert ("the 435 photos of the selection half and the 2,000 validation photos, each set "
            "weighing half" in notes[0])
    assert "cross-validation within them (seed 1: C = 10)" in notes[0]

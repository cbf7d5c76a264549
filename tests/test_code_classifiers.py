"""Classifiers on autoencoder codes: chosen on the validation photos, then refitted on them."""
import numpy as np

from asl.study import code_classifiers


def test_the_validation_answers_kept_are_from_the_model_not_yet_refitted_on_them():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(5), 30)
    codes_train = labels[:, None] + rng.normal(0, 1.2, (len(labels), 4))
    codes_val = labels[:, None] + rng.normal(0, 1.2, (len(labels), 4))
    refitted, search = code_classifiers.fit("random_forest", codes_train, labels, codes_val,
                                            labels, seed=0)
    kept = np.asarray(search[code_classifiers.VAL_ANSWERS])
    assert (kept == labels).mean() == search["val_accuracy"] < 1.0
    assert (refitted.predict(codes_val) == labels).mean() > search["val_accuracy"]
    record = code_classifiers.record("random_forest", search, _Results())
    assert code_classifiers.VAL_ANSWERS not in record and record["val"] == "its block"


class _Results:
    test, wild, val, train_accuracy, inference = "t", None, "its block", 1.0, {}

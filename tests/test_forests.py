"""Forests capped in size and saved compressed."""
import numpy as np


def test_forests_are_capped_so_the_saved_model_stays_under_50_mb():
    """100 trees (the notebooks' default) of any training set must pickle to under 50 MB."""
    import pickle

    from asl.study import forests

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(20000, 10))
    labels = rng.integers(0, 29, size=20000)  # noise: an uncapped tree grows a leaf per row
    forest = forests.make("random_forest", 4, seed=0).fit(rows, labels)
    assert max(tree.get_n_leaves() for tree in forest.estimators_) <= forests.MAX_LEAVES
    assert len(pickle.dumps(forest)) * 100 / 4 < 50e6


def test_a_saved_forest_is_compressed_and_loads_back_the_same(tmp_path):
    """``forests.save`` writes a fraction of the pickle's size; the loaded model predicts
    the same, and a plain pickle (as older builds wrote) still loads."""
    import pickle

    from asl.study import forests

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(5000, 10))
    labels = rng.integers(0, 29, size=5000)
    forest = forests.make("extra_trees", 10, seed=0).fit(rows, labels)
    path = forests.save({"forest": forest}, tmp_path / "classifiers.pkl")
    assert path.stat().st_size * 4 < len(pickle.dumps({"forest": forest}))
    loaded = forests.load(path)["forest"]
    assert np.array_equal(loaded.predict_proba(rows[:50]), forest.predict_proba(rows[:50]))
    (tmp_path / "old.pkl").write_bytes(pickle.dumps(forest))
    assert np.array_equal(forests.load(tmp_path / "old.pkl").predict(rows[:50]),
                          forest.predict(rows[:50]))

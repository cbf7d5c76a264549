"""A network taken from the run this one builds on."""



def test_a_reused_network_must_have_been_trained_with_this_runs_settings():
    import pytest

    from asl.study import reuse
    from asl.study.hands import crop_network

    theirs = {"epochs": 12, "margin": 0.35, "fuse": False, "trees": 100, "train_seed": 1}
    reuse.check_parameters(theirs, {**theirs, "fuse": True, "trees": 5}, crop_network.FUSION_ONLY,
                           "crops.seed1")
    with pytest.raises(ValueError, match=r"this run has epochs=3 but the network of "
                                         r"crops.seed1 it uses was trained with epochs=12"):
        reuse.check_parameters(theirs, {**theirs, "epochs": 3}, crop_network.FUSION_ONLY,
                               "crops.seed1")
    with pytest.raises(ValueError, match="train_seed=2"):
        reuse.check_parameters(theirs, {**theirs, "train_seed": 2}, crop_network.FUSION_ONLY,
                               "crops.seed1")


def test_a_run_finds_the_network_it_reused_and_notices_a_rebuild(tmp_path):
    import pytest

    from asl.errors import AslError
    from asl.files import sha256
    from asl.study import reuse

    network = tmp_path / "crops.seed1" / "model.keras"
    network.parent.mkdir()
    network.write_bytes(b"weights")
    pointer = {"run": "crops.seed1", "file": "model.keras", "sha256": sha256(b"weights")}
    assert reuse.network_path(tmp_path / "fusion.seed1", pointer) == network
    network.write_bytes(b"other weights")
    with pytest.raises(AslError, match="fusion.seed1 was built on the network of crops.seed1, "
                                       "which has been rebuilt since: rebuild it: python "
                                       "build.py --variant fusion"):
        reuse.network_path(tmp_path / "fusion.seed1", pointer)
    network.unlink()
    with pytest.raises(AslError, match="is missing"):
        reuse.network_path(tmp_path / "fusion.seed1", pointer)


def test_every_declared_fusion_differs_from_the_network_it_uses_only_in_fusion_settings():
    """A variant with `uses:` that sets a network parameter would fail at run time: caught here
    for every variant in variants.yaml."""
    from asl.config import NOTEBOOKS_DIR, VARIANTS_FILE
    from asl.engine.variants import load
    from asl.study.hands import crop_network

    users = [v for v in load(VARIANTS_FILE, NOTEBOOKS_DIR).variants.values() if v.uses]
    assert users
    for variant in users:
        assert set(variant.settings) <= set(crop_network.FUSION_ONLY), variant.name

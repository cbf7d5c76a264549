"""Fusion of the hand-crop network with the keypoint forest: one detection per photo in the
saved model (and so in its latency), the saved stacking model applied, and figures that say
whose they are."""
import json

import numpy as np
import pytest

from asl import CLASSES
from asl.study import evaluate, experiment, run_figures, saved_models
from asl.study.data import ImageSet
from asl.study.hands import crop_network, detector, fusion
from asl.study.splits import Split
from hand_fixtures import write_fused_run


class CountingDetector:
    """Stands in for HandDetector: finds no hand, counts the photos it was asked about."""

    photos = 0

    def __init__(self, weights_path="", settings=None, num_threads=1):
        self.settings = settings

    def detect(self, image):
        CountingDetector.photos += 1
        return None


@pytest.fixture
def saved_fusion(tmp_path, monkeypatch):
    """A fusion run's folder: crop settings saying it is fused, its keypoint forest and its
    stacking model (fitted on planted probabilities of both sources)."""
    write_fused_run(tmp_path)
    monkeypatch.setattr(detector, "HandDetector", CountingDetector)
    CountingDetector.photos = 0
    return tmp_path


def test_the_saved_fused_model_finds_each_hand_once(saved_fusion):
    """The crop and the keypoint forest share one detection per photo, so the latency the
    notebook measures on this predictor counts the hand detection once."""
    network = lambda crops: np.full((len(crops), len(CLASSES)), 1 / len(CLASSES))  # noqa: E731
    predict = crop_network.saved_predictor(saved_fusion, network)
    probabilities = predict(np.zeros((5, 32, 32, 3), np.uint8))
    assert CountingDetector.photos == 5
    nothing = np.eye(len(CLASSES))[[CLASSES.index("nothing")] * 5]  # no hand: the forest's answer
    stacker = saved_models.fusion_model(saved_fusion)
    assert np.allclose(probabilities, fusion.combine(stacker, network(probabilities), nothing))


def _data(probabilities_seed: int = 0) -> experiment.Data:
    rng = np.random.default_rng(probabilities_seed)
    n = 40
    photos = ImageSet(rng.integers(0, 255, (n, 16, 16, 3), dtype=np.uint8),
                      rng.integers(0, len(CLASSES), n), [f"A/{i}.jpg" for i in range(n)],
                      np.arange(n), 0, "planted")
    return experiment.Data(photos, photos, photos, None, Split("frame_block", np.arange(n),
                                                               np.arange(n), np.arange(n)), {})


def _results(data, probabilities) -> experiment.Results:
    return experiment.evaluate_probabilities(probabilities[:len(experiment.train_sample(data))],
                                             probabilities, None, data, {}, {})


def test_fusions_reliability_is_its_own_and_the_networks_figures_say_whose(tmp_path,
                                                                          monkeypatch):
    data = _data()
    rng = np.random.default_rng(1)
    alone = rng.dirichlet(np.full(len(CLASSES), 0.3), len(data.test))   # confident
    fused = 0.3 * alone + 0.7 / len(CLASSES)                            # far less so
    drawn = []
    monkeypatch.setattr("asl.study.figures.reliability_diagram",
                        lambda calibration, path, title="": drawn.append(calibration) or "r.png")
    monkeypatch.setattr(run_figures, "saliency", lambda model, results, data, out, title,
                        looker: [{"key": "saliency_test", "caption": f"{title}: where {looker} "
                                  "looks", "file": "s"}])
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    made = crop_network.figures(None, _results(data, alone), _results(data, fused), data,
                                {"history": history}, tmp_path, "fusion", fused=True)
    assert drawn == [evaluate.calibration(fused, data.test.labels)]
    assert drawn[0]["ece"] != evaluate.calibration(alone, data.test.labels)["ece"]
    captions = {figure["key"]: figure["caption"] for figure in made}
    assert captions["learning_curves"].startswith(
        "fusion: learning curves of the hand-crop network alone, not of the fused model (")
    assert captions["saliency_test"] == ("fusion: where the hand-crop network alone, not the "
                                         "fused model, looks")
    assert captions["reliability"].startswith("fusion: reliability diagram")


def test_a_fusion_saved_by_an_earlier_version_is_refused_by_name(saved_fusion):
    """Its handcrop.json holds a weight and no stacking model: evaluating the network alone
    instead would be silently wrong."""
    from asl.errors import AslError

    (saved_fusion / saved_models.CROP_SETTINGS_FILE).write_text(json.dumps(
        {"image_size": 16, "margin": 0.35, "fusion_weight": 0.4}))
    with pytest.raises(AslError, match="built with an earlier fusion .* rebuild it with --force"):
        crop_network.saved_predictor(saved_fusion, lambda crops: crops)


def test_a_fusion_on_a_reused_network_leaves_the_networks_figures_to_that_runs_section(
        tmp_path, monkeypatch):
    data = _data()
    probabilities = np.random.default_rng(1).dirichlet(np.full(len(CLASSES), 0.3), len(data.test))
    monkeypatch.setattr(run_figures, "saliency", lambda *a, **k: pytest.fail("drawn"))
    made = crop_network.figures(None, _results(data, probabilities),
                                _results(data, probabilities), data,
                                {"history": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}},
                                tmp_path, "fusion", fused=True, reused=True)
    keys = {figure["key"] for figure in made}
    assert "confusion_matrix" in keys and "reliability" in keys
    assert not keys & {"learning_curves", "training_crops", "saliency_test", "saliency_wild"}


def test_the_appendix_points_to_the_section_of_the_reused_network():
    from asl.report.tables import network_source
    assert network_source("handcrop_mobilenet.seed2") == {
        "name": "handcrop_mobilenet", "appendix": "appendix-variant-handcrop_mobilenet"}
    assert network_source(None) is None

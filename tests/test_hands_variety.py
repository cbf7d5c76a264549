"""Synthetic people (`variety: people`): training hands varied in finger length, spread and
joint bends within the declared ranges, the wrist, palm and scale kept; `variety: none` trains
exactly as before; an unknown variety is refused before anything runs."""
import numpy as np
import pytest

from asl.study.hands import classifiers, features as kf, variety
from hand_fixtures import hands_of, synthetic_hand
from helpers import build_real

PALM = [0, 1, 5, 9, 13, 17]


def _hands(count=200, flat=False):
    """Open hands (a fan of straight fingers, as in the photo fixture), each turned, placed
    differently and (unless ``flat``) bent a little out of the image plane."""
    _, keypoints, _ = synthetic_hand()
    rng = np.random.default_rng(7)
    hands = np.repeat(keypoints.astype(np.float64), count, axis=0)
    hands[..., 2] = 0 if flat else rng.normal(0, 1.5, (count, 21))
    angle = rng.uniform(-1, 1, count)
    x, y = hands[..., 0] - 32, hands[..., 1] - 51
    hands[..., 0] = np.cos(angle)[:, None] * x - np.sin(angle)[:, None] * y + 60
    hands[..., 1] = np.sin(angle)[:, None] * x + np.cos(angle)[:, None] * y + 40
    return hands


def _finger_lengths(points):
    return np.stack([sum(np.linalg.norm(points[:, b] - points[:, a], axis=-1)
                         for a, b in zip(chain, chain[1:])) for chain in kf.FINGERS.values()], 1)


def test_the_wrist_palm_and_scale_stay_where_they_were():
    hands = _hands()
    varied = variety.vary_people(hands, np.random.default_rng(0))
    assert np.allclose(varied[:, PALM], hands[:, PALM], atol=1e-4)
    scale = lambda p: np.linalg.norm(p[:, kf.MIDDLE_MCP, :2] - p[:, kf.WRIST, :2], axis=1)
    assert np.allclose(scale(varied), scale(hands), rtol=1e-5)
    reach = np.linalg.norm(varied - varied[:, :1], axis=-1).max(axis=1)
    bases = [joints[0] for joints in kf.FINGERS.values()]
    longest = (np.linalg.norm(hands[:, bases] - hands[:, :1], axis=-1)
               + _finger_lengths(hands)).max(axis=1)
    assert np.all(reach <= longest * (1 + variety.LENGTH) + 1e-4)


def test_finger_lengths_change_within_the_declared_range_and_do_change():
    hands = _hands()
    ratio = _finger_lengths(variety.vary_people(hands, np.random.default_rng(1))) / \
        _finger_lengths(hands)
    assert ratio.min() >= 1 - variety.LENGTH - 1e-5 and ratio.max() <= 1 + variety.LENGTH + 1e-5
    assert ratio.min() < 1 - variety.LENGTH / 2 and ratio.max() > 1 + variety.LENGTH / 2


def test_joints_bend_within_the_declared_angle():
    hands = _hands()
    varied = variety.vary_people(hands, np.random.default_rng(2))
    change = np.degrees(np.abs(kf.bend_angles(varied) - kf.bend_angles(hands)))
    further = np.hstack([change[:, 1::3], change[:, 2::3]])   # middle and end joints
    assert further.max() <= variety.BEND_DEG + 1e-3 and further.max() > variety.BEND_DEG / 2


def _spread(points):
    """Each finger's sideways angle in the palm's plane: its tip seen from its base, against
    the line from the wrist to the base (the fingers of a flat hand lie in the image plane)."""
    angles = []
    for base, *chain in kf.FINGERS.values():
        palm, finger = points[:, base, :2] - points[:, 0, :2], points[:, chain[-1], :2] - \
            points[:, base, :2]
        angles.append(np.arctan2(palm[:, 0] * finger[:, 1] - palm[:, 1] * finger[:, 0],
                                 np.sum(palm * finger, axis=-1)))
    return np.degrees(np.stack(angles, 1))


def test_fingers_spread_within_the_declared_angle():
    hands = _hands(flat=True)
    change = np.abs(_spread(variety.vary_people(hands, np.random.default_rng(4))) -
                    _spread(hands))
    assert change.max() <= variety.SPREAD_DEG + 1e-3 and change.max() > variety.SPREAD_DEG / 2


def test_the_same_seed_gives_the_same_copies_and_another_seed_others():
    hands = _hands(20)
    first = variety.vary(hands, np.random.default_rng(5), "people")
    assert np.array_equal(first, variety.vary(hands, np.random.default_rng(5), "people"))
    assert not np.allclose(first, variety.vary(hands, np.random.default_rng(6), "people"))


def _table(variety_name, seed=0):
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 26, 60)
    return classifiers.training_table(hands_of(labels, rng), labels,
                                      np.random.default_rng(seed), 2, False, variety_name)


def test_variety_none_trains_exactly_as_the_plain_augmentation():
    """The training and the validation table, drawn one after the other from one generator as
    ``classifiers.fit`` does, are the plain rotated and stretched copies, draw for draw."""
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 26, 60)
    found = hands_of(labels, rng)
    shared = np.random.default_rng(0)
    tables = [classifiers.training_table(found, labels, shared, 2, False, "none")[0]
              for _ in range(2)]
    plain = np.random.default_rng(0)
    expected = [kf.features(np.concatenate([found.keypoints, kf.augment(found.keypoints, plain,
                                                                        2)]), np.ones(180))
                for _ in range(2)]
    assert np.array_equal(tables[0], expected[0]) and np.array_equal(tables[1], expected[1])
    default = classifiers.training_table(found, labels, np.random.default_rng(0), 2, False)
    assert np.array_equal(default[0], expected[0])


def test_variety_people_varies_only_the_augmented_copies():
    none, people = _table("none"), _table("people")
    assert np.array_equal(people[1], none[1])
    assert np.array_equal(people[0][:60], none[0][:60])
    assert not np.allclose(people[0][60:], none[0][60:], atol=1e-3)
    assert np.array_equal(people[0], _table("people")[0])


def test_an_unknown_variety_is_refused():
    with pytest.raises(ValueError, match="variety must be one of"):
        variety.vary(_hands(2), np.random.default_rng(0), "persons")


def test_an_unknown_variety_is_refused_before_anything_runs(capsys, tmp_path):
    code, _, err = build_real(capsys, tmp_path, "--variant", "hands_variety",
                              "-p", "variety=persons")
    assert code == 2 and "variety must be one of 'none', 'people'" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_the_variant_and_its_idea_are_declared_with_the_codes_choices():
    from asl import config
    from asl.engine import variants
    table = variants.load(config.VARIANTS_FILE, config.NOTEBOOKS_DIR)
    assert set(table.allowed["variety"]) == set(variety.VARIETIES)
    # Like hands_no_retries, the variant skips the adaptation study (run on `hands` only).
    assert table.variants["hands_variety"].settings == {"variety": "people",
                                                        "adaptation_draws": 0}
    assert table.variants["hands"].declared["variety"].default == "none"
    assert {"name": "Synthetic variety of hands", "with": "hands_variety",
            "without": "hands"}.items() <= next(
        idea for idea in table.study["ideas"] if idea["with"] == "hands_variety").items()

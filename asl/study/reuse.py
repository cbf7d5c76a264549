"""A trained network taken from the run this one builds on (``uses:`` in variants.yaml), so
that it is trained once: load it, check it was trained with this run's settings, and say in
the metrics where it came from."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asl import metrics_file
from asl.errors import AslError
from asl.files import sha256
from asl.study.saved_models import NETWORK_FILE

PARAMETER = "uses_dir"
"""The notebook parameter that receives the folder of the run a run builds on; set by the
build, like ``output_dir``, and never part of a fingerprint."""


@dataclass
class Reused:
    """The network of another run, as this run uses it."""

    run: str            # that run's folder name, e.g. ``handcrop.seed1``
    path: Path          # its saved network
    sha256: str         # of the saved file, so a later rebuild of that run is noticed
    training: dict      # that run's training record (history, epochs, seconds), and where from

    def pointer(self) -> dict:
        """What a run's saved settings keep to find the network again (``network_path``)."""
        return {"run": self.run, "file": self.path.name, "sha256": self.sha256}


def check_parameters(theirs: dict, mine: dict, own: tuple[str, ...], run: str) -> None:
    """Refuse a network trained with other settings than this run's (``own`` excepted: the
    settings that change only what this run adds)."""
    for key in sorted(set(theirs) & set(mine) - set(own)):
        if theirs[key] != mine[key]:
            raise ValueError(
                f"this run has {key}={mine[key]!r} but the network of {run} it uses was trained "
                f"with {key}={theirs[key]!r}: set {key} on the variant it uses (a variant with "
                f"`uses:` takes that variant's parameters; -p applies to both)")


def load(uses_dir, parameters: dict, own: tuple[str, ...] = ()):
    """The Keras network saved in run folder ``uses_dir``, checked against ``parameters``;
    returns it and a ``Reused`` record."""
    import keras

    folder = Path(uses_dir)
    path = folder / NETWORK_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{folder.name} saved no network ({path} is missing): rebuild "
                                f"it (--force {folder.name.split('.seed')[0]})")
    used = metrics_file.read(folder)
    check_parameters(used["parameters"], parameters, own, folder.name)
    model = keras.saving.load_model(path, safe_mode=False)
    training = {**(used.get("training") or {}), "reused_from": folder.name}
    return model, Reused(folder.name, path, sha256(path.read_bytes()), training)


def network_path(variant_dir: Path, pointer: dict) -> Path:
    """The saved network a run reused (its ``pointer``), in the sibling folder of the run it
    came from; an error naming both runs if it is missing or was rebuilt since."""
    variant_dir = Path(variant_dir)
    path = variant_dir.parent / pointer["run"] / pointer["file"]
    rebuild = f"rebuild it: python build.py --variant {variant_dir.name.split('.seed')[0]}"
    if not path.is_file():
        raise AslError(f"{variant_dir.name} uses the network of {pointer['run']}, and {path} is "
                       f"missing: {rebuild}")
    if sha256(path.read_bytes()) != pointer["sha256"]:
        raise AslError(f"{variant_dir.name} was built on the network of {pointer['run']}, which "
                       f"has been rebuilt since: {rebuild}")
    return path

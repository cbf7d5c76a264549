"""Check that the wild photos share no photo with the training photos: identical files (content
hash) and near-duplicates (the perceptual hash the exploration uses)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from asl.errors import DataError
from asl.study.data_listing import few_names
from asl.study.data_scan import PhotoScan, scan

NEAR_BITS = 6           # as the exploration's duplicate_bits: at or below, a near-duplicate


def overlap(train: PhotoScan, wild: PhotoScan, near_bits: int = NEAR_BITS) -> dict:
    """Pairs (wild name, training name) of identical files (any class) and of near-duplicates
    (same class, pHash within ``near_bits`` bits, as the exploration counts them; measured on
    the Kaggle sets, the closest same-class pair is 10 bits apart, the closest pair of
    different classes 6), each wild photo counted once."""
    by_content = {digest: name for digest, name in zip(train.content.tolist(), train.names)}
    identical = [(name, by_content[digest]) for digest, name
                 in zip(wild.content.tolist(), wild.names) if digest in by_content]
    same = {name for name, _ in identical}
    near = []
    for label in np.intersect1d(wild.labels, train.labels):
        in_train = np.flatnonzero(train.labels == label)
        for index in np.flatnonzero(wild.labels == label):
            distance = np.bitwise_count(wild.perceptual[index] ^ train.perceptual[in_train])
            closest = int(distance.argmin())
            if distance[closest] <= near_bits and wild.names[index] not in same:
                near.append((wild.names[index], train.names[in_train[closest]]))
    return {"identical": identical, "near": near, "near_bits": near_bits,
            "n_wild": len(wild.names), "n_train": len(train.names)}


def check_wild(data_path: str, wild_path: str, train: PhotoScan | None = None,
               wild: PhotoScan | None = None) -> dict:
    """Refuse (DataError) wild photos that are also training photos, identical or nearly;
    return what was checked, for the record (the two scans may be given, already read)."""
    found = overlap(train or scan(data_path), wild or scan(wild_path))
    pairs = found["identical"] + found["near"]
    if pairs and Path(data_path).resolve() == Path(wild_path).resolve():
        raise DataError(
            f"--data and --wild are the same file ('{data_path}'): its {found['n_wild']} "
            f"photos cannot test the models on other people's photos; give the training "
            f"photos with --data and out-of-domain photos with --wild")
    if pairs:
        shown = few_names([f"{wild} = {train}" for wild, train in pairs], 3)
        raise DataError(
            f"{len(pairs)} of the {found['n_wild']} wild photos in '{wild_path}' are also "
            f"training photos in '{data_path}': {len(found['identical'])} identical, "
            f"{len(found['near'])} near-duplicates (pHash within {found['near_bits']} bits), "
            f"e.g. {shown}; give out-of-domain photos of other people with --wild")
    return {"checked": True, "n_wild": found["n_wild"], "n_train": found["n_train"],
            "identical": 0, "near": 0, "near_bits": found["near_bits"],
            "summary": f"wild: none of the {found['n_wild']} wild photos is a training photo "
                       f"or a near-duplicate of one (checked against {found['n_train']})"}

"""Predict the letter of unlabelled photos with a variant's saved model: a CSV and a contact
sheet."""
from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path

import numpy as np

from asl import CLASSES, metrics_file
from asl.errors import DataError
from asl.files import atomic_write
from asl.study.own_photos import check_built, load_predictor, photo_format

TOP = 3
COLUMNS = ["file", "predicted", "confidence", "second", "second_confidence", "third",
           "third_confidence"]
THUMBNAIL = 96


def top_classes(probabilities: np.ndarray, k: int = TOP) -> list[list[tuple[str, float]]]:
    """For each photo, its ``k`` most probable classes with their probabilities."""
    order = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
    return [[(CLASSES[i], float(row[i])) for i in best] for row, best in zip(probabilities, order)]


def write_csv(path: Path, names: list[str], tops) -> Path:
    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for name, top in zip(names, tops):
                writer.writerow([name] + [value for label, p in top
                                          for value in (label, f"{p:.4f}")])

    return atomic_write(path, write)


def _thumbnail(image: np.ndarray) -> str:
    from PIL import Image

    picture = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
    picture = picture.resize((THUMBNAIL, THUMBNAIL), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return base64.b64encode(buffer.getvalue()).decode()


def write_contact_sheet(path: Path, title: str, images, names, tops, unreadable) -> Path:
    """One HTML page: each photo as the model saw it, with its top classes."""
    cells = []
    for image, name, top in zip(images, names, tops):
        (best, p), others = top[0], ", ".join(f"{label} {q:.2f}" for label, q in top[1:])
        cells.append(f'<figure><img src="data:image/jpeg;base64,{_thumbnail(image)}" '
                     f'alt="{html.escape(name)}"><figcaption><b>{html.escape(best)}</b> {p:.2f}'
                     f'<br><small>{html.escape(others)}</small><br><small>{html.escape(name)}'
                     f'</small></figcaption></figure>')
    skipped = (f"<p>Not readable images, skipped: {html.escape(', '.join(unreadable))}</p>"
               if unreadable else "")
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
            f'{html.escape(title)}</title><style>body{{font-family:sans-serif}}'
            f"figure{{display:inline-block;width:{THUMBNAIL + 24}px;margin:4px;"
            f"vertical-align:top;font-size:13px;overflow-wrap:anywhere}}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{skipped}{''.join(cells)}</body></html>")
    return atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def predict_photos(variant_dir: Path, images_path, out_dir: Path, weights_path: str = "") -> dict:
    """Predict every readable photo under ``images_path``; write the CSV and contact sheet."""
    from asl.study.data import load_unlabelled
    from asl.study.evaluate import predict_in_batches

    variant_dir = Path(variant_dir)
    check_built(variant_dir)
    photos = load_unlabelled(images_path, *photo_format(metrics_file.read(variant_dir)))
    if len(photos.names) == 0:
        found = f" ({len(photos.unreadable)} files, none a readable image)" \
            if photos.unreadable else ""
        raise DataError(f"no readable photos in {images_path}{found}: give a folder or zip of "
                        f"photos (jpg, png, ...) with --images")
    predict, _ = load_predictor(variant_dir, weights_path)
    tops = top_classes(predict_in_batches(predict, photos.images))
    out_dir = Path(out_dir)
    csv_path = write_csv(out_dir / f"predictions_{variant_dir.name}.csv", photos.names, tops)
    sheet = write_contact_sheet(out_dir / f"predictions_{variant_dir.name}.html",
                                f"{variant_dir.name} on {Path(str(images_path)).name}",
                                photos.images, photos.names, tops, photos.unreadable)
    return {"variant": variant_dir.name, "images": str(images_path), "n": len(photos.names),
            "unreadable": photos.unreadable, "csv": str(csv_path), "sheet": str(sheet),
            "predicted": [top[0][0] for top in tops]}


def summary(result: dict, shown: int = 10) -> str:
    """What the command prints: how many photos, where the files are, what was skipped."""
    counts: dict[str, int] = {}
    for label in result["predicted"]:
        counts[label] = counts.get(label, 0) + 1
    lines = [f"{result['variant']} on {result['images']}: {result['n']} photos predicted",
             "most predicted: " + ", ".join(f"{label} {n}" for label, n in
                                           sorted(counts.items(), key=lambda c: -c[1])[:5]),
             f"predictions: {result['csv']}", f"contact sheet: {result['sheet']}"]
    unreadable = result["unreadable"]
    if unreadable:
        more = f" and {len(unreadable) - shown} more" if len(unreadable) > shown else ""
        lines.append(f"skipped {len(unreadable)} files that are not readable images: "
                     f"{', '.join(unreadable[:shown])}{more}")
    return "\n".join(lines)

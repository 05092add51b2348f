"""Fit the plate reader's confidence on the development set and choose the
threshold from which a read counts as verified.

Reads plate crops and whole photos made by `hub.reads.devset` from tuning
seeds (below 100,000: the tests and the benchmark use seeds above), fits a
logistic model from the reader's features to "the whole plate is right"
(O and 0 counted alike, as the goals count them: the two print alike in
most designs, some states issue only one of them, and a hotlist entry that
differs from a read by them raises a possible hit that needs the image
checked, never an exact one), and picks the lowest
threshold at which wrong reads stay under 0.5 % of all reads and under 1 %
of the reads marked verified. Writes `hub/reads/packs/plate_confidence.json`
with the reliability table, and prints it.

    .venv/bin/python scripts/plates/calibrate.py [--crops 800] [--photos 150]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from hub.reads import devset, plate_reader  # noqa: E402

WRONG_OF_ALL = 0.005
WRONG_OF_VERIFIED = 0.01


def same_plate(read: str, truth: str) -> bool:
    return read.replace("O", "0") == truth.replace("O", "0")


def observations(crops: int, photos: int):
    rows = []
    for n, sample in enumerate(devset.crops(crops, 0) + devset.photos(photos, 0)):
        image = Image.open(io.BytesIO(sample.image))
        reading = (plate_reader.read_plate_image if sample.box is None else plate_reader.read_photo_image)(image)
        if reading.plate:
            rows.append((reading.features, same_plate(reading.plate, sample.plate)))
        else:
            rows.append((None, False))
        if n % 100 == 99:
            print(f"  {n + 1} read", file=sys.stderr)
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 50) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method, lightly regularised."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        gradient = xb.T @ (p - y) + l2 * np.r_[w[:-1], 0]
        hessian = (xb * (p * (1 - p))[:, None]).T @ xb + l2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return w[:-1], float(w[-1])


def reliability(confidence: np.ndarray, correct: np.ndarray) -> list[dict]:
    table = []
    for low in np.arange(0, 1, 0.1):
        inside = (confidence >= low) & (confidence < low + 0.1 if low < 0.85 else confidence <= 1.0)
        if inside.any():
            table.append({"bin": f"{low:.1f}-{low + 0.1:.1f}", "reads": int(inside.sum()),
                          "mean_confidence": round(float(confidence[inside].mean()), 3),
                          "right": round(float(correct[inside].mean()), 3)})
    return table


def choose_threshold(confidence: np.ndarray, correct: np.ndarray) -> float:
    total = len(confidence)
    for threshold in np.arange(0.5, 0.995, 0.005):
        verified = confidence >= threshold
        wrong = int((verified & ~correct).sum())
        if wrong <= WRONG_OF_ALL * total and wrong <= WRONG_OF_VERIFIED * max(1, verified.sum()):
            return round(float(threshold), 3)
    return 0.995


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=int, default=800)
    parser.add_argument("--photos", type=int, default=150)
    parser.add_argument("--keep", metavar="FILE", help="keep the readings in FILE (JSON), and reuse them if it "
                                                       "exists: to refit without reading again")
    args = parser.parse_args()
    if args.keep and os.path.exists(args.keep):
        rows = [(tuple(f) if f else None, ok) for f, ok in json.load(open(args.keep))]
    else:
        rows = observations(args.crops, args.photos)
        if args.keep:
            json.dump(rows, open(args.keep, "w"))
    read = [(f, ok) for f, ok in rows if f is not None]
    x = np.array([f for f, _ in read], dtype=float)
    y = np.array([ok for _, ok in read], dtype=float)
    weights, bias = fit(x, y)
    confidence = np.r_[1 / (1 + np.exp(-np.clip(x @ weights + bias, -30, 30))), np.zeros(len(rows) - len(read))]
    correct = np.r_[y.astype(bool), np.zeros(len(rows) - len(read), dtype=bool)]
    threshold = choose_threshold(confidence, correct)
    verified = confidence >= threshold
    result = {
        "features": list(plate_reader.FEATURES), "weights": [round(float(w), 5) for w in weights],
        "bias": round(bias, 5), "threshold": threshold,
        "fitted_on": {"crops": args.crops, "photos": args.photos, "seeds": "0 and up (hub.reads.devset)"},
        "reliability": reliability(confidence, correct),
        "at_threshold": {"reads": len(rows), "exact": round(float(correct.mean()), 4),
                         "verified": round(float(verified.mean()), 4),
                         "confident_wrong_of_all": round(float((verified & ~correct).sum() / len(rows)), 4),
                         "wrong_of_verified": round(float((verified & ~correct).sum() / max(1, verified.sum())), 4)},
    }
    plate_reader.CALIBRATION.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

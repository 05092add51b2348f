"""OCR benchmark on plates rendered here (several fonts and sizes): median
milliseconds per plate image and exact-plate accuracy, on clean renders and
on renders rotated up to ±5° with blur and noise; beside stock Tesseract
without the hub's preparation on the rotated set. Targets: under 30 ms,
98 % clean, 95 % rotated.

    .venv/bin/python scripts/bench/ocr.py [--plates 300]
"""
from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import string
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from PIL import Image  # noqa: E402

from hub.reads import ocr  # noqa: E402
from tests.conftest import render_plate  # noqa: E402

FONTS = ["DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSerif-Bold.ttf"]


def plate_set(seed: int, n: int, rotated: bool) -> list[tuple[str, bytes]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        text = "".join(rnd.choices(string.ascii_uppercase, k=3)) + "".join(rnd.choices(string.digits, k=3))
        options = {"angle": rnd.uniform(-5, 5), "blur": 1.0, "noise": 0.002} if rotated else {}
        out.append((text, render_plate(text, font=FONTS[i % 4], size=rnd.choice([28, 36, 48]), seed=i, **options)))
    return out


def measure(plates, read) -> tuple[float, float]:
    times, hits = [], 0
    for text, image in plates:
        start = time.perf_counter()
        hits += read(image) == text
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), hits / len(plates)


def stock(image: bytes) -> str:
    from tesserocr import PSM, PyTessBaseAPI
    global _stock
    if "_stock" not in globals():
        _stock = PyTessBaseAPI(path=ocr.tessdata_path(), lang="eng", psm=PSM.SINGLE_LINE)
    _stock.SetImage(Image.open(io.BytesIO(image)))
    return "".join(ch for ch in _stock.GetUTF8Text().upper() if ch in ocr.ALPHABET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plates", type=int, default=300)
    args = parser.parse_args()
    clean, rotated = plate_set(1, args.plates, False), plate_set(2, args.plates, True)
    hub_read = lambda image: ocr.recognise(image).text  # noqa: E731
    for label, plates in (("clean", clean), ("rotated ±5° with blur and noise", rotated)):
        ms, accuracy = measure(plates, hub_read)
        print(f"  hub OCR, {label}: median {ms:.1f} ms per plate, {100 * accuracy:.1f} % exact (n={len(plates)})")
    ms, accuracy = measure(rotated, stock)
    print(f"  stock Tesseract, no preparation, rotated: median {ms:.1f} ms, {100 * accuracy:.1f} % exact")


if __name__ == "__main__":
    main()

"""Plate-reading benchmark on the development set (`hub.reads.devset`, seeds
from 100,000: never used for tuning or calibration). Prints, beside the
targets: median milliseconds per plate crop and per 1080p vehicle photo,
the process's memory growth, and exact-match, character accuracy and
confident-but-wrong rate, for the hub's reader, stock Tesseract (no
preparation) and the previous pipeline (Tesseract with preparation and
Minnesota format fitting, taken from git at PREVIOUS_COMMIT).

    .venv/bin/python scripts/bench/ocr.py [--crops 200] [--photos 30]
"""
from __future__ import annotations

import argparse
import importlib.util
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, ROOT)
from PIL import Image  # noqa: E402

from hub.data_requests.letter_ocr import tessdata_path  # noqa: E402
from hub.reads import devset, plate_reader  # noqa: E402

PREVIOUS_COMMIT = "85fe621"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def figures(samples, read, threshold: float) -> dict:
    times, exact, alike, chars, confident_wrong, confident_wrong_strict = [], 0, 0, 0.0, 0, 0
    for sample in samples:
        image = Image.open(io.BytesIO(sample.image))
        start = time.perf_counter()
        plate, confidence = read(image)
        times.append(time.perf_counter() - start)
        exact += plate == sample.plate
        alike += plate.replace("O", "0") == sample.plate.replace("O", "0")
        chars += max(0.0, 1 - edit_distance(plate, sample.plate) / len(sample.plate))
        confident_wrong += confidence >= threshold and plate.replace("O", "0") != sample.plate.replace("O", "0")
        confident_wrong_strict += confidence >= threshold and plate != sample.plate
    n = len(samples)
    return {"ms": 1000 * statistics.median(times), "exact": exact / n, "alike": alike / n, "chars": chars / n,
            "confident_wrong": confident_wrong / n, "confident_wrong_strict": confident_wrong_strict / n, "n": n}


def show(label: str, f: dict, targets: str = "") -> None:
    print(f"  {label:<44} median {f['ms']:7.1f} ms  exact {100 * f['exact']:5.1f} %  (O=0 alike "
          f"{100 * f['alike']:5.1f} %)  chars {100 * f['chars']:5.1f} %  confident-wrong "
          f"{100 * f['confident_wrong']:4.1f} % ({100 * f['confident_wrong_strict']:4.1f} % with O/0 apart)  "
          f"n={f['n']}{'   ' + targets if targets else ''}")


def stock_reader():
    from tesserocr import PSM, PyTessBaseAPI
    engine = PyTessBaseAPI(path=tessdata_path(), lang="eng", psm=PSM.SINGLE_LINE)

    def read(image):
        engine.SetImage(image)
        text = "".join(ch for ch in engine.GetUTF8Text().upper() if ch in ALPHABET)
        return text, engine.MeanTextConf() / 100 if text else 0.0
    return read


def previous_reader():
    """The pipeline this reader replaced, loaded from git history."""
    folder = tempfile.mkdtemp()
    for name, module in (("hub/reads/plate_formats.py", "previous_plate_formats"),
                         ("hub/reads/ocr.py", "previous_ocr")):
        source = subprocess.run(["git", "-C", ROOT, "show", f"{PREVIOUS_COMMIT}:{name}"], check=True,
                                capture_output=True, text=True).stdout
        source = source.replace("from hub.reads import plate_formats", "import previous_plate_formats as plate_formats")
        source = source.replace("from hub.reads.errors import OcrUnavailable",
                                "from hub.data_requests.letter_errors import OcrUnavailable")
        with open(os.path.join(folder, module + ".py"), "w") as handle:
            handle.write(source)
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("previous_ocr", os.path.join(folder, "previous_ocr.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["previous_ocr"] = module
    spec.loader.exec_module(module)

    def read(image):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        result = module.recognise(buffer.getvalue())
        return result.text, result.confidence
    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=int, default=200)
    parser.add_argument("--photos", type=int, default=30)
    parser.add_argument("--no-previous", action="store_true", help="skip the previous pipeline (slow)")
    args = parser.parse_args()
    crops = devset.crops(args.crops, devset.HOLDOUT_SEED)
    photos = devset.photos(args.photos, devset.HOLDOUT_SEED)
    threshold = plate_reader.verified_threshold()
    print(f"Development set: {len(crops)} plate crops, {len(photos)} 1080p vehicle photos; verified from "
          f"confidence {threshold}")
    before = rss_mb()
    hub_crop = lambda image: (lambda r: (r.plate, r.confidence))(plate_reader.read_plate_image(image))  # noqa: E731
    hub_photo = lambda image: (lambda r: (r.plate, r.confidence))(plate_reader.read_photo_image(image))  # noqa: E731
    hub_crop(Image.open(io.BytesIO(crops[0].image)))  # load the models
    loaded = rss_mb()
    show("hub reader, plate crops", figures(crops, hub_crop, threshold),
         "targets: < 30 ms; real photos >= 90 % (O=0 alike); confident-wrong <= 1 %")
    show("hub reader, whole 1080p photos", figures(photos, hub_photo, threshold),
         "targets: < 1000 ms; real photos >= 70 %; confident-wrong <= 1 %")
    after = rss_mb()
    print(f"  memory: {before:.0f} MB before the models, {loaded:.0f} MB loaded, {after:.0f} MB after the runs: "
          f"growth {loaded - before:.0f} MB to load, {after - loaded:.0f} MB while reading   target: < 200 MB")
    show("stock Tesseract, no preparation, crops", figures(crops, stock_reader(), 0.80))
    if not args.no_previous:
        show(f"previous pipeline ({PREVIOUS_COMMIT}), crops", figures(crops, previous_reader(), 0.80))


if __name__ == "__main__":
    main()

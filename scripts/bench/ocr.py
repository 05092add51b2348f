"""Plate-reading benchmark on the development set (`hub.reads.devset`, seeds
from 100,000: never used for tuning or calibration). Prints, beside the
targets: median milliseconds per plate crop and per 1080p vehicle photo
(wall-clock time, and the process's own CPU time, which a machine shared
with other work disturbs less), the process's memory growth, and
exact-match, character accuracy and confident-but-wrong rate, for the hub's
reader, the PP-OCRv4 reader it replaced (at READER_BEFORE), stock Tesseract
(no preparation) and the Tesseract pipeline before that (Tesseract with
preparation and Minnesota format fitting, at PREVIOUS_COMMIT), all taken
from git.

    .venv/bin/python scripts/bench/ocr.py [--crops 200] [--photos 30] [--no-previous]
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
READER_BEFORE = "64e1458"  # the PP-OCRv4 recogniser, one look at each crop
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
    times, cpu, exact, alike, chars, confident_wrong, confident_wrong_strict = [], [], 0, 0, 0.0, 0, 0
    for sample in samples:
        image = Image.open(io.BytesIO(sample.image))
        start, start_cpu = time.perf_counter(), time.process_time()
        plate, confidence = read(image)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        exact += plate == sample.plate
        alike += plate.replace("O", "0") == sample.plate.replace("O", "0")
        chars += max(0.0, 1 - edit_distance(plate, sample.plate) / len(sample.plate))
        confident_wrong += confidence >= threshold and plate.replace("O", "0") != sample.plate.replace("O", "0")
        confident_wrong_strict += confidence >= threshold and plate != sample.plate
    n = len(samples)
    return {"ms": 1000 * statistics.median(times), "cpu_ms": 1000 * statistics.median(cpu), "exact": exact / n,
            "alike": alike / n, "chars": chars / n, "confident_wrong": confident_wrong / n,
            "confident_wrong_strict": confident_wrong_strict / n, "n": n}


def show(label: str, f: dict, targets: str = "") -> None:
    print(f"  {label:<44} median {f['ms']:7.1f} ms (CPU {f['cpu_ms']:6.1f} ms)  exact {100 * f['exact']:5.1f} %  "
          f"(O=0 alike {100 * f['alike']:5.1f} %)  chars {100 * f['chars']:5.1f} %  confident-wrong "
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


def _from_git(commit: str, files: dict[str, str], rewrite: dict[str, str]):
    """Modules as they were at `commit`, written to a temporary folder under
    new names (`files`: path in the repository to module name; `rewrite`:
    import lines to point at them); the last one is returned, loaded."""
    folder = tempfile.mkdtemp()
    for name, module in files.items():
        source = subprocess.run(["git", "-C", ROOT, "show", f"{commit}:{name}"], check=True,
                                capture_output=True, text=True).stdout
        for old, new in rewrite.items():
            source = source.replace(old, new)
        target = os.path.join(folder, module + (".py" if name.endswith(".py") else ""))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as handle:
            handle.write(source)
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(module, os.path.join(folder, module + ".py"))
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def previous_reader():
    """The Tesseract pipeline the scene-text reader replaced."""
    module = _from_git(PREVIOUS_COMMIT, {"hub/reads/plate_formats.py": "previous_plate_formats",
                                         "hub/reads/ocr.py": "previous_ocr"},
                       {"from hub.reads import plate_formats": "import previous_plate_formats as plate_formats",
                        "from hub.reads.errors import OcrUnavailable":
                            "from hub.data_requests.letter_errors import OcrUnavailable"})

    def read(image):
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        result = module.recognise(buffer.getvalue())
        return result.text, result.confidence
    return read


def reader_before():
    """The PP-OCRv4 reader this one grew from, with its own calibration."""
    module = _from_git(READER_BEFORE, {"hub/reads/packs/plate_confidence.json": "packs/plate_confidence.json",
                                       "hub/reads/scene_text.py": "before_scene_text",
                                       "hub/reads/plate_reader.py": "before_plate_reader"},
                       {"from hub.reads.scene_text import": "from before_scene_text import"})
    return lambda image: (lambda r: (r.plate, r.confidence))(module.read_plate_image(image)), \
        module.verified_threshold()


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
          f"confidence {threshold}. Times are of this run on this machine: when other work shares its cores, "
          f"wall-clock times grow, and the CPU times are the steadier figure.")
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
    before_read, before_threshold = reader_before()
    show(f"PP-OCRv4 reader before ({READER_BEFORE}), crops", figures(crops, before_read, before_threshold))
    show("stock Tesseract, no preparation, crops", figures(crops, stock_reader(), 0.80))
    if not args.no_previous:
        show(f"previous pipeline ({PREVIOUS_COMMIT}), crops", figures(crops, previous_reader(), 0.80))


if __name__ == "__main__":
    main()

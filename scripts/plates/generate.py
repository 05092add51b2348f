"""Write part of the development set to a folder, to look at or to feed to
`hub reads recognise`: plate crops and/or whole vehicle photos made by
`hub.reads.devset` from seeds, and `truth.csv` (file,x,y,w,h,plate,state;
the box is the plate in a photo, the whole image for a crop). The images
are made again from their seeds whenever needed: none is kept in git.

    .venv/bin/python scripts/plates/generate.py OUT_DIR [--crops 50] [--photos 10] [--start 0]
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from PIL import Image  # noqa: E402

from hub.reads import devset  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--crops", type=int, default=50)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--start", type=int, default=devset.HOLDOUT_SEED, help="first seed (tuning uses 0 up)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "truth.csv"), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "x", "y", "w", "h", "plate", "state"])
        for kind, samples in (("crop", devset.crops(args.crops, args.start)),
                              ("photo", devset.photos(args.photos, args.start))):
            for sample in samples:
                name = f"{kind}-{sample.seed}.jpg"
                with open(os.path.join(args.out, name), "wb") as image_file:
                    image_file.write(sample.image)
                box = sample.box or (0, 0, *Image.open(io.BytesIO(sample.image)).size)
                writer.writerow([name, *box, sample.plate, sample.state])
    print(f"{args.crops} crops and {args.photos} photos in {args.out}")


if __name__ == "__main__":
    main()

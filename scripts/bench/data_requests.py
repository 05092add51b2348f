"""Outside-agency requests benchmark. Prints each figure beside its target:

- letter OCR: seconds per page at 300 dpi, the whole of `read_letter`
  (type check, rasterising, grain, turning, Tesseract, the five elements),
  on letters drawn as the tests draw them (tests/data_requests/letter_samples.py):
  a clean labelled letter, a prose letter, a noisy scan turned 3.5°, a
  sideways scan, a page filled with text, and a two-page PDF. Target: under
  1.5 s a page (the median; the slowest is printed beside it). The engine
  is made before timing starts, as a running hub has it.
- release package: seconds to package 10,000 reads, each with a plate
  crop and a vehicle picture in the encrypted image store, as an approval
  does once its search has run (`release.package_reads`: the data files
  through the CSV writer, the ledger entry, sealing, the inclusion proofs,
  the manifest, the ZIP, the signature, the encrypted package in the
  store), on a throw-away hub (SQLite) in a temporary directory. Target:
  under 10 s. Verifying the package is timed beside it.

    .venv/bin/python scripts/bench/data_requests.py [--rounds 3] [--reads 10000] [--only ocr|package]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
# This file's own folder leaves the path: its name would hide the `requests` package the hub imports.
sys.path[:] = [ROOT] + [p for p in sys.path if os.path.abspath(p or ".") != HERE]

from hub.data_requests.letters import read_letter  # noqa: E402
from tests.data_requests import letter_samples as samples  # noqa: E402

OCR_TARGET_SECONDS = 1.5
PACKAGE_TARGET_SECONDS = 10.0


def show(label: str, figure: str, target: str, met: bool) -> None:
    print(f"{label:<44}{figure:>14}   target {target:<12}{'met' if met else 'MISSED'}")


def _full_page(letter: samples.Letter) -> list[tuple[str, bool]]:
    """A page as full of text as a letter gets: the prose letter with its
    first paragraph told four times over."""
    lines = samples.prose_lines(letter)
    opening = next(index for index, (text, _) in enumerate(lines) if text.startswith("The "))
    return lines[:opening] + lines[opening:opening + 2] * 4 + lines[opening:]


def _letters() -> list[tuple[str, bytes, str]]:
    letter = samples.Letter()
    prose = samples.render(samples.prose_lines(letter))
    form = samples.render(samples.form_lines(letter))
    return [
        ("clean labelled letter (PNG)", samples.png(form), "letter.png"),
        ("prose letter (PNG)", samples.png(prose), "letter.png"),
        ("noisy scan turned 3.5° (JPEG)", samples.scanned(prose), "scan.jpg"),
        ("sideways scan (JPEG)", samples.scanned(form, degrees=-92), "scan.jpg"),
        ("page full of text (PNG)", samples.png(samples.render(_full_page(letter))), "letter.png"),
        ("two-page letter (PDF)", samples.pdf(prose, form), "letter.pdf"),
    ]


def letter_ocr(rounds: int) -> None:
    letters = _letters()
    read_letter(letters[0][1], letters[0][2])  # makes the engine, as a running hub already has it
    wall: list[float] = []
    cpu: list[float] = []
    print(f"Letter OCR at 300 dpi, {rounds} rounds; seconds a page, median of the rounds "
          "(elapsed, and this process's CPU time, which other work on the machine does not inflate):")
    for label, data, filename in letters:
        elapsed, used = [], []
        for _ in range(rounds):
            start, start_cpu = time.perf_counter(), time.process_time()
            reading = read_letter(data, filename)
            elapsed.append((time.perf_counter() - start) / reading.page_count)
            used.append((time.process_time() - start_cpu) / reading.page_count)
        wall.extend(elapsed)
        cpu.extend(used)
        missing = ", ".join(reading.missing) or "none"
        print(f"  {label:<34}{statistics.median(elapsed):6.2f} s elapsed {statistics.median(used):6.2f} s CPU"
              f"   fields missing: {missing}")
    for kind, figures in (("elapsed", wall), ("CPU", cpu)):
        median = statistics.median(figures)
        show(f"letter OCR, s a page, {kind} (median)", f"{median:.2f} s", f"< {OCR_TARGET_SECONDS} s",
             median < OCR_TARGET_SECONDS)
        show(f"letter OCR, s a page, {kind} (slowest)", f"{max(figures):.2f} s", f"< {OCR_TARGET_SECONDS} s",
             max(figures) < OCR_TARGET_SECONDS)


_GRAIN = []


def _pictures(n: int) -> tuple[bytes, bytes]:
    """A plate crop (about 3 KB) and a vehicle picture (about 20 KB), each
    one of a kind, as JPEG like a camera sends them."""
    import io
    import random

    from PIL import Image, ImageDraw
    if not _GRAIN:
        _GRAIN.append(Image.effect_noise((960, 540), 20).convert("RGB"))
    rnd = random.Random(n)
    crop = Image.new("RGB", (200, 60), (235, 235, 230))
    ImageDraw.Draw(crop).text((20, 20), f"BEN{n:05d}", fill=(20, 20, 20))
    scene = Image.new("RGB", (480, 270), tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(scene)
    for _ in range(12):
        x, y = rnd.randrange(480), rnd.randrange(270)
        draw.rectangle([x, y, x + rnd.randrange(20, 120), y + rnd.randrange(10, 60)],
                       fill=tuple(rnd.randrange(256) for _ in range(3)))
    x, y = rnd.randrange(480), rnd.randrange(270)
    scene = Image.blend(scene, _GRAIN[0].crop((x, y, x + 480, y + 270)), 0.3)  # a photo's grain
    pictures = []
    for image in (crop, scene):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
        pictures.append(out.getvalue())
    return pictures[0], pictures[1]


def package_build(count: int) -> None:
    import tempfile
    from datetime import timedelta

    from flask_migrate import upgrade

    from hub import create_app
    from hub.clock import utcnow
    from hub.data_requests import package, release
    from hub.data_requests.models import Decision
    from hub.data_requests.services import Asked, submit
    from hub.extensions import db
    from hub.identity import services
    from hub.identity.actors import operator
    from hub.identity.roles import OrganisationKind, Role
    from hub.ledger import signing
    from hub.reads import images

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/hub.sqlite3",
                          "SECRET_KEY": "bench", "PASSWORD_HASH_PROFILE": "fast",
                          "LEDGER_SIGNING_KEY_PATH": f"{folder}/ledger-key.pem", "IMAGE_STORE_PATH": f"{folder}/images",
                          "IMAGE_KEY_PATH": f"{folder}/image-key", "WEBHOOK_KEY_PATH": f"{folder}/webhook-key",
                          "PLATE_HASH_KEY_PATH": f"{folder}/plate-hash-key"})
        with app.app_context():
            upgrade()
            actor = operator("bench")
            rogers = services.create_organisation(actor, name="Rogers Police Department",
                                                  kind=OrganisationKind.OUTSIDE_AGENCY)
            requester = services.create_user(actor, organisation=rogers, username="bench-det", display_name="Det.",
                                             role=Role.AGENCY_REQUESTER, password="bench password 123")
            now = utcnow()
            request = submit(requester, Asked(
                agency_name="Rogers Police Department", requester_name="Det.", purpose="Benchmark",
                offense_type="burglary", factual_basis="Benchmark", case_number="RPD-26-1",
                authorization_statement="Authorised by the chief.", plates=("BEN*",),
                window_start=now - timedelta(days=5), window_end=now - timedelta(hours=1)))
            request.decision, request.decided_at, request.finding = Decision.APPROVED, now, "Benchmark."
            reads = []
            for n in range(count):
                crop, scene = _pictures(n)
                reads.append(package.ReleasedRead(n + 1, now - timedelta(minutes=n), f"BEN{n:05d}", "MN", True,
                                                  1 + n % 40, f"Camera {1 + n % 40}", "Corcoran Police Department",
                                                  45.1, -93.5, images.put(crop), images.put(scene)))
            db.session.commit()
            start, start_cpu = time.perf_counter(), time.process_time()
            release.package_reads(actor, request, reads, sorted({r.camera_id for r in reads}),
                                  lambda digests: images.get_many([(d, None) for d in digests]))
            db.session.commit()
            elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
            made = images.get(request.package_sha256)
            verify_start = time.perf_counter()
            verified = package.verify(made, signing.verifier_keys(), signing.origin())
            verifying = time.perf_counter() - verify_start
    print(f"Release package of {count:,} reads with {2 * count:,} images ({len(made) / 1048576:.0f} MB, "
          f"{len(verified.files):,} files):")
    show(f"package build, {count:,} reads (elapsed)", f"{elapsed:.2f} s", f"< {PACKAGE_TARGET_SECONDS:g} s",
         elapsed < PACKAGE_TARGET_SECONDS)
    show(f"package build, {count:,} reads (CPU)", f"{used:.2f} s", f"< {PACKAGE_TARGET_SECONDS:g} s",
         used < PACKAGE_TARGET_SECONDS)
    print(f"  verifying it (signature, {len(verified.files):,} hashes, ledger proofs): {verifying:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="readings of each letter (default 3)")
    parser.add_argument("--reads", type=int, default=10_000, help="reads in the release package (default 10,000)")
    parser.add_argument("--only", choices=("ocr", "package"), help="run one half only")
    args = parser.parse_args()
    print(f"CPU cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    if args.only != "package":
        letter_ocr(args.rounds)
    if args.only != "ocr":
        package_build(args.reads)


if __name__ == "__main__":
    main()

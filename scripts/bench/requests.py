"""Outside-agency requests benchmark. Prints each figure beside its target:

- letter OCR: seconds per page at 300 dpi, the whole of `read_letter`
  (type check, rasterising, grain, turning, Tesseract, the five elements),
  on letters drawn as the tests draw them (tests/data_requests/letter_samples.py):
  a clean labelled letter, a prose letter, a noisy scan turned 3.5°, a
  sideways scan, a page filled with text, and a two-page PDF. Target: under
  1.5 s a page (the median; the slowest is printed beside it). The engine
  is made before timing starts, as a running hub has it.

    .venv/bin/python scripts/bench/requests.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, ROOT)

from hub.data_requests.letters import read_letter  # noqa: E402
from tests.data_requests import letter_samples as samples  # noqa: E402

OCR_TARGET_SECONDS = 1.5


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="readings of each letter (default 3)")
    args = parser.parse_args()
    print(f"CPU cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
    letter_ocr(args.rounds)


if __name__ == "__main__":
    main()

"""Scene text: text detection (PP-OCRv4, from the `rapidocr-onnxruntime`
wheel) and recognition (PP-OCRv6 small, from the `rapidocr` wheel), run by
onnxruntime; nothing is downloaded at run time. Loaded once per process, on
first use.

Recognition is decoded here rather than by the package, because the plate
reader needs more than the best string: each character's probability and
the recogniser's own second choices, restricted to the letters and digits
plates carry (lower case folded into upper case)."""
from __future__ import annotations

import importlib.util
import math
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# The models, as shipped inside two pinned wheels (README, "Plate reading", says why these two)
DETECTOR = "ch_PP-OCRv4_det_infer.onnx"    # in rapidocr-onnxruntime
RECOGNISER = "PP-OCRv6_rec_small.onnx"     # in rapidocr
REC_HEIGHT = 48
REC_MAX_WIDTH = 640
_lock = threading.Lock()
_models = None


@dataclass(frozen=True)
class Character:
    char: str
    probability: float
    alternatives: tuple[tuple[str, float], ...]  # the recogniser's next choices at that place


@dataclass(frozen=True)
class Line:
    text: str
    characters: tuple[Character, ...]
    box: np.ndarray  # 4 points, clockwise from top left, in the image's pixels

    @property
    def height(self) -> float:
        return float(max(np.linalg.norm(self.box[0] - self.box[3]), np.linalg.norm(self.box[1] - self.box[2])))

    @property
    def width(self) -> float:
        return float(max(np.linalg.norm(self.box[0] - self.box[1]), np.linalg.norm(self.box[3] - self.box[2])))

    @property
    def probability(self) -> float:
        return float(np.prod([c.probability for c in self.characters])) if self.characters else 0.0


class _Session:
    """One onnxruntime session: CPU, a fixed number of threads, no memory
    arena and no memory pattern (inputs vary in size from read to read, and
    a pattern kept per size would grow a worker's memory without end)."""

    def __init__(self, path: Path, threads: int):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 4
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(path), sess_options=options,
                                                    providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def __call__(self, tensor: np.ndarray) -> list[np.ndarray]:
        return self.session.run(None, {self.input: tensor})


class Models:
    def __init__(self):
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess

        threads = int(os.environ.get("HUB_OCR_THREADS", "1"))  # one per worker: workers run side by side
        self.detect_session = _Session(_shipped("rapidocr_onnxruntime", DETECTOR), threads)
        self.detect_boxes = DBPostProcess(thresh=0.3, box_thresh=0.5, max_candidates=200, unclip_ratio=1.6,
                                          use_dilation=True, score_mode="fast")
        self.recognise_session = _Session(_shipped("rapidocr", RECOGNISER), threads)
        # the model's own character list, with the CTC blank first and a space last (as it was trained)
        meta = self.recognise_session.session.get_modelmeta().custom_metadata_map
        characters = ["blank", *meta["character"].splitlines(), " "]
        self.columns = [[i for i, ch in enumerate(characters) if ch.upper() == target] for target in ALPHABET]
        keep = {i for group in self.columns for i in group} | {0}
        self.other = np.array([i for i in range(len(characters)) if i not in keep])

    def detect(self, bgr: np.ndarray, long_side: int, border: int = 0) -> list[np.ndarray]:
        """Text boxes (4 points each), with the image scaled so its longer
        side is `long_side`, and `border` pixels of its edges repeated
        around it (the detector weighs the whole image: on a small crop it
        can see nothing at one scale and the text at another)."""
        import cv2
        h, w = bgr.shape[:2]
        scale = long_side / max(h, w)
        rh, rw = max(32, int(round(h * scale / 32)) * 32), max(32, int(round(w * scale / 32)) * 32)
        resized = cv2.resize(bgr, (rw, rh))
        if border:
            resized = cv2.copyMakeBorder(resized, border, border, border, border, cv2.BORDER_REPLICATE)
        tensor = ((resized.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)[np.newaxis]
        preds = self.detect_session(tensor.astype(np.float32))[0]
        preds = preds[:, :, border:border + rh, border:border + rw]
        boxes, _ = self.detect_boxes(np.ascontiguousarray(preds), (h, w))
        return [np.asarray(b, dtype=np.float32) for b in (boxes if boxes is not None else [])]

    def recognise(self, lines: list[np.ndarray]) -> list[tuple[str, tuple[Character, ...]]]:
        """Each line image (BGR) read as letters and digits, with each
        character's probability. One line per run: lines differ in width,
        and a batch would pad every one to the widest."""
        import cv2
        out = []
        for image in lines:
            width = min(REC_MAX_WIDTH, max(16, math.ceil(REC_HEIGHT * image.shape[1] / max(1, image.shape[0]))))
            resized = cv2.resize(image, (width, REC_HEIGHT)).astype(np.float32)
            tensor = ((resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5)[np.newaxis].astype(np.float32)
            out.append(self._decode(self.recognise_session(tensor)[0][0]))
        return out

    def _decode(self, steps: np.ndarray) -> tuple[str, tuple[Character, ...]]:
        """Greedy CTC over blank, the 36 plate characters, and `other` (a dash,
        a dot, a space, a symbol: a separator, not part of the plate)."""
        chars = np.stack([steps[:, group].sum(axis=1) for group in self.columns], axis=1)
        other = steps[:, self.other].sum(axis=1) if len(self.other) else np.zeros(len(steps))
        # -2 is the blank, -1 another character, 0 and up the plate characters
        best = np.argmax(np.concatenate([steps[:, :1], other[:, None], chars], axis=1), axis=1) - 2
        out, previous, spans = [], -2, []
        for t, label in enumerate(best):
            if label >= 0 and label == previous:
                spans[-1].append(t)
            elif label >= 0:
                spans.append([t])
            previous = label
        for span in spans:
            peak = max(span, key=lambda t: chars[t].max())
            row = chars[peak]
            order = np.argsort(row)[::-1]
            top = int(order[0])
            alternatives = tuple((ALPHABET[int(j)], float(row[j])) for j in order[1:3] if row[j] >= 0.01)
            out.append(Character(ALPHABET[top], float(row[top]), alternatives))
        return "".join(c.char for c in out), tuple(out)


def _shipped(package: str, name: str) -> Path:
    """A model file inside an installed wheel, found without importing the
    package (only its files are used)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The plate reader needs the `{package}` package (pinned in pyproject.toml).")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / name


def give_back_memory() -> None:
    """After a whole photo, hand freed memory back to the system (glibc keeps
    it otherwise, and a worker's size would creep up photo by photo)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def models() -> Models:
    global _models
    if _models is None:
        with _lock:
            if _models is None:
                _models = Models()
    return _models


def crop_box(bgr: np.ndarray, box: np.ndarray, pad: float = 0.0) -> np.ndarray:
    """The box's contents straightened to a rectangle, `pad` (a fraction of
    its height) added around it."""
    import cv2
    box = np.asarray(box, dtype=np.float32)
    if pad:
        centre = box.mean(axis=0)
        height = max(np.linalg.norm(box[0] - box[3]), 1.0)
        box = centre + (box - centre) * (1 + 2 * pad * height / np.maximum(
            np.abs(box - centre).max(axis=0) * 2, 1.0))
    width = int(max(np.linalg.norm(box[0] - box[1]), np.linalg.norm(box[2] - box[3])))
    height = int(max(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2])))
    width, height = max(width, 2), max(height, 2)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(box, target)
    return cv2.warpPerspective(bgr, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE,
                               flags=cv2.INTER_CUBIC)

"""The language of each document (ISO 639-1), from py3langid's model run by a compiled kernel.

py3langid (a maintained fork of langid.py, BSD) ships a naive-Bayes model over byte n-grams, found
by walking a finite automaton over the text's UTF-8 bytes. Of the offline identifiers measured
here (lingua, CLD2), it was as accurate as any on news, and the only one whose model a kernel can
run. Its own walk is a Python loop over bytes (about 2 MB/s); here one numba kernel walks a whole
block of documents and scores them, releasing the GIL, with the same model and the same
arithmetic, so the answers are py3langid's (a test compares them; ``benchmarks/languages.py``).

What a document's ``lang`` says:

- an ISO 639-1 code, from the first :data:`PREFIX_CHARS` characters of the text (an article's
  language is settled long before that, and a long text costs no more than a short one);
- languages the model knows only under an ISO 639-3 code are folded into their ISO 639-1
  macrolanguage (Egyptian and Moroccan Arabic → ``ar``, Cantonese and Wu → ``zh``, Southern Uzbek
  → ``uz``); the model's other ISO 639-3-only languages are left out, so their texts get the
  nearest language with a code, or ``und``;
- ``und`` (undetermined) when the text has fewer than :data:`MIN_LETTERS` letters (a caption, a
  table of figures), when the model finds no linguistic content (``zxx``), or when no language
  reaches :data:`MIN_CONFIDENCE`. A mixed-language article gets the language of its beginning.

The model is decompressed and regrouped once (about 1 s) and kept, uncompressed, in a cache folder
(:func:`_cache_folder`); later processes map it from disk in milliseconds.
"""

from __future__ import annotations

import functools
import io
import lzma
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

#: Characters of each text the language is read from.
PREFIX_CHARS = 200
#: Fewer letters than this in that prefix: ``und``.
MIN_LETTERS = 20
#: The most likely language must have at least this probability (py3langid's normalized one).
MIN_CONFIDENCE = 0.5
UNDETERMINED = "und"
#: ISO 639-3 languages of the model folded into an ISO 639-1 macrolanguage.
FOLDED = {"ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "uzs": "uz"}
#: The model's label for text with no linguistic content.
NO_LANGUAGE = "zxx"


@dataclass(frozen=True)
class LanguageModel:
    """py3langid's model, with its classes grouped into the labels copytrace gives."""

    nextmove: np.ndarray  # uint32: the automaton's distinct rows of 256 next states
    row_of: np.ndarray  # int64: each state's row
    feature_of: np.ndarray  # int64: the feature a state completes, or -1
    ptc: np.ndarray  # float32 (features, classes kept): log P(feature | class)
    pc: np.ndarray  # float32 (classes kept): log P(class)
    label_of: np.ndarray  # int64 (classes kept): each class's label
    labels: tuple[str, ...]  # ISO 639-1 codes, and "und" for zxx


def _cache_folder() -> Path | None:
    """Where the uncompressed model is kept: beside this module (as numba keeps its kernels), else
    in the user's cache folder; None when neither can be written (the model is then decompressed
    in memory, each process)."""
    from importlib.metadata import version as installed

    version = installed("py3langid")  # (importing py3langid would cost 0.1 s)
    for base in (Path(__file__).parent / "__pycache__", Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "copytrace"):
        folder = base / f"py3langid-{version}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".writable"
            probe.touch()
            return folder
        except OSError:
            continue
    return None


def _load_model() -> LanguageModel:
    """py3langid's model file, decompressed and regrouped."""
    import py3langid

    raw = lzma.decompress((Path(py3langid.__file__).parent / "data" / "model.npz.xz").read_bytes())
    with np.load(io.BytesIO(raw), allow_pickle=False) as data:
        classes = [str(c) for c in data["classes"]]
        kept = [i for i, c in enumerate(classes) if len(c) == 2 or c in FOLDED or c == NO_LANGUAGE]
        names = [FOLDED.get(classes[i], UNDETERMINED if classes[i] == NO_LANGUAGE else classes[i]) for i in kept]
        labels = tuple(dict.fromkeys(names))
        return LanguageModel(
            nextmove=data["nextmove"].astype(np.uint32),
            row_of=data["nextmove_row"].astype(np.int64),
            feature_of=data["out_feat"].astype(np.int64),
            ptc=np.ascontiguousarray(data["ptc"][:, kept], np.float32),  # float16 → float32 is exact
            pc=data["pc"].astype(np.float32)[kept],
            label_of=np.array([labels.index(n) for n in names], np.int64),
            labels=labels,
        )


ARRAYS = ("nextmove", "row_of", "feature_of", "ptc", "pc", "label_of")


@functools.cache
def language_model() -> LanguageModel:
    """The model, loaded once per process: mapped from the cache folder, or built and saved there."""
    folder = _cache_folder()
    if folder is not None and (folder / "labels.txt").exists():
        try:
            arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="c") for name in ARRAYS}  # pages read as used
            return LanguageModel(**arrays, labels=tuple((folder / "labels.txt").read_text().split()))
        except (OSError, ValueError):
            pass  # a damaged cache: build it again
    model = _load_model()
    if folder is not None:
        try:
            for name in ARRAYS:
                temporary = folder / f".{name}.{os.getpid()}.npy"
                np.save(temporary, getattr(model, name))
                os.replace(temporary, folder / f"{name}.npy")  # another process may write the same
            temporary = folder / f".labels.{os.getpid()}.txt"
            temporary.write_text(" ".join(model.labels))
            os.replace(temporary, folder / "labels.txt")  # last: its presence says the rest is there
        except OSError:
            pass
    return model


class LanguageQueue:
    """Identifies the languages of texts given one at a time, a batch at a time on a worker thread
    (the kernel releases the GIL), so that a scan's reading does not wait for it."""

    BATCH = 2048

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(1)
        self._done: list = []
        self._batch: list[str] = []

    def add(self, text: str) -> None:
        self._batch.append(text[:PREFIX_CHARS])  # (all the model reads: the rest can be freed)
        if len(self._batch) >= self.BATCH:
            self._done.append(self._pool.submit(detect_languages, self._batch))
            self._batch = []

    def take(self) -> list[str]:
        """The languages of every text added since the last call, in order."""
        found = [lang for work in self._done for lang in work.result()] + detect_languages(self._batch)
        self._done, self._batch = [], []
        return found

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _prefix_bytes(text: str) -> bytes:
    """What the model reads of a text, as py3langid prepares it: its first characters, lower-cased
    when all upper case, in NFC, as UTF-8."""
    prefix = text[:PREFIX_CHARS]
    if prefix.isupper():
        prefix = prefix.lower()
    return unicodedata.normalize("NFC", prefix).encode("utf-8", errors="surrogatepass")


def detect_languages(texts: list[str]) -> list[str]:
    """The language of each text: an ISO 639-1 code, or ``und`` (see the module docstring)."""
    labels, _ = language_scores(texts)
    return labels


def language_scores(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Each text's language and its probability (0 for texts too short to tell)."""
    if not texts:
        return [], np.zeros(0, np.float32)
    model = language_model()
    pieces = [_prefix_bytes(t) for t in texts]
    starts = np.zeros(len(pieces) + 1, np.int64)
    np.cumsum([len(p) for p in pieces], out=starts[1:])
    data = np.frombuffer(b"".join(pieces), np.uint8)
    letters = _letters([t[:PREFIX_CHARS] for t in texts])
    best, confidence = _identify(data, starts, model.nextmove, model.row_of, model.feature_of, model.ptc, model.pc, model.label_of, len(model.labels))
    und = model.labels.index(UNDETERMINED)
    out = [
        UNDETERMINED if letters[i] < MIN_LETTERS or best[i] == und or confidence[i] < MIN_CONFIDENCE else model.labels[best[i]]
        for i in range(len(texts))
    ]
    return out, np.where(letters >= MIN_LETTERS, confidence, 0).astype(np.float32)


def _letters(prefixes: list[str]) -> np.ndarray:
    """The letters of each text: word characters (letters, marks, ideographs) other than ASCII
    digits, counted with whole-array operations."""
    from copytrace.match.normalize import WORD_KIND_SIZE, char_tables, to_codes

    codes = to_codes("".join(prefixes))
    letter = (char_tables().word_kind[np.minimum(codes, WORD_KIND_SIZE - 1)] > 0) & ((codes < 0x30) | (codes > 0x39))
    ends = np.cumsum(np.fromiter(map(len, prefixes), np.int64, len(prefixes)))
    running = np.concatenate([[0], np.cumsum(letter, dtype=np.int64)])
    return running[ends] - running[np.concatenate([[0], ends[:-1]])]


@njit(cache=True, nogil=True)
def _identify(data, starts, nextmove, row_of, feature_of, ptc, pc, label_of, n_labels):
    """For each text (bytes ``data[starts[d]:starts[d+1]]``): the most probable label and its
    probability. py3langid's arithmetic: features counted along the automaton's walk, scores
    ``pc + log1p(count) @ ptc`` over the features seen, divided by the square root of the length
    in bytes, soft-maxed, then summed per label."""
    n_docs = len(starts) - 1
    best = np.zeros(n_docs, np.int64)
    confidence = np.zeros(n_docs, np.float32)
    counts = np.zeros(ptc.shape[0], np.int32)
    longest = 1
    for d in range(n_docs):
        longest = max(longest, starts[d + 1] - starts[d])
    seen = np.empty(longest, np.int64)  # the features of one text: at most one per byte
    n_classes = ptc.shape[1]
    scores = np.empty(n_classes, np.float32)
    per_label = np.empty(n_labels, np.float32)
    for d in range(n_docs):
        state = 0
        n_seen = 0
        for i in range(starts[d], starts[d + 1]):
            state = nextmove[row_of[state] * 256 + data[i]]
            f = feature_of[state]
            if f >= 0:
                if counts[f] == 0:
                    seen[n_seen] = f
                    n_seen += 1
                counts[f] += 1
        length = starts[d + 1] - starts[d]
        if n_seen == 0:
            scores[:] = 0.0  # no features: every class alike (py3langid's uniform abstention)
        else:
            scores[:] = pc
            for k in range(n_seen):
                f = seen[k]
                weight = np.float32(np.log1p(np.float32(counts[f])))
                for c in range(n_classes):
                    scores[c] += weight * ptc[f, c]
                counts[f] = 0
        scale = np.float32(1.0 / np.sqrt(max(length, 1)))
        top = -np.inf
        for c in range(n_classes):
            scores[c] *= scale
            if scores[c] > top:
                top = scores[c]
        total = np.float32(0.0)
        for c in range(n_classes):
            scores[c] = np.exp(scores[c] - top)
            total += scores[c]
        per_label[:] = 0.0
        for c in range(n_classes):
            per_label[label_of[c]] += scores[c] / total
        b = 0
        for lab in range(n_labels):
            if per_label[lab] > per_label[b]:
                b = lab
        best[d] = b
        confidence[d] = per_label[b]
    return best, confidence

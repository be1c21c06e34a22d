"""The compiled kernels: every numba function Python calls, loaded (compiled the first time after
an install) in one place.

numba compiles a kernel on its first call and caches the machine code beside its module
(``cache=True``), so a process pays only the cache's load, on first use. A scan loads them all on a
thread while its inputs are read (:func:`load_in_background`); ``make`` fills the cache at install
(:func:`load_kernels`). The stages import their own kernels; this module imports the stages only
inside its functions, so nothing imports it back.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading

import numpy as np


def load_kernels() -> None:
    """Load the compiled kernels of tokenizing, fingerprinting and alignment (compiling them the
    first time after an install): a run on a tiny input calls every one of them."""
    numba_without_scipy()
    from copytrace.explain.provenance import _fill_ranges
    from copytrace.ingest.languages import detect_languages
    from copytrace.match.align import align_batch
    from copytrace.match.artifacts import flag_documents
    from copytrace.match.candidates import _members, candidate_pairs
    from copytrace.match.fingerprint import Words, tokenize
    from copytrace.match.kept_words import _outside
    from copytrace.settings import Settings

    tokenize(["“Load” the kernels"])  # text that is not ASCII is read as UTF-32 code points
    detect_languages(["Load the kernels that identify the language of a text"])
    words = Words.build(["load the kernels", "load the kernels"], 4)
    flag_documents(words, ["load the kernels", None])
    words.exclude(np.zeros(len(words.tokens.hashes), bool))
    hashes, docs = words.fingerprints(5, 4)
    candidate_pairs(hashes, docs, np.array([0, 1]), max_df=10, min_shared=1)
    words.index_seeds()
    align_batch(words, [0], [1], Settings())
    _fill_ranges(np.zeros(2, np.bool_), np.zeros(1, np.int64), np.ones(1, np.int64))
    _members(hashes, hashes[:1])
    _outside(np.zeros(1, np.int64), 5, np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.bool_))


def numba_without_scipy() -> None:
    """Load numba's NumPy support without importing SciPy's linear algebra.

    numba's first compile (or cache load) imports ``numba.np.arraymath``, which imports
    ``scipy.linalg`` where SciPy is installed, only to choose how ``np.correlate`` and
    ``np.convolve`` multiply floats: 0.35 s of every process that loads a kernel. No kernel here
    uses them (or any of numba's linear algebra, which checks for SciPy again when compiled), so
    the module is imported with SciPy's BLAS hidden, then SciPy is importable as before.
    """
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    hidden = "scipy.linalg.cython_blas"
    sys.modules[hidden] = None  # an import of it raises ImportError: numba falls back to a loop
    try:
        importlib.import_module("numba.np.arraymath")
    finally:
        del sys.modules[hidden]


def load_in_background() -> threading.Thread:
    """Start loading the kernels on a thread, so that their load overlaps other work."""
    loader = threading.Thread(target=_load_quietly, daemon=True)
    loader.start()
    return loader


def _load_quietly() -> None:
    try:
        load_kernels()
    except Exception:  # noqa: BLE001 - the first real call reports the same error properly
        pass


def entry_points() -> list:
    """The compiled functions called from Python (the others are compiled into them)."""
    from copytrace.explain import provenance
    from copytrace.ingest import languages
    from copytrace.match import align, artifacts, candidates, fingerprint, kept_words

    return [
        fingerprint._words_and_fingerprints, fingerprint._scripts_present, fingerprint._ngram_hashes, fingerprint._winnow, fingerprint._touches,
        fingerprint._lines, artifacts._contained_lines, candidates._postings, align._align_kernel,
        provenance._fill_ranges, candidates._members, languages._identify, kept_words._outside,
    ]


def kernels_compiled() -> bool:
    """Whether numba has every kernel in its cache (False: the next scan compiles them first)."""
    try:
        return all(os.path.exists(kernel._cache._cache_file._index_path) for kernel in entry_points())
    except AttributeError:  # numba's internals moved: say nothing rather than something wrong
        return True

"""What fingerprinting needs of a block's words, kept from the read stage: no document of a scan is
tokenized twice before alignment.

The read stage finds each block's words (for the extraction flags and the line counts that
boilerplate is learned from) and, in the same compiled pass, the block's winnowed fingerprints.
Which of those fingerprints count depends on the boilerplate template, known only once every block
has been read; so the block's lines (:class:`LineTable`: a template masks whole lines) and its
fingerprints are kept on disk, in ``index/words``, until the fingerprint stage masks them. A
fingerprint of the ``n`` words from word ``p`` is dropped when one of the lines holding words
``p .. p + n - 1`` is boilerplate: what masking those words before winnowing would drop (see
:meth:`Words.fingerprints`). A block keeps about 12 bytes a fingerprint (one in 2.5 words with the
default window) and 44 bytes a line, a fraction of its text.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from copytrace.match.boilerplate import LineTable
from copytrace.match.fingerprint import Words

#: The description of the kept blocks, written last: its presence says the blocks are whole.
INDEX = "blocks.json"


@dataclass
class BlockWords:
    """A block of documents' lines and the fingerprints winnowed from its words, boilerplate not yet
    known (word positions and documents numbered within the block)."""

    lines: LineTable
    positions: np.ndarray  # the first word of each fingerprint's n-gram
    hashes: np.ndarray  # uint64
    n_docs: int

    @classmethod
    def of(cls, words: Words) -> "BlockWords":
        """From words found by a :class:`WordsBuilder` given an n-gram size and a window."""
        positions, _, hashes = words.winnowed_unmasked()
        return cls(LineTable.of_words(words), positions.astype(np.int64, copy=False), hashes, len(words.tokens))

    def fingerprints(self, masked_lines: np.ndarray, ngram: int) -> tuple[np.ndarray, np.ndarray]:
        """``(hashes, documents)`` of the fingerprints whose words lie in no line of
        ``masked_lines``."""
        keep, docs = _outside(self.positions, ngram, self.lines.first_word, self.lines.docs, masked_lines)
        return self.hashes[keep], docs[keep]

    def save(self, path: Path) -> None:
        lines = self.lines
        small = np.int32 if lines.words < 2**31 else np.int64  # word positions within the block
        np.savez(
            path, line_hashes=lines.hashes, line_docs=lines.docs.astype(small), first_word=lines.first_word.astype(small),
            char_starts=lines.char_starts.astype(np.int32), char_ends=lines.char_ends.astype(np.int32),
            positions=self.positions.astype(small), hashes=self.hashes, sizes=np.array([lines.words, self.n_docs], np.int64),
        )

    @classmethod
    def load(cls, path: Path) -> "BlockWords":
        with np.load(path) as data:
            words, n_docs = data["sizes"].tolist()
            lines = LineTable(
                data["line_hashes"], data["line_docs"].astype(np.int64), data["first_word"].astype(np.int64),
                data["char_starts"].astype(np.int64), data["char_ends"].astype(np.int64), words,
            )
            return cls(lines, data["positions"].astype(np.int64), data["hashes"], n_docs)


class KeptWords:
    """The blocks of a read, written one by one into a temporary folder and put in place whole."""

    def __init__(self, folder: Path, ngram: int, window: int):
        self.folder = Path(folder)
        self.temporary = self.folder.with_name(f".{self.folder.name}.tmp")
        self.ngram, self.window = ngram, window
        self.sizes: list[int] = []
        shutil.rmtree(self.temporary, ignore_errors=True)
        self.temporary.mkdir(parents=True)

    def add(self, block: BlockWords) -> None:
        block.save(self.temporary / f"block-{len(self.sizes):05d}.npz")
        self.sizes.append(block.n_docs)

    def finish(self) -> None:
        """Put the blocks in place of any kept before."""
        (self.temporary / INDEX).write_text(json.dumps({"ngram": self.ngram, "window": self.window, "docs": self.sizes}))
        shutil.rmtree(self.folder, ignore_errors=True)
        os.replace(self.temporary, self.folder)

    def discard(self) -> None:
        shutil.rmtree(self.temporary, ignore_errors=True)

    @staticmethod
    def blocks(folder: Path, n_docs: int, ngram: int, window: int) -> Iterator[tuple[int, BlockWords]] | None:
        """``(first document, block)`` of the blocks kept in ``folder``, in order; None unless they
        are there whole, cover ``n_docs`` documents and were winnowed with ``ngram`` and
        ``window`` (the words are then found again)."""
        try:
            index = json.loads((Path(folder) / INDEX).read_text())
        except (OSError, ValueError):
            return None
        sizes = index.get("docs", [])
        if (index.get("ngram"), index.get("window")) != (ngram, window) or sum(sizes) != n_docs:
            return None
        paths = [Path(folder) / f"block-{i:05d}.npz" for i in range(len(sizes))]
        if not all(p.exists() for p in paths):
            return None

        def each() -> Iterator[tuple[int, BlockWords]]:
            first = 0
            for path in paths:
                block = BlockWords.load(path)
                yield first, block
                first += block.n_docs

        return each()


@njit(cache=True, nogil=True)
def _outside(positions, ngram, first_word, line_docs, masked_lines):
    """For each n-gram starting at a word of ``positions``: whether none of its words lies in a
    masked line, and its document. One walk along the lines, as winnowing gives the positions in
    ascending order (a position lower than the one before starts the walk again)."""
    keep = np.zeros(len(positions), np.bool_)
    docs = np.zeros(len(positions), np.int64)
    n_lines = len(first_word)
    line = 0
    before = -1
    for i in range(len(positions)):
        p = positions[i]
        if p < before:
            line = 0
        before = p
        while line + 1 < n_lines and first_word[line + 1] <= p:
            line += 1
        docs[i] = line_docs[line]
        last = line  # the n-gram's lines: from its first word's to its last word's
        ok = not masked_lines[last]
        while ok and last + 1 < n_lines and first_word[last + 1] <= p + ngram - 1:
            last += 1
            ok = not masked_lines[last]
        keep[i] = ok
    return keep, docs

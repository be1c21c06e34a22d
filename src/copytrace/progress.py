"""Progress reporting that long jobs call and front ends display.

The Python API is silent by default (:class:`Silent`); the CLI passes a rich progress bar. A job
calls ``stage(name, total, unit)`` when it starts a stage and ``advance(n)`` as it goes; where the
bar measures something else than the items done (reading: bytes of input, and records found),
``count(n)`` counts the items.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None, unit: str = "") -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def count(self, n: int = 1) -> None: ...

    def message(self, text: str) -> None: ...


class Silent:
    """Reports nothing."""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def count(self, n: int = 1) -> None:
        pass

    def message(self, text: str) -> None:
        pass

"""Progress of a long command on standard error, for a person and for a log.

On a terminal a bar is redrawn in place with the rate and the time left; elsewhere (a log
file, a pipe) a line is written at most every :data:`LOG_INTERVAL` seconds, then one
summary line at the end. ``--quiet`` (every command) writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from time import monotonic
from typing import Final, TextIO

from secpa_model.presentation.cli.common import number

__all__ = ["LOG_INTERVAL", "ProgressLog", "progress_log", "quiet_wanted"]

LOG_INTERVAL: Final = 10.0
"""The fewest seconds between two progress lines when standard error is not a terminal."""
_WIDTH: Final = 30


class ProgressLog:
    """Progress of ``what`` (rows, draws, model runs) on ``stream`` (None: quiet).

    Called as ``log(done, total)`` after a step of computing, ``log.reading(done, total)``
    after a step of a reading made before (``total`` 0 when not known yet), then
    :meth:`finish`. ``clock`` (default :func:`time.monotonic`) and ``interval`` are for
    tests; ``interactive`` defaults to whether ``stream`` is a terminal.
    """

    def __init__(
        self,
        stream: TextIO | None,
        what: str,
        *,
        interval: float = LOG_INTERVAL,
        clock: Callable[[], float] | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.stream = stream
        self.what = what
        self.interval = interval
        self.clock = clock = clock or monotonic
        self.interactive = stream is not None and (
            stream.isatty() if interactive is None else interactive
        )
        self.start = clock()
        self.shown_at = self.start
        self.calls = 0
        self.done = 0
        self.stage = "computed"
        self.stage_start = self.start
        self.last = self.start

    def reading(self, done: int, total: int) -> None:
        """A step of a reading before the computing."""
        self._step("read", done, total)

    def __call__(self, done: int, total: int) -> None:
        self._step("computed", done, total)

    def _step(self, stage: str, done: int, total: int) -> None:
        if self.stream is None:
            return
        now = self.clock()
        if stage != self.stage:  # the stage began when the previous one's last step ended
            self.stage, self.stage_start = stage, self.last
        self.last = now
        self.calls += 1
        self.done = done
        elapsed = now - self.stage_start
        rate = done / elapsed if elapsed > 0 else 0.0
        counted = f"{number(done)} / {number(total)}" if total else number(done)
        text = f"{counted} {self.what} {stage}"
        if rate:
            text += f", {number(round(rate))} {self.what}/s"
            if total > done:
                text += f", {_duration((total - done) / rate)} left"
        if self.interactive:  # redrawn in place (the rest of the line erased)
            line = text
            if total:
                share = min(done / total, 1.0)
                filled = int(_WIDTH * share)
                bar = "#" * filled + "." * (_WIDTH - filled)
                line = f"[{bar}] {int(100 * share):3d} % ({text})"
            self.stream.write(f"\r{line}\x1b[K")
            self.stream.flush()
        elif now - self.shown_at >= self.interval:
            self.shown_at = now
            percent = f" ({100 * done // total} %)" if total else ""
            self.stream.write(f"secpa-model: {text}{percent}\n")
            self.stream.flush()

    def finish(self) -> None:
        """The summary line (rows and time), after a run that showed progress."""
        if self.stream is None or self.calls < 2:
            return
        elapsed = self.clock() - self.start
        rate = f" ({number(round(self.done / elapsed))} {self.what}/s)" if elapsed > 0 else ""
        end = "\n" if self.interactive else ""
        self.stream.write(
            f"{end}secpa-model: {number(self.done)} {self.what} {self.stage} in "
            f"{_duration(elapsed)}{rate}\n"
        )
        self.stream.flush()


def quiet_wanted(args: argparse.Namespace) -> bool:
    """Whether ``--quiet`` was given (before or after the command)."""
    return bool(getattr(args, "quiet", False) or getattr(args, "quiet_all", False))


def progress_log(args: argparse.Namespace, what: str) -> ProgressLog:
    """The progress of the command of ``args`` on standard error (quiet with ``--quiet``)."""
    return ProgressLog(None if quiet_wanted(args) else sys.stderr, what)


def _duration(seconds: float) -> str:
    """``H:MM:SS``."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"

"""Output files written whole or not at all, several of them committed together.

:func:`atomic_paths` gives a writer one temporary file per target and puts them all in
place only once the writer has finished: a writer that fails half-way (a full disk, a cell
Excel does not allow, an interrupt) leaves every previous file as it was, and no temporary
file behind. Only a regular file is ever replaced (by a rename); a stream target (``-``,
standard output; a FIFO; a character device such as ``/dev/null``) is written into, once
the whole output is ready, and never replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final, NoReturn

__all__ = [
    "STDOUT",
    "Stopped",
    "atomic_path",
    "atomic_paths",
    "is_stream",
    "is_stream_output",
    "received_signal",
    "remove_temporaries",
    "stopped_by_signals",
]

STDOUT: Final = "-"
"""The name of standard output as an output (and of standard input as an input)."""
_ATTEMPTS: Final = 100  # random names tried before giving up (a collision is very unlikely)
_NEW_FILE_MODE: Final = 0o666  # a new file's permissions, less the umask (as open() does)
_BLOCK: Final = 1 << 20  # bytes copied at a time into a stream
_HELD_SIGNALS: Final = ("SIGINT", "SIGTERM", "SIGHUP")  # held while the files are renamed


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path to write instead of ``target``: :func:`atomic_paths` of one target."""
    with atomic_paths(target) as (temporary,):
        yield temporary


@contextmanager
def atomic_paths(*targets: str | Path) -> Iterator[tuple[Path, ...]]:
    """Temporary paths to write instead of ``targets`` (one each, in order), committed
    together when the block ends normally: every target gets its new content, or (the
    block or the commit failing) none does and no temporary file is left. A regular file is
    replaced by a rename (flushed to disk, under a lock beside each target, SIGINT, SIGTERM
    and SIGHUP held); a stream (``-``, a FIFO, a character device) is written into; any
    other target raises :class:`OSError`. The rules, temporary names and locks:
    docs/cli.md, "Files of structures"."""
    plans = [_Target(target) for target in targets]
    try:
        for plan in plans:
            plan.temporary = temporary_file(plan.beside)
            if plan.mode is not None:
                os.chmod(plan.temporary, plan.mode)
        yield tuple(plan.written for plan in plans)
        _stop_if_signalled()
        files = [plan for plan in plans if not plan.stream]
        for plan in files:
            with plan.written.open("rb+") as handle:
                os.fsync(handle.fileno())
        for plan in plans:
            if plan.stream:
                plan.pour()
        with _locked([plan.file for plan in files]), _signals_held():
            _stop_if_signalled()  # a signal a conversion or a finaliser swallowed
            _renamed(files)
    finally:
        for plan in plans:
            plan.release()


class _Target:
    """One target of :func:`atomic_paths`: a regular file (``file``, links followed) or a
    stream; its temporary once created."""

    def __init__(self, target: str | Path) -> None:
        self.given = str(target)
        self.temporary: Path | None = None
        self.mode: int | None = None  # the permissions of a regular file replaced
        self.stream = self.given == STDOUT
        if self.stream:
            self.file = Path(STDOUT)
            self.beside = Path(tempfile.gettempdir()) / "secpa-model-stdout"
            return
        try:
            status = os.stat(target)
        except FileNotFoundError:
            status = None
        except OSError as exc:  # a link loop, a name too long
            raise OSError(exc.errno, exc.strerror, self.given) from exc
        if status is not None and not stat.S_ISREG(status.st_mode):
            if not is_stream(status.st_mode):
                raise OSError(
                    errno.EINVAL,
                    "not a regular file, a FIFO or a character device: cannot write it",
                    self.given,
                )
            self.stream = True
            self.file = Path(target)
            self.beside = Path(tempfile.gettempdir()) / f"secpa-model-{self.file.name}"
            return
        self.file = Path(os.path.realpath(target))
        self.beside = self.file
        if status is not None:
            self.mode = stat.S_IMODE(status.st_mode)
            if not os.access(self.file, os.W_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self.file))

    @property
    def written(self) -> Path:
        """The temporary file (created)."""
        assert self.temporary is not None
        return self.temporary

    def pour(self) -> None:
        """Copy the temporary into the stream target."""
        with contextlib.ExitStack() as stack:
            if self.given == STDOUT:
                with contextlib.suppress(AttributeError, ValueError):
                    sys.stdout.flush()
                sink = stack.enter_context(open(1, "wb", closefd=False))
            else:
                sink = stack.enter_context(self.file.open("wb"))
            source = stack.enter_context(self.written.open("rb"))
            shutil.copyfileobj(source, sink, _BLOCK)
            sink.flush()

    def release(self) -> None:
        """Remove the temporary if it is still there, and forget it."""
        if self.temporary is not None:
            release_temporary(self.temporary)


def is_stream(mode: int) -> bool:
    """Whether a file of ``mode`` (:attr:`os.stat_result.st_mode`) is written as a stream
    (a FIFO or a character device), never replaced."""
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def is_stream_output(path: str | Path | None) -> bool:
    """Whether ``path`` is written as a stream: ``-`` (standard output), or an existing
    FIFO or character device (:func:`atomic_paths`)."""
    if path is None:
        return False
    if str(path) == STDOUT:
        return True
    try:
        return is_stream(Path(path).stat().st_mode)
    except (OSError, ValueError):
        return False


def _renamed(files: list[_Target]) -> None:
    """Rename each temporary onto its file; if one rename fails, put the files already
    renamed back as they were (kept under a hard link first) and re-raise."""
    kept: list[Path | None] = [_kept(plan.file) if len(files) > 1 else None for plan in files]
    done: list[int] = []
    try:
        for position, plan in enumerate(files):
            os.replace(plan.written, plan.file)
            done.append(position)
    except BaseException:
        for position in reversed(done):
            previous = kept[position]
            with contextlib.suppress(OSError):
                if previous is not None:
                    os.replace(previous, files[position].file)
                    kept[position] = None
                else:
                    files[position].file.unlink()
        raise
    finally:
        for previous in kept:
            if previous is not None:
                release_temporary(previous)


def _kept(file: Path) -> Path | None:
    """A hard link to ``file`` beside it (registered as a temporary), or None when there
    is no ``file`` (or the file system has no hard links: it cannot be put back)."""
    try:
        return _fresh(file, ".tmp.kept", lambda name: os.link(file, name))
    except OSError:
        return None


@contextmanager
def _locked(files: list[Path]) -> Iterator[None]:
    """Hold an exclusive lock beside each of ``files`` (in the order of their paths, so
    that two runs never wait for each other), waiting for another run's."""
    if sys.platform == "win32":  # pragma: no cover - no fcntl: no lock
        yield
        return
    with contextlib.ExitStack() as stack:
        for file in sorted(set(files)):
            stack.enter_context(_lock(file.with_name(f".{file.name}.lock")))
        yield


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """The lock file ``path``, created if needed and removed after; a lock file removed by
    the run that held it while this one waited is created again."""
    import fcntl

    while True:
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, _NEW_FILE_MODE)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(path.parent)) from exc
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                same = os.path.samestat(os.fstat(descriptor), os.stat(path))
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(descriptor)
            raise
        if same:
            break
        os.close(descriptor)  # removed meanwhile: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(descriptor)


@contextmanager
def _handled(handler: Any) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP handled by ``handler`` until the block ends."""
    chosen = [getattr(signal, name) for name in _HELD_SIGNALS if hasattr(signal, name)]
    previous = {number: signal.signal(number, handler) for number in chosen}
    try:
        yield
    finally:
        for number, before in previous.items():
            signal.signal(number, before)


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held until the block ends, then delivered (in the main
    thread; elsewhere Python delivers no signal anyway)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    try:
        with _handled(lambda number, _: caught.append(number)):
            yield
    finally:
        for number in caught:
            signal.raise_signal(number)


class Stopped(BaseException):
    """A signal (SIGINT, SIGTERM, SIGHUP) ending the run, raised by the handler of
    :func:`stopped_by_signals`: not an :class:`Exception`, so that no conversion of a
    failure (a reader's into an :class:`~secpa_model.InputError`) catches it, and an
    instance, which pandas' parser passes on (Python's own ``KeyboardInterrupt`` it turns
    into a ``ParserError``)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


_RECEIVED: Final[list[int]] = []  # the signals received under stopped_by_signals


@contextmanager
def stopped_by_signals() -> Iterator[list[int]]:
    """While open (in the main thread), SIGINT, SIGTERM and SIGHUP are recorded (in the
    list given, and for :func:`received_signal`) and raise :class:`Stopped`; an output is
    never committed once one was received, even if its exception was swallowed on the way
    (by a finaliser, which reports it as unraisable: silenced here). The previous handlers
    are put back after."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(number: int, _frame: object) -> NoReturn:
        received.append(number)
        _RECEIVED.append(number)
        raise Stopped(number)

    def unraisable(report: sys.UnraisableHookArgs) -> None:
        if not isinstance(report.exc_value, Stopped):
            hook(report)

    hook = sys.unraisablehook
    sys.unraisablehook = unraisable
    try:
        with _handled(stop):
            yield received
    finally:
        sys.unraisablehook = hook
        _RECEIVED.clear()


def received_signal() -> int | None:
    """The first signal received under the :func:`stopped_by_signals` open, or None."""
    return _RECEIVED[0] if _RECEIVED else None


def _stop_if_signalled() -> None:
    """Raise :class:`Stopped` if a signal was received (whatever became of its exception)."""
    if _RECEIVED:
        raise Stopped(_RECEIVED[0])


_WRITING: Final[set[Path]] = set()
"""The temporary files of this process (outputs being written, previous files kept, copies
of input streams): each name is added before its file is created, so that a signal (which
may land at any instruction, whatever thread the system gave it to) can never leave a
temporary that :func:`remove_temporaries` does not know."""


def remove_temporaries() -> None:
    """Remove every temporary file of this process still there: what a command stopped
    by a signal does last, in case the signal came between the creation of a temporary
    and the block that would remove it (entering a ``contextlib.ExitStack``)."""
    for temporary in list(_WRITING):
        release_temporary(temporary)


def release_temporary(temporary: Path) -> None:
    """Remove a file of :func:`temporary_file`, and forget it."""
    temporary = Path(os.fspath(temporary))
    temporary.unlink(missing_ok=True)
    _WRITING.discard(temporary)


def temporary_file(file: Path) -> Path:
    """A new empty temporary file in ``file``'s directory, named after it (see
    :func:`atomic_paths`), registered for :func:`remove_temporaries`; remove it with
    :func:`release_temporary`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        return _fresh(file, f".tmp{file.suffix}", lambda name: os.open(name, flags, _NEW_FILE_MODE))
    except OSError as exc:  # a missing or read-only directory: name it, not the temporary
        raise OSError(exc.errno, exc.strerror, str(file.parent)) from exc


def _fresh(file: Path, ending: str, make: Callable[[Path], object]) -> Path:
    """A new file beside ``file``, named after it, made by ``make(name)`` (a descriptor it
    returns is closed), known in :data:`_WRITING` before it exists."""
    for _ in range(_ATTEMPTS):
        candidate = file.with_name(f".{file.name}.{secrets.token_hex(4)}{ending}")
        _WRITING.add(candidate)
        try:
            made = make(candidate)
        except FileExistsError:
            _WRITING.discard(candidate)
            continue
        except BaseException:
            _WRITING.discard(candidate)
            raise
        if isinstance(made, int):
            os.close(made)
        return candidate
    raise FileExistsError(
        errno.EEXIST, f"no free temporary name after {_ATTEMPTS} attempts", str(file.parent)
    )

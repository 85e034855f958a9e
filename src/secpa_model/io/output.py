"""Output files written whole or not at all.

:func:`atomic_path` gives a writer a temporary file beside the target and puts it in place
with :func:`os.replace` only once the writer has finished: a writer that fails half-way
(a full disk, a cell Excel does not allow, an interrupt) leaves the previous file, if any,
as it was, and no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

__all__ = ["atomic_path"]

_ATTEMPTS: Final = 100  # random names tried before giving up (a collision is very unlikely)
_NEW_FILE_MODE: Final = 0o666  # a new file's permissions, less the umask (as open() does)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A temporary path to write instead of ``target``, moved onto it on success.

    The temporary file is created (empty) in the target's directory, so that the final
    :func:`os.replace` is a rename within one file system, and is named
    ``.NAME.XXXXXXXX.tmp.SUFFIX``: hidden, the target's name, eight random hex digits,
    ``.tmp``, then the target's suffix again (``.out.csv.1f2e3d4c.tmp.csv``). The suffix is
    kept at the end because some writers choose by it (pandas' ``ExcelWriter`` refuses a
    path without an Excel suffix; ``to_csv`` infers compression from it).

    Write the yielded path (pandas' ``to_csv``/``to_parquet``/``to_excel``,
    :meth:`Path.write_text`...), closing it before the block ends. When the block ends
    normally the file is flushed to disk (:func:`os.fsync`) and replaces ``target``; when it
    raises (any exception, interrupts included) the temporary file is removed and the
    exception propagates, ``target`` untouched.

    A new file gets the usual permissions (``0o666`` less the umask), a replaced one keeps
    its permissions. A symbolic link ``target`` is followed: the file it points to is
    replaced, the link stays. A hard-linked ``target`` is replaced by a new file: its other
    names keep the previous content. An existing ``target`` the user may not write is
    refused (:class:`PermissionError`), as :func:`open` would, although the directory would
    allow the rename. A missing or unwritable directory raises :class:`OSError` naming the
    directory.
    """
    file = Path(os.path.realpath(target))
    previous = _existing_mode(file)
    if previous is not None and not os.access(file, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
    temporary: Path | None = None
    try:
        temporary = _create_beside(file)
        if previous is not None:
            os.chmod(temporary, previous)
        yield temporary
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, file)
    except BaseException:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise
    finally:
        if temporary is not None:
            _WRITING.discard(temporary)


_WRITING: Final[set[Path]] = set()
"""The temporary files of the outputs being written, in this process: each name is added
before its file is created, so that a signal (which may land at any instruction, whatever
thread the system gave it to) can never leave a temporary that :func:`remove_temporaries`
does not know."""


def remove_temporaries() -> None:
    """Remove the temporary file of every output still being written: what a command
    stopped by a signal does last, in case the signal came between the creation of a
    temporary and the block that would remove it (entering a ``contextlib.ExitStack``)."""
    for temporary in list(_WRITING):
        temporary.unlink(missing_ok=True)
        _WRITING.discard(temporary)


def _existing_mode(file: Path) -> int | None:
    """The permission bits of ``file`` if it exists as a regular file, else None."""
    try:
        status = file.stat()
    except FileNotFoundError:
        return None
    return stat.S_IMODE(status.st_mode) if stat.S_ISREG(status.st_mode) else None


def _create_beside(file: Path) -> Path:
    """A new empty file in ``file``'s directory, named after it (see :func:`atomic_path`)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        candidate = file.with_name(f".{file.name}.{secrets.token_hex(4)}.tmp{file.suffix}")
        _WRITING.add(candidate)  # known before it exists (see _WRITING)
        try:
            descriptor = os.open(candidate, flags, _NEW_FILE_MODE)
        except FileExistsError:
            _WRITING.discard(candidate)
            continue
        except OSError as exc:  # a missing or read-only directory: name it, not the temporary
            _WRITING.discard(candidate)
            raise OSError(exc.errno, exc.strerror, str(file.parent)) from exc
        os.close(descriptor)
        return candidate
    raise FileExistsError(
        errno.EEXIST, f"no free temporary name after {_ATTEMPTS} attempts", str(file.parent)
    )

"""Atomic file output: a file appears complete under its name, or not at all.

Every file creditstd writes (exchange batches, rejects, docs, exports) goes
through :func:`atomic_writer`: the content is written to a temporary file in
the same folder, flushed to disk, given ordinary permissions (or kept
readable by its owner only, mode 0600, with ``private=True``: rejects files
hold raw personal data), and renamed over the target only when the block
finishes without an error.  A failure
half way leaves the target as it was.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> with atomic_writer(os.path.join(folder, 'out.txt')) as stream:
...     _ = stream.write('完整 complete\\n')
>>> open(os.path.join(folder, 'out.txt'), encoding='utf-8').read()
'完整 complete\\n'
>>> try:
...     with atomic_writer(os.path.join(folder, 'out.txt')) as stream:
...         _ = stream.write('half')
...         raise RuntimeError('failed half way')
... except RuntimeError:
...     pass
>>> open(os.path.join(folder, 'out.txt'), encoding='utf-8').read(), sorted(os.listdir(folder))
('完整 complete\\n', ['out.txt'])

With ``special=True`` (what the command line asks for the files a user
names), a target that exists and is not a regular file (a device such as
``/dev/null`` or ``/dev/stdout``, a named pipe), or that is a link in
``/dev`` or ``/proc`` (``/dev/stdout`` when the shell sent it to a file),
is written to directly:
there is nothing to replace atomically there, and renaming a file over it
would destroy the device or pipe (as root, ``/dev/null`` itself).  Without
it (the files of a batch folder) such an entry is replaced like any other:
a pipe planted among a batch's files must not stall the writer.

Temporary files are named ``.<target>.<pid>.<random>.tmp``.  They are
removed when the block fails, including on SIGINT and SIGTERM (the command
line turns both into an orderly exit); a run killed outright (SIGKILL, power
loss) leaves its temporary file behind, and the next write to the same
target, or :func:`remove_stale_temporaries` on the folder, removes it once
no process with that pid is alive.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

__all__ = ["atomic_writer", "remove_stale_temporaries"]

#: ``.<target>.<pid>.<random>.tmp``: the name of a temporary file this module made, and its writer's pid.
_TEMPORARY = re.compile(r"\.(?P<target>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]{8}\.tmp")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _special(target: str) -> bool:
    """Whether ``target`` exists and is neither a regular file nor a folder (a device, a named pipe, a socket),
    or is a link in ``/dev`` or ``/proc`` (``/dev/stdout`` redirected to a file is a link to the file the
    shell opened: renaming over it would replace the system's link, not write the output; a plain file in
    ``/dev/shm`` is written atomically as anywhere else)."""
    try:
        mode = os.stat(target).st_mode
        absolute = os.path.abspath(target)
        linked = absolute.startswith(("/dev/", "/proc/")) and os.path.realpath(target) != absolute
    except (OSError, ValueError):
        return False
    return (not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)) or linked


def _open_special(target: str, mode: str, encoding: str | None, newline: str | None) -> IO[Any]:
    """``target`` (a device or a named pipe) opened for writing; a pipe no process reads is an error at once
    (``ENXIO``), not a wait without end."""
    try:
        handle = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise OSError(error.errno, "no process is reading the named pipe", target) from None
        raise
    os.set_blocking(handle, True)
    return os.fdopen(handle, mode) if "b" in mode else os.fdopen(handle, mode, encoding=encoding, newline=newline)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process, or not a pid: leave it alone
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str], target: str | None = None) -> list[str]:
    """Remove the temporary files a killed writer left in ``folder`` (only of ``target``, if given).

    Only files named like this module's temporaries whose writer process is gone are removed; returns their
    names.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / '.records.jsonl.999999999.abcd1234.tmp').write_text('left by a killed run')
    >>> _ = (folder / 'notes.tmp').write_text('not ours')
    >>> remove_stale_temporaries(folder), sorted(path.name for path in folder.iterdir())
    (['.records.jsonl.999999999.abcd1234.tmp'], ['notes.tmp'])
    """
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if match and (target is None or match["target"] == target) and not _alive(int(match["pid"])):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed.append(name)
    return removed


@overload
def atomic_writer(path: str | os.PathLike[str], mode: Literal["w"] = "w", *, encoding: str | None = "utf-8",
                  newline: str | None = "", private: bool = False,
                  special: bool = False) -> contextlib.AbstractContextManager[TextIO]: ...


@overload
def atomic_writer(path: str | os.PathLike[str], mode: Literal["wb"], *, encoding: str | None = "utf-8",
                  newline: str | None = "", private: bool = False,
                  special: bool = False) -> contextlib.AbstractContextManager[BinaryIO]: ...


@overload
def atomic_writer(path: str | os.PathLike[str], mode: str, *, encoding: str | None = "utf-8",
                  newline: str | None = "", private: bool = False,
                  special: bool = False) -> contextlib.AbstractContextManager[IO[Any]]: ...


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                  newline: str | None = "", private: bool = False, special: bool = False) -> Iterator[Any]:
    """Yield a stream for ``path`` (``mode`` ``"w"`` text or ``"wb"`` binary) that replaces it on success.

    ``private``: the file keeps mode 0600 (owner only) instead of the ordinary permissions the umask allows.
    ``special``: a device or named pipe at ``path`` is written to, not replaced (see the module docstring).
    """
    target = os.fspath(path)
    if special and _special(target):
        with _open_special(target, mode, encoding, newline) as direct:
            yield direct
        return
    folder, name = os.path.split(os.path.abspath(target))
    remove_stale_temporaries(folder, name)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.{os.getpid()}.", suffix=".tmp")
    binary = "b" in mode
    try:
        stream = os.fdopen(handle, mode) if binary else os.fdopen(handle, mode, encoding=encoding, newline=newline)
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes it private (0600); unless asked to stay private, the result is an ordinary file
        os.chmod(temporary, 0o600 if private else 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

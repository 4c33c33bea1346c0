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
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["atomic_writer"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                  newline: str | None = "", private: bool = False) -> Iterator[IO[Any]]:
    """Yield a stream for ``path`` (``mode`` ``"w"`` text or ``"wb"`` binary) that replaces it on success.

    ``private``: the file keeps mode 0600 (owner only) instead of the ordinary permissions the umask allows.
    """
    target = os.fspath(path)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(target)),
                                         prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    binary = "b" in mode
    try:
        with os.fdopen(handle, mode, **({} if binary else {"encoding": encoding, "newline": newline})) as stream:
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

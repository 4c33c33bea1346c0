"""Writing the reference into a directory, each file atomically, touching no other file.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     written = write_docs(folder, "markdown")
...     sorted(path.name for path in written)[:2]
['class-abnormal_operation.md', 'class-administrative_coercion.md']
"""

from __future__ import annotations

import os
from pathlib import Path

from creditstd.atomic import atomic_writer
from creditstd.records.docs._model import FORMATS
from creditstd.records.docs.html import render_html
from creditstd.records.docs.markdown import render_markdown


def write_docs(directory: str | os.PathLike[str], fmt: str = "html") -> list[Path]:
    """Write the reference in ``fmt`` (``markdown`` or ``html``) into ``directory``; return the files written.

    The directory is created if needed; each file is written to a temporary
    file beside it and moved into place, and no other file is touched.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown docs format {fmt!r}; choose from {', '.join(FORMATS)}")
    pages = render_markdown() if fmt == "markdown" else render_html()
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages.items():
        path = target / name
        with atomic_writer(path, newline="\n") as stream:
            stream.write(text)
        written.append(path)
    return written

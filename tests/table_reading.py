"""Reading a table whole, for the readers' tests: its source, its chunks and its row problems, apart."""

from __future__ import annotations

from creditstd.sources import RowProblem, TableChunk, open_table


def read_all(path: str, **options: object) -> tuple[object, list[TableChunk], list[RowProblem]]:
    """Every item :func:`open_table` gives for ``path``: (source, chunks, row problems)."""
    source, items = open_table(path, **options)
    chunks: list[TableChunk] = []
    problems: list[RowProblem] = []
    for item in items:
        (chunks if isinstance(item, TableChunk) else problems).append(item)
    return source, chunks, problems


def rows_of(chunks: list[TableChunk]) -> list[dict[str, str | None]]:
    """The rows of ``chunks`` as dicts, in order."""
    return [row for chunk in chunks for row in chunk.batch.to_pylist()]

"""Streaming readers for departmental exports: CSV, TSV, XLSX, JSON Lines and exchange batches, as Arrow batches.

:func:`open_table` opens one input and returns its :class:`Source` (what was found: format, encoding,
delimiter, header row and names, a title above the header) and an iterator of

* :class:`TableChunk`: a ``pyarrow.RecordBatch`` whose columns are all strings, named by the header,
  with ``lines`` (where each row starts: physical line, or sheet row) and ``records`` (its place among
  the data rows);
* :class:`RowProblem`: a row that cannot be a table row (a ragged row, a quote never closed, a JSON
  line that is not an object), with its file, line, stable code, bilingual message and raw text.

Every data row of the input is in exactly one of them: rows in = rows out + problems (blank rows,
whose cells are all empty, are counted in ``blank_rows``).  Input that cannot be read at all raises
:class:`SourceError` (a :class:`~creditstd.exceptions.CreditstdError`) with a stable code and a message
naming the file and line; no message ever quotes a cell.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), 'penalties.csv')
>>> text = '2024年第一季度行政处罚信息\\r\\n名称,决定日期\\r\\n"某某\\r\\n公司",2024-03-15\\r\\n乙\\r\\n'
>>> with open(path, 'wb') as stream:
...     _ = stream.write(text.encode('gbk'))
>>> source, rows = open_table(path)
>>> source.encoding, source.header_row, source.headers, source.title
('gb18030', 2, ('名称', '决定日期'), '2024年第一季度行政处罚信息')
>>> for item in rows:
...     if isinstance(item, RowProblem):
...         print(item.code, item.line, item.message_en)
...     else:
...         print(item.batch.num_rows, item.lines.tolist())
source.ragged_row 5 the row has 1 cells, the header has 2
1 [3]
>>> open_table(os.path.join(os.path.dirname(path), 'missing.csv'))
Traceback (most recent call last):
...
creditstd.sources.model.SourceError: source.not_found: ...

:func:`expand_inputs` turns command-line patterns into paths (globs expanded in order, a pattern that
matches nothing refused).  The codes are :data:`CODES` (:class:`SourceError`) and :data:`ROW_CODES`
(:class:`RowProblem`).  Module by module: :mod:`~creditstd.sources.delimited` (CSV/TSV),
:mod:`~creditstd.sources.xlsx`, :mod:`~creditstd.sources.jsonl` (JSON Lines and exchange batches),
:mod:`~creditstd.sources.sniff` (detection), :mod:`~creditstd.sources.blocks` (decoding),
:mod:`~creditstd.sources.inputs` (files, stdin, gzip, globs).
"""

from creditstd.sources.inputs import expand_inputs
from creditstd.sources.model import CODES, ROW_CODES, RowProblem, Source, SourceError, TableChunk
from creditstd.sources.table import FORMATS, Rows, open_table

__all__ = ["CODES", "FORMATS", "ROW_CODES", "RowProblem", "Rows", "Source", "SourceError", "TableChunk",
           "expand_inputs", "open_table"]

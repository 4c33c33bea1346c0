"""Duplicate record keys within and across the files of one run, in bounded memory.

Two rows are the same record when their class's identity fields
(:attr:`~creditstd.records.model.RecordClass.identity`: for an administrative
penalty the authority's USCC, the decision number and the subject's name)
hold the same values, compared exactly as :func:`creditstd.records.exchange.record_id`
compares them: an identifier in its compact form (``91350100m000100y43``,
``9135 0100-M000 100Y43`` and the full-width ``９１３５…`` are one code), any other
value stripped of surrounding whitespace.  Two rows have the same key exactly
when their records would get the same exchange record id, so a file that passes
this check packs into a batch that :class:`~creditstd.records.exchange.BatchWriter`
does not refuse (``exchange.duplicate_id``).  A row whose identity fields are
all empty has no key and is never a duplicate (``record.required`` reports it).

:class:`DuplicateKeys` is fed the batches of a run in order, file after file;
for each batch it returns the rows whose key an earlier row of the run (in this
batch, an earlier batch, or an earlier file) already had, each with a
``record.duplicate`` finding that names where the key was first seen.  The
first occurrence is kept; each later one is a duplicate.  Given the rows'
verdicts (``valid``), a row rejected for another reason claims no key: a
later copy of it is the first occurrence, as ``exchange pack`` and
``creditstd convert`` take it (they write only the rows that pass), so that
the three give one verdict on a file.  A copy after the claiming row is a
duplicate, rejected or not.

>>> import pyarrow as pa
>>> keys = DuplicateKeys('administrative_penalty')
>>> first = pa.RecordBatch.from_pydict({
...     'authority_uscc': ['11350100MAD18YGF27', '11350100MAD18YGF27', ''],
...     'decision_number': ['罚〔2024〕1号', '罚〔2024〕2号', ''],
...     'subject_name': ['某某科技有限公司', '某某科技有限公司', None]})
>>> keys.check(first, file='a.csv', lines=np.array([2, 3, 4])).findings
()
>>> again = pa.RecordBatch.from_pydict({
...     'authority_uscc': ['1135 0100 mad18ygf27'], 'decision_number': [' 罚〔2024〕2号'],
...     'subject_name': ['某某科技有限公司']})
>>> result = keys.check(again, file='b.csv', lines=np.array([7]))
>>> result.duplicate.tolist(), result.rows.tolist()
([True], [0])
>>> found = result.findings[0]
>>> found.code, found.severity, found.path, str(found.location)
('record.duplicate', 'error', '$', 'b.csv:7')
>>> print(found.message_en)
duplicate of the record at a.csv, line 3: same identity fields (authority_uscc, decision_number, subject_name)
>>> print(found.message_zh)
与a.csv第3行的记录重复：标识字段（处罚机关统一社会信用代码、行政处罚决定书文号、行政相对人名称）相同
>>> found.value   # the key as the row spells it; a person's name masked to its first character
'1135 0100 mad18ygf27 | 罚〔2024〕2号 | 某*******'
>>> keys.keys, keys.nbytes
(2, 32)

How keys are normalised: one path.  Every value goes through the library's
own normalisation, :func:`~creditstd.records.exchange.identity_value` and
:func:`~creditstd.records.exchange.identity_text` (and so
:func:`~creditstd.codes._text.compact`), except where Arrow string operations
compute the same result exactly, which is what almost every row takes:

* the cell is trimmed as the compiled core trims it (``utf8_trim_whitespace``;
  an empty cell is an absent field, an empty part);
* a text field that is not an identifier: ``str.strip`` as ``utf8_trim`` over
  the characters Python itself counts as whitespace (``str.isspace``);
* an identifier field whose cell is ASCII and at most
  :data:`~creditstd.codes._text.MAX_LENGTH` characters: ``compact``'s ASCII
  branch, its ASCII separators removed and ``ascii_upper``;
* anything else (an identifier with full-width or other non-ASCII characters,
  an over-long one, a number or any other non-text field such as
  ``evaluation_year``): the library function, once per *distinct* value of the
  batch's column.

Each part is the value's text (:func:`~creditstd.records.exchange.identity_text`:
text itself, a number its canonical JSON, so ``2024`` and ``2024.0`` are one
value, as they are one JSON number), and the parts are joined with ``U+001F``.
Key equality is record-id equality for every value a column can hold, except
that a part holding ``U+001F`` itself, a control character no real field holds,
could join two different rows into one key.  The tests prove the keys equal
the text of ``record_id``'s identity row by row on generated values
(separators, full-width characters, case, whitespace, over-long and numeric
values), and the checker's verdicts equal a dict of record ids.

Memory.  The checker keeps no Python object per row: per distinct key it keeps
a 64-bit digest of the key (:func:`creditstd.reports.sketch.hash_strings` over
the Arrow buffers) and the first occurrence's place packed into 64 bits (file
index, line or record number), in sorted NumPy runs; each batch's new keys
become a run, and a run is merged into the one before it once it is at least
half its size (an LSM tree's size tiers: at most about log2(keys / batch) runs,
a lookup a binary search per run).  That is 16 bytes per distinct key:
16 MB for 1,000,000 rows, 80 MB for 5,000,000.  A merge briefly needs a second
copy of the two runs it merges, so runs stop growing at :data:`MAX_RUN` keys
(8 MB): the copy never passes about 17 MB, and past a few million keys a
lookup searches a few more runs.
The file names are kept once each.

False duplicates.  Equal keys always have equal digests, so a duplicate is
never missed.  Different keys can share a 64-bit digest: for *n* distinct keys
of ordinary data the chance that any two do is about n²/2⁶⁵, 2.7 × 10⁻⁸ at
1,000,000 rows and 6.8 × 10⁻⁷ at 5,000,000 (one run in 1.5 million).  Such a
collision would report one valid row as a duplicate, naming the row it
collided with, where the user sees the two keys differ; nothing is lost or
hidden.  That risk is accepted rather than doubling the digest to 128 bits (24
bytes per key, a second hash pass).  The digest is not collision-resistant
against crafted input (it is a public polynomial hash): a row crafted to
collide can at worst have another row reported as its duplicate, and the
finding names both places.

Speed, on a 1,000,000-row administrative-penalty export (34 text columns, 16 batches of 65,536 rows,
1% of the rows repeating an earlier key, half of those with the USCC spelled otherwise), on this
project's shared 2-core machine with a load average above 3 from other work: 1.28 to 1.43 million rows/s
of CPU time per run (0.70 to 0.78 s), 0.68 to 1.37 million rows/s wall-clock.  Of that time the 64-bit
hashing takes about 0.2 s, normalising and joining the three fields 0.18 s, sorting, lookups and merges
0.2 s, and the findings of the 10,000 duplicates 0.1 s (masking and redaction of the shown key)::

    .venv/bin/python tests/test_duplicates.py --rows 1000000
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditstd.codes._text import MAX_LENGTH, SEPARATORS
from creditstd.codes.identify import find_kind
from creditstd.codes_registry import lookup
from creditstd.exceptions import CatalogueError
from creditstd.findings import Finding, Location
from creditstd.records.decode import cell_decoder, field_type
from creditstd.records.exchange import identity_text, identity_value
from creditstd.records.model import Field, record_class
from creditstd.records.plan import shown_value
from creditstd.records.sorted_runs import MAX_RUN, SortedRuns
from creditstd.reports.sketch import hash_strings

__all__ = ["DuplicateFinding", "DuplicateKeys", "DuplicateResult", "identity_keys"]

#: Joins the identity parts of a key.
SEPARATOR = chr(31)

#: The separators :func:`~creditstd.codes._text.compact` drops from ASCII text, as one RE2 character class.
_ASCII_SEPARATORS = "[" + "".join(re.escape(char) for char in SEPARATORS if char.isascii()) + "]"
_EMPTY = pa.scalar("", pa.string())
_FALSE = pa.scalar(False)
_LIMIT = pa.scalar(MAX_LENGTH, pa.int32())

# A first occurrence's place packed in 64 bits: the file's index, whether the number is a record number
# (not a line), and the number.
_NUMBER_BITS = 39
_FILE_SHIFT = _NUMBER_BITS + 1
_MAX_NUMBER = (1 << _NUMBER_BITS) - 1
_MAX_FILES = 1 << (64 - _FILE_SHIFT)


@functools.cache
def _whitespace() -> str:
    """Every character ``str.strip()`` removes (Python's ``str.isspace``), for ``utf8_trim``."""
    return "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())


def _text(column: pa.Array) -> pa.Array:
    """A column's cells as the compiled core reads them: text, surrounding whitespace trimmed (a null is
    an empty cell)."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        column = pc.cast(column, pa.string())
    return pc.fill_null(pc.utf8_trim_whitespace(column), pa.scalar("", column.type))


def _by_value(text: pa.Array, normalise: Callable[[str], str | None]) -> pa.Array:
    """``normalise`` applied once per distinct value of ``text``, spread back over the rows."""
    distinct = pc.unique(text)
    mapped = pa.array([normalise(value) for value in distinct.to_pylist()], text.type)
    return pc.take(mapped, pc.index_in(text, value_set=distinct))


def _part_normaliser(class_name: str, spec: Field) -> Callable[[pa.Array], pa.Array]:
    """The function from a field's trimmed cells to its identity part per row (null: none can be made)."""
    decode = cell_decoder(class_name, spec.key)

    def library(text: str) -> str | None:  # the reference path: the decoded value through record_id's own step
        if not text:
            return ""
        try:
            return identity_text(identity_value(decode(text), spec.kind))
        except (CatalogueError, ValueError):  # no text record_id can use (an integer of over 4300 digits)
            return None

    if field_type(record_class(class_name), spec.key) != "string":
        return lambda text: _by_value(text, library)
    if find_kind(spec.kind) is None:
        return lambda text: pc.utf8_trim(text, characters=_whitespace())

    def identifier(text: pa.Array) -> pa.Array:
        compact = pc.or_(pc.ascii_is_alnum(text), pc.equal(text, _EMPTY))
        simple = pc.and_(compact, pc.less_equal(pc.utf8_length(text), _LIMIT))
        upper = pc.ascii_upper(text)  # compact() of ASCII letters and digits: upper case
        if pc.all(simple).as_py() is not False:
            return upper
        rest = pc.invert(simple)
        text_rest = pc.filter(text, rest)
        # ASCII up to the limit: compact() drops its ASCII separators and upper-cases; the rest: compact() itself
        ascii = pc.and_(pc.string_is_ascii(text_rest), pc.less_equal(pc.utf8_length(text_rest), _LIMIT))
        done = pc.ascii_upper(pc.replace_substring_regex(text_rest, _ASCII_SEPARATORS, ""))
        if pc.all(ascii).as_py() is False:
            other = pc.invert(ascii)
            done = pc.replace_with_mask(done, other, _by_value(pc.filter(text_rest, other), library))
        return pc.replace_with_mask(upper, rest, done)

    return identifier


def identity_keys(class_name: str, batch: pa.RecordBatch) -> tuple[pa.Array, np.ndarray]:
    """Each row's identity key (the texts of the identity values
    :func:`~creditstd.records.exchange.record_id` hashes, joined by U+001F), and whether the row has
    one (not all parts empty, and every part could be made).

    >>> keys, has_key = identity_keys('objection', pa.RecordBatch.from_pydict(
    ...     {'objection_number': [' YY-1 ', None, '\\u3000']}))
    >>> keys.to_pylist(), has_key.tolist()
    (['YY-1', '', ''], [True, False, False])
    """
    cls = record_class(class_name)
    parts = []
    for key in cls.identity:
        index = batch.schema.get_field_index(key)
        if index < 0:
            parts.append(pa.repeat(_EMPTY, batch.num_rows))
            continue
        parts.append(_normalisers(class_name)[key](_text(batch.column(index))))
    if len(parts) == 1:
        joined = parts[0]
    else:
        text_type = parts[0].type if len({part.type for part in parts}) == 1 else pa.large_string()
        parts = [part.cast(text_type) for part in parts]
        joined = pc.binary_join_element_wise(*parts, pa.scalar(SEPARATOR, text_type))
    empty = len(parts) - 1  # the length of a key whose parts are all empty: its separators
    has_key = pc.fill_null(pc.not_equal(pc.binary_length(joined), pa.scalar(empty, pa.int32())), _FALSE)
    return joined, np.asarray(has_key.to_numpy(zero_copy_only=False), bool)


@functools.cache
def _normalisers(class_name: str) -> dict[str, Callable[[pa.Array], pa.Array]]:
    cls = record_class(class_name)
    return {key: _part_normaliser(class_name, cls.fields[key]) for key in cls.identity}


def _where(location: Location) -> tuple[str, str]:
    """Where a first occurrence is, in Chinese and English.

    >>> _where(Location('a.csv', line=3)), _where(Location(record=2))
    (('a.csv第3行', 'a.csv, line 3'), ('第2条记录', 'record 2'))
    """
    if location.line is not None:
        zh, en = f"第{location.line}行", f"line {location.line}"
    else:
        zh, en = f"第{location.record}条记录", f"record {location.record}"
    if location.file is None:
        return zh, en
    return location.file + zh, f"{location.file}, {en}"


@dataclass(frozen=True, slots=True)
class DuplicateFinding(Finding):
    """A ``record.duplicate`` finding that keeps where the record was first seen: ``other``, its file as given
    to :meth:`DuplicateKeys.check` and its line (or record number).  The messages name that file as given; a
    report names it as it shows that file everywhere else (masked, and told apart from a file shown alike by
    its position in the run), through :meth:`naming` (see
    :class:`creditstd.reports.builder.NamesAnotherPlace`).

    >>> found = DuplicateFinding.made(Location('b.csv', line=7), Location('a.csv', line=3), path='$',
    ...                               fields_zh='文号', fields_en='decision_number')
    >>> found.message_en
    'duplicate of the record at a.csv, line 3: same identity fields (decision_number)'
    >>> print(*found.naming('a.csv (#1)'), sep='\\n')
    与a.csv (#1)第3行的记录重复：标识字段（文号）相同
    duplicate of the record at a.csv (#1), line 3: same identity fields (decision_number)
    """

    #: Where the record was first seen (the row that is kept).
    other: Location | None = None
    #: The identity fields, as the messages list them (Chinese titles; English keys).
    fields_zh: str = ""
    fields_en: str = ""

    @classmethod
    def made(cls, location: Location, other: Location, *, path: str, fields_zh: str, fields_en: str,
             field: str | None = None, field_code: str | None = None, value: str | None = None) -> DuplicateFinding:
        """The finding of the row at ``location`` that repeats the record first seen at ``other``, its messages
        the registry's templates."""
        entry = lookup("record.duplicate")
        zh, en = _messages(other, path, fields_zh, fields_en)
        return cls("record.duplicate", zh, en, path, field, field_code, None, None, value, location, entry.severity,
                   other, fields_zh, fields_en)

    def naming(self, file: str) -> tuple[str, str]:
        """The Chinese and English messages, the file where the record was first seen named ``file``."""
        other = dataclasses.replace(self.other or Location(), file=file)
        return _messages(other, self.path, self.fields_zh, self.fields_en)


def _messages(other: Location, path: str, fields_zh: str, fields_en: str) -> tuple[str, str]:
    first_zh, first_en = _where(other)
    return lookup("record.duplicate").messages(path=path, first_zh=first_zh, first_en=first_en,
                                               fields_zh=fields_zh, fields_en=fields_en)


@dataclass(frozen=True)
class DuplicateResult:
    """The duplicates of one batch: a flag per row, and a finding for each duplicate row."""

    #: Per row of the batch: its key was seen before in the run (the row is a duplicate; reject it).
    duplicate: np.ndarray
    findings: tuple[Finding, ...]
    #: The row (0-based, in the batch) of each finding, in row order.
    rows: np.ndarray
    #: Where the key of each finding's row was first seen (the row that is kept).
    first: tuple[Location, ...] = ()

    @property
    def count(self) -> int:
        """How many rows of the batch are duplicates."""
        return len(self.rows)


class DuplicateKeys:
    """Finds the rows of a run whose class identity an earlier row of the run already had.

    Create one per class for a whole run, and :meth:`check` every batch of every file in order.
    """

    def __init__(self, class_name: str, *, show_pii: bool = False) -> None:
        cls = record_class(class_name)  # CatalogueError for an unknown class
        self.class_name = class_name
        self.show_pii = show_pii
        self._identity = cls.identity
        self._fields = [cls.fields[key] for key in cls.identity]
        self._path = f"$.{cls.identity[0]}" if len(cls.identity) == 1 else "$"
        self._field = self._fields[0] if len(cls.identity) == 1 else None
        self._names_zh = "、".join(spec.zh for spec in self._fields)
        self._names_en = ", ".join(cls.identity)
        self._files: list[str | None] = []
        self._file_index: dict[str | None, int] = {}
        self._runs = SortedRuns(np.dtype(np.uint64), values=True, max_run=MAX_RUN)
        _normalisers(class_name)

    @property
    def keys(self) -> int:
        """Distinct keys seen so far."""
        return self._runs.keys

    @property
    def nbytes(self) -> int:
        """Bytes of the digest and place arrays (16 per distinct key)."""
        return self._runs.nbytes

    @property
    def runs(self) -> int:
        """Sorted runs held now."""
        return self._runs.runs

    def check(self, batch: pa.RecordBatch, *, file: str | None = None, lines: np.ndarray | None = None,
              first_record: int = 1, valid: np.ndarray | None = None) -> DuplicateResult:
        """The rows of ``batch`` whose key an earlier row of the run had, each with its finding.

        ``batch``'s columns are named by catalogue key and hold text cells (as for
        :func:`~creditstd.records.plan.validate_table`); a row is located by ``file`` and its line in
        ``lines``, or else its record number counted from ``first_record``.  The rows whose key is new are
        remembered as its first occurrence; with ``valid`` (bool per row, the verdict without duplicates), only
        the valid ones: a rejected row claims no key (see the module docstring).

        >>> keys = DuplicateKeys('administrative_penalty')
        >>> rows = pa.RecordBatch.from_pydict({'authority_uscc': ['11350100MAD18YGF27'] * 3,
        ...                                    'decision_number': ['罚〔2024〕1号'] * 3,
        ...                                    'subject_name': ['某公司'] * 3})
        >>> keys.check(rows, valid=np.array([False, True, True])).duplicate.tolist()
        [False, False, True]
        """
        rows = batch.num_rows
        duplicate = np.zeros(rows, bool)
        keys, has_key = identity_keys(self.class_name, batch)
        keyed = np.flatnonzero(has_key)
        if len(keyed) == 0:
            return DuplicateResult(duplicate, (), np.empty(0, np.int64), ())
        digests = hash_strings(pc.filter(keys, pa.array(has_key)))
        places = self._places(file, lines, first_record, keyed)
        claims = np.ones(len(keyed), bool) if valid is None else np.asarray(valid, bool)[keyed]

        order = np.argsort(digests)
        ordered = digests[order]
        starts = np.ones(len(ordered), bool)
        starts[1:] = ordered[1:] != ordered[:-1]
        group = np.cumsum(starts) - 1
        group_digests = ordered[starts]
        # position (among the keyed rows) of each key's first claiming row in the batch (len(keyed): none)
        group_first = np.minimum.reduceat(np.where(claims[order], order, len(keyed)), np.flatnonzero(starts))
        claimed = group_first < len(keyed)
        seen, seen_places = self._runs.find(group_digests)
        # where each key was first seen (a key no row claims has no place)
        group_places = np.where(seen, seen_places, places[np.minimum(group_first, len(keyed) - 1)])
        new = ~seen & claimed
        self._runs.add(group_digests[new], group_places[new])

        repeated = seen[group] | (claimed[group] & (order > group_first[group]))
        by_row = np.argsort(order[repeated])
        duplicates = order[repeated][by_row]  # positions among the keyed rows, in row order
        firsts = group_places[group[repeated]][by_row]
        found_rows = keyed[duplicates]
        duplicate[found_rows] = True
        first = tuple(self._location(place) for place in firsts.tolist())
        return DuplicateResult(duplicate, self._findings(batch, found_rows, places[duplicates], first),
                               found_rows.astype(np.int64), first)

    # -- places -------------------------------------------------------------------------------------------------

    def _places(self, file: str | None, lines: np.ndarray | None, first_record: int,
                rows: np.ndarray) -> np.ndarray:
        """The packed places of ``rows`` of a batch of ``file``."""
        index = self._file_index.get(file)
        if index is None:
            if len(self._files) >= _MAX_FILES:
                raise ValueError(f"more than {_MAX_FILES} files in one run")
            index = self._file_index[file] = len(self._files)
            self._files.append(file)
        if lines is not None:
            numbers, record = np.asarray(lines, np.int64)[rows], 0
        else:
            numbers, record = rows.astype(np.int64) + first_record, 1
        if len(numbers) and (numbers.min() < 0 or numbers.max() > _MAX_NUMBER):
            raise ValueError(f"a line or record number outside 0..{_MAX_NUMBER}")
        return (numbers.astype(np.uint64) | np.uint64((index << _FILE_SHIFT) | (record << _NUMBER_BITS)))

    def _location(self, place: int) -> Location:
        file = self._files[place >> _FILE_SHIFT]
        number = place & _MAX_NUMBER
        if (place >> _NUMBER_BITS) & 1:
            return Location(file=file, record=number)
        return Location(file=file, line=number)

    # -- findings -----------------------------------------------------------------------------------------------

    def _shown(self, spec: Field, text: str) -> str:
        return shown_value(self.class_name, spec.key, text, show_pii=self.show_pii) or ""

    def _findings(self, batch: pa.RecordBatch, rows: np.ndarray, places: np.ndarray,
                  first: tuple[Location, ...]) -> tuple[Finding, ...]:
        if len(rows) == 0:
            return ()
        taken = pa.array(rows, pa.int64())
        shown: list[list[str]] = []
        for spec in self._fields:
            index = batch.schema.get_field_index(spec.key)
            cells = [""] * len(rows) if index < 0 else _text(batch.column(index)).take(taken).to_pylist()
            once: dict[str, str] = {}  # each distinct cell masked and redacted once
            shown.append([once[cell] if cell in once else once.setdefault(cell, self._shown(spec, cell))
                          for cell in cells])
        found: list[Finding] = []
        for position, (place, location) in enumerate(zip(places.tolist(), first, strict=True)):
            value = " | ".join(values[position] for values in shown)
            found.append(DuplicateFinding.made(
                self._location(place), location, path=self._path, fields_zh=self._names_zh,
                fields_en=self._names_en, field=self._field.key if self._field else None,
                field_code=self._field.code if self._field else None, value=value))
        return tuple(found)

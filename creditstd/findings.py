"""One type for every problem creditstd reports: :class:`Finding`, located by :class:`Location`.

An identifier that fails its check digit, a record missing a required field,
a cell that is not a date, a batch whose hash does not match: each is a
:class:`Finding` with

* ``code``: a stable machine code (``uscc.checksum``, ``record.required``,
  ``rule.fine_needs_amount``, ``exchange.sha256``...), never renamed;
* ``message_zh`` / ``message_en``: what is wrong, for people, in Chinese and
  English; a message never quotes the value it is about, so it is safe to
  log even for a citizen ID number;
* ``path``: where in the record, as a JSON path (``$.penalty_types[0]``;
  ``$`` for the record or value as a whole);
* ``field`` / ``field_code``: the catalogue key of the field and its national
  field code (``fine_amount`` / ``CF_NR_FK``), when the finding is about one;
* ``kind``: the identifier kind the finding is about, when it is about one
  (``uscc``, ``citizen_id``...): a value may be checked as several kinds;
* ``position``: the 1-based character position in the value, where it helps;
* ``value``: the value as it may be shown (masked when it is personal), or
  ``None``;
* ``location``: where in the input (file, line, record number or id,
  source column);
* ``severity``: ``error`` or ``warning``.

Every code is registered, with its family, severity and message templates,
in :mod:`creditstd.codes_registry`; :func:`finding` makes a finding from
the registry's templates, :meth:`Finding.from_error` from a creditstd error
(an identifier's :class:`~creditstd.exceptions.ValidationError`, a
:class:`~creditstd.exceptions.CatalogueError`...).

Findings are plain, frozen, picklable data: a Spark executor can send them
back, a report writer can sort and group them.

>>> missing = Finding('record.required', '字段“处罚决定书文号（CF_WSH）”必填',
...                   'field decision_number (CF_WSH) is required', path='$.decision_number',
...                   field='decision_number', field_code='CF_WSH',
...                   location=Location(file='penalties.csv', line=7))
>>> str(missing.location), missing.where
('penalties.csv:7', 'penalties.csv:7 $.decision_number')
>>> missing.to_json()['location']
{'file': 'penalties.csv', 'line': 7}
>>> missing.at(Location(file='b.csv', line=2)).location.file
'b.csv'
>>> counted = finding('exchange.count', path='$.records.count', location=Location(file='manifest.json'),
...                   count=3, expected=4)
>>> counted.where, counted.message_zh, counted.message_en
('manifest.json $.records.count', '记录数为3，清单为4', '3 records, the manifest says 4')
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any

from creditstd.codes_registry import Severity, lookup
from creditstd.exceptions import CreditstdError, bilingual

__all__ = ["Finding", "Location", "Severity", "finding"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where in the input a finding was made; every part is optional."""

    file: str | None = None
    #: 1-based physical line where the record starts (a quoted CSV cell may span lines).
    line: int | None = None
    #: 1-based record number (a row of a spreadsheet, an element of an XML export, a line of JSON Lines).
    record: int | None = None
    #: The column header or element name as the input spells it.
    column: str | None = None
    #: The record's own id, when the input gives one (an exchange record's ``record_id``).
    record_id: str | None = None

    def __str__(self) -> str:
        text = self.file or ""
        if self.line is not None:
            text += f":{self.line}"
        elif self.record is not None:
            text += f"#{self.record}"
        if self.column:
            text += f" [{self.column}]"
        return text

    def to_json(self) -> dict[str, Any]:
        """The parts that are set, as a JSON object."""
        return {name: value for name in ("file", "line", "record", "column", "record_id")
                if (value := getattr(self, name)) is not None}


@functools.lru_cache(maxsize=4096)
def _masked(text: str) -> str:
    """:func:`~creditstd.codes.redact.redact` of a text, remembered: the messages of a code and the file names
    repeat from finding to finding."""
    from creditstd.codes.redact import redact  # the identifier library builds on this module

    return redact(text)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: what (code, message), where in the record (path, field) and where in the input."""

    code: str
    message_zh: str
    message_en: str
    path: str = "$"
    field: str | None = None
    field_code: str | None = None
    kind: str | None = None
    position: int | None = None
    value: str | None = None
    location: Location | None = None
    severity: Severity = "error"

    @property
    def message(self) -> str:
        """The message in the language :func:`~creditstd.exceptions.message_language` chooses."""
        return bilingual(self.message_zh, self.message_en)

    @property
    def where(self) -> str:
        """Location and path in one string, for a line of a report."""
        return " ".join(part for part in (str(self.location or ""), self.path) if part)

    def at(self, location: Location) -> Finding:
        """The same finding, made at ``location``."""
        return dataclasses.replace(self, location=location)

    def masked(self) -> Finding:
        """The same finding with whatever in its texts may be an ID number masked (messages, value, JSON path
        (an object keyed by ID numbers), the file name and the column: :func:`~creditstd.codes.redact.redact`),
        as a file of rejects or a report shows it unless personal data is asked for.

        >>> found = Finding('record.duplicate', '与 a/110105194912310021.csv 第2行重复', 'repeats line 2 of '
        ...                 'a/110105194912310021.csv', location=Location(file='a/110105194912310021.csv', line=3))
        >>> masked = found.masked()
        >>> masked.location.file, masked.message_en
        ('a/110105********0021.csv', 'repeats line 2 of a/110105********0021.csv')
        >>> Finding('x', '', '', location=Location(column='110105194912310021 张三')).masked().location.column
        '110105********0021 张*'
        """
        location = self.location
        if location is not None and (location.file is not None or location.column is not None):
            location = dataclasses.replace(location, file=None if location.file is None else _masked(location.file),
                                           column=None if location.column is None else _masked(location.column))
        return dataclasses.replace(self, message_zh=_masked(self.message_zh), message_en=_masked(self.message_en),
                                   value=None if self.value is None else _masked(self.value), location=location,
                                   path=_masked(self.path) if isinstance(self.path, str) else self.path)

    @classmethod
    def from_error(cls, error: CreditstdError, **where: Any) -> Finding:
        """The finding an error raised by creditstd stands for: its code, messages, position and JSON path.

        ``where`` sets the other fields (``location``, ``kind``, ``path``...).

        >>> from creditstd.exceptions import make_error
        >>> found = Finding.from_error(make_error('uscc.length', length=17), kind='uscc')
        >>> found.code, found.kind, found.path, found.message_en
        ('uscc.length', 'uscc', '$', 'a unified social credit code has 18 characters, got 17')
        """
        parts: dict[str, Any] = {"path": getattr(error, "path", "$"), "position": getattr(error, "position", None)}
        return cls(error.code, error.message_zh, error.message_en, **{**parts, **where})

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object (unset optional parts left out)."""
        data: dict[str, Any] = {"code": self.code, "severity": self.severity, "path": self.path}
        for name in ("field", "field_code", "kind", "position", "value"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        if self.location is not None:
            data["location"] = self.location.to_json()
        data["message_zh"], data["message_en"] = self.message_zh, self.message_en
        return data

    def __str__(self) -> str:
        return f"{self.where}: {self.code}: {self.message}"


def finding(code: str, *, path: str = "$", field: str | None = None, field_code: str | None = None,
            kind: str | None = None, position: int | None = None, value: str | None = None,
            location: Location | None = None, **fields: object) -> Finding:
    """The finding of registered ``code``, its messages the registry's templates filled with ``fields``
    (and ``path``).

    Raises KeyError for a code that is not registered.

    >>> finding('exchange.duplicate_id', path='$.record_id', location=Location(line=3)).message_en
    'duplicate record id'
    """
    entry = lookup(code)
    zh, en = entry.messages(**{"path": path, **fields})
    return Finding(code, zh, en, path, field, field_code, kind, position, value, location, entry.severity)

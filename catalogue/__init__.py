"""The credit information catalogue and classification standard, executable.

The catalogue itself is data (this folder's JSON files); this module is the
Python face of it:

* :func:`classes` / :func:`get_class` - the record classes, each a JSON Schema
  (Draft 2020-12) with its classification and bilingual field definitions;
* :func:`taxonomy` - subject types, information categories, openness,
  sensitivity, sectors with their departments, code tables;
* :func:`validator` - a cached compiled validator per class yielding every
  error with its JSON path, stable code and bilingual message;
* :func:`publication_window`, :func:`is_displayable`, :func:`lifecycle` -
  display periods under a chosen rule set;
* :func:`for_publication` - the public form of a displayed record (non-public
  fields dropped, personal identifiers masked, every string scanned for
  personal numbers), ``None`` for a record not displayed on the day.

>>> from creditstd import catalogue
>>> catalogue.get_class('administrative_penalty').fields['decision_number'].code
'CF_WSH'
>>> record = {'subject_name': '张三', 'subject_category': '自然人', 'id_type': '身份证',
...           'id_number': '11010519491231002X', 'penalty_types': ['罚款'], 'decision_date': '2024-03-15'}
>>> from datetime import date
>>> catalogue.for_publication(record, 'administrative_penalty', on=date(2024, 6, 1))['id_number']
'110105********002X'
>>> catalogue.publication_window(record, 'administrative_penalty', 'ndrc-2019-527').end
datetime.date(2025, 3, 15)
"""

from __future__ import annotations

from typing import Any

from creditstd.records.loader import class_names, display_rules, index, taxonomy
from creditstd.records.masking import for_publication
from creditstd.records.model import Field, RecordClass, record_class
from creditstd.records.publication import Lifecycle, Window, is_displayable, lifecycle, publication_window
from creditstd.records.validation import RecordError, RecordValidator, validator

__all__ = [
    "VERSION",
    "Field",
    "Lifecycle",
    "RecordClass",
    "RecordError",
    "RecordValidator",
    "Window",
    "classes",
    "display_rules",
    "for_publication",
    "get_class",
    "is_displayable",
    "lifecycle",
    "publication_window",
    "taxonomy",
    "validator",
]


def classes() -> tuple[RecordClass, ...]:
    """Every record class, in catalogue order."""
    return tuple(record_class(name) for name in class_names())


def get_class(name: str) -> RecordClass:
    """The record class ``name`` (raises :class:`~creditstd.exceptions.CatalogueError` when unknown)."""
    return record_class(name)


def __getattr__(name: str) -> Any:
    if name == "VERSION":
        return index()["version"]
    raise AttributeError(name)

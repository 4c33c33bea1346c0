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
* :func:`for_publication` - the public form of a record (non-public fields
  dropped, personal identifiers masked).

>>> from creditstd import catalogue
>>> catalogue.get_class('administrative_penalty').fields['decision_number'].code
'CF_WSH'
"""

from __future__ import annotations

from typing import Any

from creditstd.records.loader import class_names, display_rules, index, taxonomy
from creditstd.records.model import Field, RecordClass, record_class
from creditstd.records.validation import RecordError, RecordValidator, validator

__all__ = [
    "VERSION",
    "Field",
    "RecordClass",
    "RecordError",
    "RecordValidator",
    "classes",
    "display_rules",
    "get_class",
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

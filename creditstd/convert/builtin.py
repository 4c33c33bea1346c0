"""The mappings shipped with creditstd: the national 双公示 upload formats and sector exports, by name.

``creditstd convert --mapping NAME`` and ``creditstd mapping show NAME`` resolve a name here; a path to a
TOML file is read with :func:`~creditstd.convert.mapping.load_mapping` instead.  The files are
``creditstd/convert/builtin/<name>.toml`` (package data, carried by the wheel).

* ``sgs-licence-csv``, ``sgs-penalty-csv``, ``sgs-licence-xml``, ``sgs-penalty-xml``: the national 双公示
  licence and penalty items by their field codes (``XK_*``, ``CF_*``), as CSV and as XML;
* ``tax-credit-xml``, ``court-dishonest-xml``, ``environment-credit-csv``, ``customs-credit-xml``: sector
  export formats **invented** to be realistic (pinyin-abbreviation tags, Chinese dates, colour and grade
  labels, amounts with units, namespaces and attributes, GBK CSV with a title row); no real system's format
  is claimed.

Each has a synthetic example export in ``examples/exports/builtin/`` (``scripts/make_sector_examples.py``).

>>> names = builtin_names()
>>> 'sgs-penalty-csv' in names and 'tax-credit-xml' in names
True
>>> spec = load_builtin('tax-credit-xml')
>>> spec.class_name, spec.source.format
('credit_rating', 'xml')
>>> try:
...     load_builtin('no-such-mapping')
... except UnknownMapping as error:
...     print(error.code, error.file, 'customs-credit-xml' in error.message_en)
mapping.unreadable builtin:no-such-mapping True
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from creditstd.convert.codes import MAPPING_CODES
from creditstd.convert.mapping import MappingError, MappingProblem, MappingSpec, parse_mapping

__all__ = ["BuiltinInfo", "UnknownMapping", "builtin_info", "builtin_names", "builtin_path", "builtin_text",
           "is_builtin", "load_builtin"]

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class UnknownMapping(MappingError):
    """No built-in mapping has that name (code ``mapping.unreadable``, file ``builtin:<name>``): the message
    lists the names there are."""

    def __init__(self, name: str) -> None:
        shown = ", ".join(builtin_names())
        zh, en = MAPPING_CODES["mapping.unreadable"]
        file = f"builtin:{name}"
        reason_zh = f"没有这个名称的内置映射；内置映射有：{shown}"
        reason_en = f"there is no built-in mapping of that name; the built-in mappings are: {shown}"
        problem = MappingProblem("mapping.unreadable", 1, "$", zh.format(file=file, reason=reason_zh),
                                 en.format(file=file, reason=reason_en))
        super().__init__(file, [problem])
        self.name = name


def _folder() -> Traversable:
    return files("creditstd.convert").joinpath("builtin")


@functools.cache
def builtin_names() -> tuple[str, ...]:
    """The names of the built-in mappings, sorted."""
    return tuple(sorted(item.name[:-5] for item in _folder().iterdir()
                        if item.name.endswith(".toml") and _NAME.fullmatch(item.name[:-5])))


def is_builtin(name: str) -> bool:
    """Whether ``name`` is the name of a built-in mapping."""
    return name in builtin_names()


def builtin_text(name: str) -> str:
    """The TOML text of built-in mapping ``name``; :class:`UnknownMapping` when there is none."""
    if not is_builtin(name):
        raise UnknownMapping(name)
    text: str = _folder().joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return text


def builtin_path(name: str) -> Path:
    """The file of built-in mapping ``name`` (inside the installed package); :class:`UnknownMapping` when
    there is none."""
    if not is_builtin(name):
        raise UnknownMapping(name)
    with as_file(_folder().joinpath(f"{name}.toml")) as path:  # a real file for a regular install
        return Path(path)


@functools.cache
def load_builtin(name: str) -> MappingSpec:
    """Built-in mapping ``name``, checked and compiled (its file named ``builtin:<name>`` in messages)."""
    return parse_mapping(builtin_text(name), f"builtin:{name}")


@dataclass(frozen=True)
class BuiltinInfo:
    """What ``creditstd mapping list`` shows of a built-in mapping."""

    name: str
    class_name: str
    format: str
    title_zh: str
    title_en: str


@functools.cache
def builtin_info(name: str) -> BuiltinInfo:
    """The name, class, format and one-line titles of built-in mapping ``name``: the mapping's ``title`` is
    ``中文 / English``."""
    spec = load_builtin(name)
    title = spec.title or name
    zh, _, en = title.partition(" / ")
    return BuiltinInfo(name, spec.class_name, spec.source.format, zh.strip(), (en or zh).strip())

"""Load the catalogue's data files (package resources), once, lazily.

The catalogue is data: ``catalogue/catalogue.json`` (the index),
``catalogue/taxonomy.json``, ``catalogue/display_rules.json``,
``catalogue/common.schema.json`` and one JSON Schema per record class in
``catalogue/classes/``; the meta-schemas live in ``schemas/``.  They install
as ``creditstd.catalogue`` and ``creditstd.schemas``.

>>> 'administrative_penalty' in class_names()
True
>>> class_schema('administrative_penalty')['title']
'行政处罚信息'

What the loader hands out is read-only, at any depth: every caller in the
process shares it, so one that changed it would change every later
validation.  The objects are ordinary dicts and lists to read (``json.dumps``,
jsonschema and ``isinstance(..., dict)`` all take them) whose mutating
methods raise ``TypeError``; ``copy.deepcopy()`` or ``dict(...)`` give a
plain copy to change.

>>> taxonomy()['sectors'].clear()
Traceback (most recent call last):
...
TypeError: catalogue data is read-only: copy it (copy.deepcopy) to change it / 目录数据只读，修改前请先复制
>>> import copy
>>> sectors = copy.deepcopy(taxonomy()['sectors']); sectors.clear(); len(taxonomy()['sectors']) > 40
True
"""

from __future__ import annotations

import copy
import functools
import json
import re
from importlib.resources import files
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from creditstd.exceptions import CatalogueError

__all__ = [
    "ReadOnlyDict",
    "ReadOnlyList",
    "class_names",
    "class_schema",
    "display_rules",
    "freeze",
    "index",
    "inlined_class_schema",
    "meta_schema",
    "quoted_name",
    "registry",
    "taxonomy",
]


_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")


def quoted_name(name: object) -> str | None:
    """``name`` if it has the shape of a class or rule set name (``administrative_penalty``), else None.

    Messages quote an unknown name back only then: whatever else was typed (an ID number pasted into
    the wrong argument, a lone surrogate, a megabyte of text) is never repeated.

    >>> quoted_name('administrative_penaltu'), quoted_name('11010519491231002X')
    ('administrative_penaltu', None)
    """
    return name if isinstance(name, str) and _NAME.fullmatch(name) else None


def _refuse(self: object, *args: object, **kwargs: object) -> Any:
    raise TypeError("catalogue data is read-only: copy it (copy.deepcopy) to change it / 目录数据只读，修改前请先复制")


class ReadOnlyDict(dict[Any, Any]):
    """A dict that refuses to change; copies of it are plain dicts."""

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return {copy.deepcopy(key, memo): copy.deepcopy(value, memo) for key, value in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class ReadOnlyList(list[Any]):
    """A list that refuses to change; copies of it are plain lists."""

    __setitem__ = __delitem__ = __iadd__ = __imul__ = append = extend = insert = pop = remove = clear = sort = \
        reverse = _refuse

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(item, memo) for item in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


def freeze(node: Any) -> Any:
    """``node`` (parsed JSON) with every dict and list, at any depth, read-only."""
    if isinstance(node, dict):
        return ReadOnlyDict((key, freeze(value)) for key, value in node.items())
    if isinstance(node, list):
        return ReadOnlyList(freeze(item) for item in node)
    return node


@functools.cache
def _json(package: str, name: str) -> Any:
    return freeze(json.loads(files(package).joinpath(name).read_text(encoding="utf-8")))


def index() -> dict[str, Any]:
    """The catalogue index: version, the list of classes, the data files."""
    return _json("creditstd.catalogue", "catalogue.json")


def class_names() -> tuple[str, ...]:
    """The record classes, in catalogue order."""
    return tuple(index()["classes"])


def class_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of record class ``name``; raises CatalogueError for an unknown class."""
    if name not in class_names():
        shown = quoted_name(name)
        raise CatalogueError(
            "catalogue.unknown_class",
            f"目录中没有记录类{'“' + shown + '”' if shown else '（名称不合规范）'}；可用：{'、'.join(class_names())}",
            f"no record class {repr(shown) if shown else 'of that name (not a class name)'} in the catalogue; "
            f"choose from {', '.join(class_names())}",
        )
    return _json("creditstd.catalogue", f"classes/{name}.schema.json")


def taxonomy() -> dict[str, Any]:
    """The classification standard: subject types, categories, openness, sensitivity, sectors, code tables."""
    return _json("creditstd.catalogue", "taxonomy.json")


def display_rules() -> dict[str, Any]:
    """The display-period rule sets."""
    return _json("creditstd.catalogue", "display_rules.json")


def meta_schema(name: str) -> dict[str, Any]:
    """A schema from ``schemas/``, e.g. ``catalogue-class.meta.schema.json``."""
    return _json("creditstd.schemas", name)


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith(_COMMON_REF):
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            return {**_inline(definitions[ref[len(_COMMON_REF):]], definitions), **siblings}
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


_COMMON_REF = "common.schema.json#/$defs/"


@functools.cache
def inlined_class_schema(name: str) -> dict[str, Any]:
    """The class schema with every ``$ref`` to the shared types replaced by the type itself.

    Same meaning as :func:`class_schema`; validating against it skips a reference lookup per field and
    value, which is about half of jsonschema's time on these schemas.
    """
    return freeze(_inline(class_schema(name), _json("creditstd.catalogue", "common.schema.json")["$defs"]))


@functools.cache
def registry() -> Registry:
    """Every catalogue schema by its ``$id``, so ``$ref`` between files resolves offline."""
    documents = [_json("creditstd.catalogue", "common.schema.json")]
    documents += [class_schema(name) for name in class_names()]
    resources = [(doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)) for doc in documents]
    return Registry().with_resources(resources)

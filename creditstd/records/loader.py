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
"""

from __future__ import annotations

import functools
import json
import re
from importlib.resources import files
from typing import Any

from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from creditstd.exceptions import CatalogueError

__all__ = [
    "class_names",
    "class_schema",
    "display_rules",
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


@functools.cache
def _json(package: str, name: str) -> Any:
    return json.loads(files(package).joinpath(name).read_text(encoding="utf-8"))


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
    return _inline(class_schema(name), _json("creditstd.catalogue", "common.schema.json")["$defs"])


@functools.cache
def registry() -> Registry:
    """Every catalogue schema by its ``$id``, so ``$ref`` between files resolves offline."""
    documents = [_json("creditstd.catalogue", "common.schema.json")]
    documents += [class_schema(name) for name in class_names()]
    resources = [(doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012)) for doc in documents]
    return Registry().with_resources(resources)

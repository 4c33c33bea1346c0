"""The one registry of codes: every code the code base can report is in it, and in the generated reference.

Codes are found three ways, none of them by reading the registry:

* in the source of ``creditstd/`` and ``cli/``, by an AST walk: the first
  argument (or ``code=``) of every call that makes a problem or raises one
  (``fail``, ``make_error``, ``CatalogueError``, ``Finding``, ``finding``...),
  every string compared with a ``.code``, and every string literal shaped like
  a code of a known family (``exchange.sha256`` in a frozenset, ``rule.date_in_future``
  in a rule's result tuple...);
* from the catalogue's data: ``rule.<x-rule>`` of every class conditional, and
  ``record.<keyword>`` for every JSON Schema keyword the class schemas use
  (a keyword the test does not know stops it: it must be classified first);
* by running the record validator on broken records of every class.
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import creditstd
import creditstd.catalogue
import creditstd.cli
from creditstd.codes_registry import CODES, FAMILIES, SCHEMA_KEYWORDS, is_registered, keyword_code, lookup, registry
from creditstd.exceptions import ERRORS, make_error
from creditstd.findings import Finding, Location, finding
from creditstd.records import loader
from creditstd.records.docs import render_html, render_markdown
from creditstd.records.fake import fake_records
from creditstd.records.formats import FORMATS
from creditstd.records.rules import RULES
from creditstd.records.validation import validator

# The code as installed (the source tree, or the wheel in CI's second run): creditstd/, its cli/ and catalogue/.
PACKAGE = Path(creditstd.__file__).resolve().parent
CLI = Path(creditstd.cli.__file__).resolve().parent
CATALOGUE = Path(creditstd.catalogue.__file__).resolve().parent
SOURCES = sorted({*PACKAGE.rglob("*.py"), *CLI.rglob("*.py")})
REGISTRY_MODULE = PACKAGE / "codes_registry.py"

#: Calls that make a problem or raise one: the code is their first argument (or ``code=``).
EMITTERS = frozenset({"fail", "make_error", "CatalogueError", "SigningError", "LineError", "ValidationError",
                      "InvalidFormat", "InvalidLength", "InvalidChecksum", "InvalidComponent", "Finding", "finding",
                      "_records_file", "SourceError", "source_error", "row_problem"})
#: ``ValueProblem(parts, code)``: the code is the second argument.
SECOND_ARGUMENT = frozenset({"ValueProblem"})
CODE = re.compile(r"[a-z]+\.[a-z][A-Za-z0-9_]*")
#: String literals of a code's shape that are file names, not codes (each checked to be a file of the project).
FILE_NAMES = {"catalogue.json": CATALOGUE / "catalogue.json",
              "regions.json": PACKAGE / "data" / "regions.json",
              "regions.tsv": PACKAGE / "data" / "regions.tsv"}
#: Keywords of the class schemas that never fail on their own: they apply subschemas, or annotate.
NOT_ASSERTIONS = frozenset({"$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "properties",
                            "patternProperties", "items", "prefixItems", "allOf", "if", "then", "else",
                            "dependentSchemas", "examples", "default", "deprecated", "readOnly", "writeOnly"})


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _constant(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _emitted(tree: ast.AST) -> Iterator[str]:
    """The codes in the call and comparison positions that can only hold a code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            arguments = list(node.args)
            code = None
            if name in EMITTERS:
                code = _constant(arguments[0]) if arguments else None
                code = code or next((_constant(kw.value) for kw in node.keywords if kw.arg == "code"), None)
            elif name in SECOND_ARGUMENT and len(arguments) > 1:
                code = _constant(arguments[1])
            if code is not None:
                yield code
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(side, ast.Attribute) and side.attr == "code" for side in sides):
                for side in sides:
                    constants = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                    yield from (text for text in map(_constant, constants) if text and CODE.fullmatch(text))


def _literals(tree: ast.AST) -> Iterator[str]:
    """Every string literal that has a code's shape."""
    for node in ast.walk(tree):
        text = _constant(node) if isinstance(node, ast.expr) else None
        if text is not None and CODE.fullmatch(text):
            yield text


@pytest.fixture(scope="module")
def source_codes() -> dict[str, set[Path]]:
    """Code -> the files that report it, from the AST of every module but the registry's own."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in SOURCES
             if path != REGISTRY_MODULE}
    found: dict[str, set[Path]] = {}
    for path, tree in trees.items():
        for code in _emitted(tree):
            found.setdefault(code, set()).add(path)
    families = set(FAMILIES) | {code.partition(".")[0] for code in found}
    for path, tree in trees.items():
        for code in _literals(tree):
            if code.partition(".")[0] in families and code not in FILE_NAMES:
                found.setdefault(code, set()).add(path)
    return found


def _keywords(schema: object) -> Iterator[str]:
    """Every keyword of a schema and its subschemas that can fail (a property's name is not one, nor what
    an ``if`` holds: its failure only chooses ``then`` or ``else``)."""
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                yield key
                if key in ("properties", "patternProperties", "$defs", "dependentSchemas"):
                    stack.extend(value.values())
                elif not key.startswith("x-") and key not in ("if", "enum", "const", "examples", "default"):
                    stack.append(value)


def catalogue_codes() -> set[str]:
    """The codes the catalogue's data makes the validator report, computed from the schema files."""
    codes: set[str] = set()
    for name in loader.class_names():
        schema = loader.class_schema(name)
        codes |= {f"rule.{rule['x-rule']}" for rule in schema.get("allOf", ())}
        keywords = set(_keywords(schema)) | set(_keywords(json.loads((CATALOGUE / "common.schema.json")
                                                                      .read_text(encoding="utf-8"))))
        for keyword in keywords - NOT_ASSERTIONS:
            if keyword.startswith("x-"):
                continue
            assert keyword in SCHEMA_KEYWORDS, f"{name} uses {keyword}: classify it (asserting or not) here"
            code = keyword_code(keyword)
            if code:
                codes.add(code)
    return codes


# ------------------------------------------------------------------------------------------------ the source


def test_the_scan_finds_the_codes_of_every_kind_of_reporter(source_codes: dict[str, set[Path]]) -> None:
    for code in ("uscc.checksum", "input.too_long", "record.required", "record.unknown_field", "rule.date_in_future",
                 "exchange.sha256", "exchange.signature_invalid", "exchange.json", "catalogue.unknown_class",
                 "record.duplicate_key", "exchange.manifest"):
        assert code in source_codes, code
    for name, path in FILE_NAMES.items():
        assert path.is_file(), f"{name} is no longer a file of the project: remove it from FILE_NAMES"


def test_every_code_the_source_reports_is_registered(source_codes: dict[str, set[Path]]) -> None:
    missing = {code: sorted(path.name for path in paths)
               for code, paths in source_codes.items() if not is_registered(code)}
    assert not missing, f"register these codes in creditstd/codes_registry.py: {missing}"


def test_every_code_the_catalogue_makes_is_registered() -> None:
    codes = catalogue_codes()
    assert {"record.required", "record.enum", "rule.fine_needs_amount", "rule.natural_person_needs_id"} <= codes
    assert not {code for code in codes if not is_registered(code)}


def test_every_format_and_named_rule_of_the_catalogue_is_wired() -> None:
    formats, rules = set(), set()
    for name in loader.class_names():
        schema = loader.inlined_class_schema(name)
        stack: list[object] = [schema]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("format"), str):
                    formats.add(item["format"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        rules |= {spec["rule"] for spec in schema.get("x-rules", ())}
    assert formats - {"date-time"} <= set(FORMATS)  # date-time: annotation only, never checked in records
    assert rules <= set(RULES)


@pytest.mark.parametrize("class_name", loader.class_names())
def test_what_the_validator_reports_on_broken_records_is_registered(class_name: str) -> None:
    check = validator(class_name, strict=True)
    seen = set()
    for item in fake_records(class_name, 60, seed=11, error_rate=1.0):
        for error in check.iter_errors(item.record):
            assert isinstance(error, Finding) and error.path.startswith("$")
            seen.add(error.code)
    for record in ({"unknown": 1}, {"fine_amount": float("nan")}, [], {"x" * 300: "y"}):
        seen |= {error.code for error in check.iter_errors(record)}
    assert seen and not {code for code in seen if not is_registered(code)}


# ------------------------------------------------------------------------------------------------ the registry


def test_codes_are_well_formed_bilingual_and_never_quote_a_value() -> None:
    for code, entry in registry().items():
        assert entry.code == code and CODE.fullmatch(code), code
        assert entry.family in FAMILIES, f"{code}: give its family a title in FAMILIES"
        assert entry.zh and entry.en and entry.severity in ("error", "warning"), code
        assert all(part and part == part.strip() for part in entry.title), code


def test_exceptions_errors_is_the_registrys_table() -> None:
    assert list(ERRORS) == [code for code, entry in CODES.items() if entry.exception]
    for code, (cls, zh, en) in ERRORS.items():
        assert (cls.__name__, zh, en) == (CODES[code].exception, CODES[code].zh, CODES[code].en)
    assert type(make_error("uscc.checksum", 18, expected="3")).__name__ == "InvalidChecksum"


def test_findings_take_their_messages_from_the_registry() -> None:
    made = finding("exchange.count", path="$.records.count", location=Location(file="manifest.json"), count=1,
                   expected=2)
    assert (made.message_zh, made.message_en) == lookup("exchange.count").messages(count=1, expected=2)
    assert made.severity == lookup("exchange.count").severity
    with pytest.raises(KeyError):
        finding("exchange.no_such_code")


def test_the_catalogue_part_of_the_registry_comes_from_the_data() -> None:
    derived = {code for code, entry in registry().items() if entry.origin == "catalogue"}
    assert derived and all(code.startswith(("rule.", "record.")) for code in derived)
    assert derived | set(CODES) >= catalogue_codes()


def test_no_registered_code_is_dead(source_codes: dict[str, set[Path]]) -> None:
    """Warn-level: a static code nothing reports any more (it stays registered: codes are never reused)."""
    dead = sorted(code for code in CODES if code not in source_codes)
    if dead:
        warnings.warn(f"registered codes nothing reports: {dead}", stacklevel=1)


# ------------------------------------------------------------------------------------------------ the reference


@pytest.mark.parametrize("render", [render_markdown, render_html], ids=["markdown", "html"])
def test_the_generated_reference_lists_every_registered_code(render) -> None:
    pages = render()
    page = next(text for name, text in pages.items() if name.startswith("errors."))
    missing = [code for code in registry() if code not in page]
    assert not missing, f"not in the error codes page: {missing}"
    assert "exchange.signature_records" in page and "rule.fine_needs_amount" in page


def test_the_meta_validator_knows_every_keyword_classified_here() -> None:
    """SCHEMA_KEYWORDS and NOT_ASSERTIONS are Draft 2020-12 keywords (a typo would hide a keyword)."""
    known = set(Draft202012Validator.VALIDATORS) | {"$schema", "$id", "$defs", "$comment", "title", "description",
                                                    "examples", "default", "deprecated", "readOnly", "writeOnly",
                                                    "then", "else"}  # jsonschema checks these two within "if"
    assert not SCHEMA_KEYWORDS - known and not NOT_ASSERTIONS - known


# ------------------------------------------------------------------------------------------------ identifier kinds


def test_every_spelling_of_a_kind_in_use_resolves_through_the_one_resolver() -> None:
    from creditstd.cli.check import KINDS as CHECK_KINDS
    from creditstd.codes import ric
    from creditstd.codes.batch import KINDS as BATCH_KINDS
    from creditstd.codes.identify import FORMAT_KINDS, IdentifierKind, resolve_kind

    spellings = {*BATCH_KINDS, *CHECK_KINDS[1:], *FORMAT_KINDS, *(kind.value for kind in ric.Kind),
                 *(kind.value for kind in IdentifierKind)}
    assert all(isinstance(resolve_kind(name), IdentifierKind) for name in spellings)
    defs = json.loads((CATALOGUE / "common.schema.json").read_text(encoding="utf-8"))["$defs"]
    identifier_types = {name for name, schema in defs.items()
                        if "format" in json.dumps(schema) and any(f'"{fmt}"' in json.dumps(schema)
                                                                  for fmt in FORMAT_KINDS)}
    assert identifier_types == {"uscc", "uscc_or_placeholder", "orgcode", "regno", "citizen_id"}
    assert all(resolve_kind(name) for name in identifier_types)
    assert CHECK_KINDS == ["auto", "uscc", "ric", "orgcode", "regno"] and list(BATCH_KINDS) == CHECK_KINDS[1:]
    for name in ("nonsense", "", None, 3, "USCC", "11010519491231002X"):
        with pytest.raises(ValueError, match="unknown identifier kind") as caught:
            resolve_kind(name)
    assert "11010519491231002X" not in str(caught.value)  # never quoted: it may be a person's ID number


def test_each_kind_has_its_names_family_and_checker() -> None:
    from creditstd.codes import ric
    from creditstd.codes.identify import RIC_KINDS, IdentifierKind

    for kind in IdentifierKind:
        assert kind.zh and kind.en and kind.family.module is not None
        assert kind.personal == (kind.family is IdentifierKind.RIC)
        if kind.format and kind.module:
            assert FORMATS[kind.format] is kind.module.validate
    for ric_kind, kind in RIC_KINDS.items():
        assert (kind.zh, kind.en) == ric.KIND_NAMES[ric_kind] and kind.family is IdentifierKind.RIC
    assert IdentifierKind.MASKED_ID.module is None and FORMATS["masked-id"]("110105********002X") == (
        "110105********002X")


def test_aliases_in_batch_and_verdict() -> None:
    from creditstd import validate_batch
    from creditstd.codes.identify import IdentifierKind, identify
    from creditstd.codes.verdict import check

    values = ["11010519491231002X", "110105491231002", "110105194912310021", "x"]
    assert (validate_batch(values, "citizen_id").errors == validate_batch(values, "citizen-id").errors
            == validate_batch(values, "ric").errors == validate_batch(values, IdentifierKind.RIC).errors)
    with pytest.raises(ValueError):
        validate_batch(values, "masked_id")
    assert check("11010519491231002X", kind="citizen-id").kind == "citizen_id"
    assert [(error.kind, error.code) for error in check("110105194912310021", kind="ric").errors] == [
        ("ric", "ric.checksum")]
    assert check("hello").errors[0].kind is None  # matches no kind
    samples = ["91350100M000100Y43", "11010519491231002X", "110105491231002", "19220382-1", "110105********002X"]
    assert all(kind is not IdentifierKind.RIC for sample in samples for kind in identify(sample))

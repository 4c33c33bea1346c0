"""Validate records against their class: every error, with its path, stable code and bilingual message.

:func:`validator` returns a compiled, cached :class:`RecordValidator` per
class (and strictness).  ``iter_errors(record)`` yields every problem lazily
as a :class:`~creditstd.findings.Finding` (``path``, ``field``,
``field_code``, ``code``, ``message_zh``, ``message_en``, ``position``, and
``kind`` for an identifier field); the JSON Schema does the structure, types,
code tables and conditional requirements, the identifier library checks every
custom format (always), and the class's named rules do the rest.  Every code
is registered in :mod:`creditstd.codes_registry` (a failing JSON Schema
keyword reports ``record.<keyword>``, a class's conditional rule
``rule.<x-rule>``).

Messages never quote the value, so they are safe to log for personal fields.

Before the schema, every value of the record, in known fields and unknown
ones, at any depth, is checked for what JSON cannot carry or a receiver must
not have to hold (:mod:`creditstd.records.jsonline`): a number that is not
finite (``record.not_finite``: NaN and infinity pass ``minimum`` and are
written as ``NaN``, which other JSON parsers refuse), a number a double
cannot hold as written (``record.inexact_number``: it would be written
rounded), a string or key with a
lone surrogate (``record.invalid_text``: it cannot be written as UTF-8), a
string longer than :data:`~creditstd.records.jsonline.MAX_STRING_LENGTH` or
a key longer than :data:`~creditstd.records.jsonline.MAX_KEY_LENGTH`
(``record.too_long``), nesting deeper than
:data:`~creditstd.records.jsonline.MAX_DEPTH` (``record.too_deep``; the
schema is then not applied).  Keys are shown in paths and messages with
control characters and surrogates escaped, cut to 64 characters.

>>> check = validator('administrative_penalty')
>>> record = {'subject_name': '某某公司', 'subject_category': '法人及非法人组织', 'uscc': '91350100M000100Y4Z'}
>>> errors = list(check.iter_errors(record))
>>> [(error.path, error.code) for error in errors if error.field == 'uscc']
[('$.uscc', 'uscc.checksum')]
>>> sorted({error.code for error in errors})[:3]
['record.required', 'rule.legal_person_needs_uscc', 'uscc.checksum']
>>> [(error.path, error.code) for error in check.iter_errors({**record, 'fine_amount': float('nan')})][:1]
[('$.fine_amount', 'record.not_finite')]
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator

from creditstd.codes.identify import format_kind
from creditstd.codes_registry import keyword_entry, lookup
from creditstd.exceptions import ValidationError
from creditstd.findings import Finding, finding
from creditstd.records import loader
from creditstd.records.formats import format_checker
from creditstd.records.jsonline import ValueProblem, json_path, messages, printable, scan
from creditstd.records.masking import mask_person_name
from creditstd.records.model import RecordClass, record_class
from creditstd.records.rules import RULES

__all__ = ["RECORD_CODES", "RecordError", "RecordValidator", "validator"]

#: The name record errors had before every reporter yielded a :class:`~creditstd.findings.Finding`;
#: kept for ``creditstd.catalogue.RecordError``.
RecordError = Finding

#: Codes the validator reports for values no record may hold, whatever its class: code -> (zh, en), from the
#: registry (:mod:`creditstd.codes_registry`, which lists every code).
RECORD_CODES: dict[str, tuple[str, str]] = {
    code: messages(code) for code in ("record.not_finite", "record.inexact_number", "record.invalid_text",
                                      "record.too_long", "record.too_deep")
}


#: How many field values a validator remembers the findings of.
_VALUE_CACHE = 4_096

#: Top-level schema keywords that only describe (nothing to check).
_SCHEMA_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "$defs"})


def _expected(error: jsonschema.ValidationError) -> str:
    value = error.validator_value
    if isinstance(value, list):
        shown = "、".join(str(item) for item in value[:14])
        return shown + ("…" if len(value) > 14 else "")
    return str(value)


_ABSENT = object()


def conditional_reads(conditional: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The fields a conditional's ``if`` and ``then`` constrain by value, and those they require; None when
    they use keywords other than ``properties`` and ``required`` (then its findings are not remembered)."""
    constrained: list[str] = []
    required: list[str] = []
    for clause in (conditional.get("if", {}), conditional.get("then", {})):
        if not isinstance(clause, Mapping) or set(clause) - {"properties", "required"}:
            return None
        constrained += list(clause.get("properties", {}))
        required += list(clause.get("required", ()))
    return tuple(dict.fromkeys(constrained)), tuple(dict.fromkeys(required))


class RecordValidator:
    """A compiled validator for one record class."""

    def __init__(self, record_class: RecordClass, strict: bool = False) -> None:
        self.record_class = record_class
        self.strict = strict
        schema = loader.inlined_class_schema(record_class.name)
        checker = format_checker(strict)

        def compiled(part: dict[str, Any]) -> Draft202012Validator:
            return Draft202012Validator(part, registry=loader.registry(), format_checker=checker)

        # The class schema, one validator per top-level keyword in the schema's order and one per field of
        # ``properties``: together they report exactly what one validator of the whole schema reports (each
        # keyword of JSON Schema is checked on its own), and a caller that knows some parts cannot fail (the
        # compiled plan's column pass) runs only the others.
        self._parts: list[tuple[str, Draft202012Validator | dict[str, Draft202012Validator]
                                | list[Draft202012Validator] | tuple[str, ...]]] = []
        #: Findings of a field's own schema per (field, type, value) seen: a column of exports repeats its
        #: values (bounded; cleared when full).
        self._value_findings: dict[tuple[str, type, Any], tuple[Finding, ...]] = {}
        #: Findings of a conditional per what they depend on (see _conditional_token; bounded likewise).
        self._conditional_findings: dict[tuple[Any, ...], tuple[Finding, ...]] = {}
        self._conditional_reads = [conditional_reads(conditional) for conditional in record_class.conditionals]
        self._fields: dict[str, Draft202012Validator] = {}
        self._conditional_checks: list[Draft202012Validator] = []
        for keyword, value in schema.items():
            if keyword in _SCHEMA_ANNOTATIONS or keyword.startswith("x-"):
                continue
            if keyword == "required":  # checked directly: the keys a record lacks
                self._parts.append((keyword, tuple(value)))
            elif keyword == "additionalProperties" and value is False and "patternProperties" not in schema:
                self._parts.append((keyword, ()))  # checked directly: the keys the class does not have
            elif keyword == "properties":
                self._fields = {key: compiled({"properties": {key: spec}}) for key, spec in value.items()}
                self._parts.append((keyword, self._fields))
            elif keyword == "allOf":  # the conditionals, one validator each: a caller may run only some
                self._conditional_checks = [compiled(item) for item in value]
                self._parts.append((keyword, self._conditional_checks))
            else:
                self._parts.append((keyword, compiled({keyword: value})))

    def _field(self, key: str | None) -> tuple[str, str | None, str, str]:
        """(label_zh, national code, key for English, ...) of a field, tolerant of unknown keys."""
        spec = self.record_class.fields.get(key) if key else None
        if spec is None:
            shown = printable(key) if key else None
            return (shown or "记录", None, shown or "record", "")
        return (spec.label, spec.code, spec.key, spec.en)

    def _error(self, parts: Any, code: str, zh: str, en: str, position: int | None = None,
               kind: str | None = None) -> Finding:
        field = next((part for part in parts if isinstance(part, str)), None)
        label, national, key, _ = self._field(field)
        if field is not None and field not in self.record_class.fields:
            field = printable(field)
        return Finding(code, f"字段“{label}”{zh}", f"field {key}" + (f" ({national})" if national else "") + f" {en}",
                       json_path(parts), field, national, kind, position)

    def _conditional(self, error: jsonschema.ValidationError, index: int | None) -> dict[str, Any] | None:
        """The allOf conditional (with its x-rule) an error comes from, if any: found in the error's schema
        path, or ``index`` for an error of the conditional's own validator."""
        path = list(error.schema_path)
        if index is not None:
            return self.record_class.conditionals[index] if path[:1] == ["then"] else None
        if len(path) >= 3 and path[0] == "allOf" and path[2] == "then":
            return self.record_class.conditionals[path[1]]
        return None

    def _problem(self, problem: ValueProblem) -> Finding:
        """The finding of a value JSON cannot carry (see :func:`~creditstd.records.jsonline.scan`)."""
        zh, en = messages(problem.code)
        return self._error(problem.parts, problem.code, f"：{zh}", f": {en}")

    def _missing(self, parts: list[Any], keys: Iterable[str],
                 conditional: Mapping[str, Any] | None) -> Iterator[Finding]:
        """The findings of required fields ``keys`` that are absent (required by ``conditional``, if given)."""
        for missing in keys:
            if conditional:
                code = f"rule.{conditional['x-rule']}"
                zh, en = conditional["x-message-zh"], conditional["x-message-en"]
                yield self._error([*parts, missing], code, f"必填：{zh}", f"is required: {en}")
            else:
                yield self._error([*parts, missing], "record.required", *lookup("record.required").messages())

    def _unknown(self, parts: list[Any], instance: Iterable[Any], schema: Any = None) -> Iterator[Finding]:
        """The findings of the keys of ``instance`` the class does not have, or, inside a field's value (an
        object of ``responsible_persons``), that its ``schema`` does not list: filed under that field, the key
        shown as a person's name is when the field is personal (a name typed as a key)."""
        fields = self.record_class.fields
        known = fields if not parts else schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        top = fields.get(parts[0]) if parts and isinstance(parts[0], str) else None
        personal = top is not None and top.is_personal
        for extra in (key for key in instance if key not in known):
            shown = mask_person_name(printable(str(extra))) if personal else printable(str(extra))
            yield finding("record.unknown_field", path=json_path([*parts, shown if personal else extra]),
                          field=top.key if top else shown, name=shown)

    def _value_errors(self, key: str, record: Mapping[str, Any]) -> tuple[Finding, ...]:
        """What the schema of field ``key`` finds in its value in ``record``, remembered per value."""
        value = record[key]
        token = (key, type(value), value) if isinstance(value, (str, int, float)) else None
        found = self._value_findings.get(token) if token is not None else None
        if found is None:
            check = self._fields[key]
            found = tuple(error for schema_error in check.iter_errors({key: value})
                          for error in self._from_schema(schema_error, record))
            if token is not None:
                if len(self._value_findings) >= _VALUE_CACHE:
                    self._value_findings.clear()
                self._value_findings[token] = found
        return found

    def _from_schema(self, error: jsonschema.ValidationError, record: Mapping[str, Any],
                     index: int | None = None) -> Iterator[Finding]:
        """The findings of one JSON Schema error (of the whole class schema, or of the conditional at index
        ``index`` checked on its own)."""
        parts = list(error.absolute_path)
        keyword = error.validator
        if keyword in ("anyOf", "oneOf") and error.context:
            formats = [sub for sub in error.context if sub.validator == "format"]
            if formats:
                error, keyword = formats[0], "format"
        if keyword == "format" and isinstance(error.cause, ValidationError):
            cause = error.cause
            kind = format_kind(error.validator_value)
            yield self._error(parts, cause.code, f"：{cause.message_zh}", f": {cause.message_en}", cause.position,
                              kind.value if kind else None)
            return
        if keyword == "required":
            instance = error.instance if isinstance(error.instance, Mapping) else {}
            yield from self._missing(parts, [key for key in error.validator_value if key not in instance],
                                     self._conditional(error, index))
            return
        if keyword == "additionalProperties":
            yield from self._unknown(parts, error.instance, error.schema)
            return
        entry = keyword_entry(keyword)
        zh, en = entry.messages(expected=_expected(error))
        conditional = self._conditional(error, index)
        if conditional:  # a value a conditional rule constrains (a grade of the tax scheme...): name the rule
            why_zh, why_en = conditional["x-message-zh"], conditional["x-message-en"]
            yield self._error(parts, f"rule.{conditional['x-rule']}", f"{zh}（{why_zh}）", f"{en} ({why_en})")
            return
        own = error.schema if isinstance(error.schema, Mapping) else {}
        if "x-message-zh" in own and "x-message-en" in own:  # the schema says what it allows (a code table's forms)
            zh, en = own["x-message-zh"], own["x-message-en"]
        yield self._error(parts, entry.code, zh, en)

    def iter_errors(self, record: Any, *, today: date | None = None) -> Iterator[Finding]:
        """Yield every problem of ``record``; schema problems first, then the class's named rules."""
        return self.errors_in(record, today=today)

    def errors_in(self, record: Any, *, today: date | None = None, fields: Collection[str] | None = None,
                  conditionals: bool | Collection[int] = True,
                  rules: Collection[int] | None = None) -> Iterator[Finding]:
        """:meth:`iter_errors` restricted to some parts of the class: the values of ``fields`` only (all when
        None), the conditional requirements (all, none, or those at the indexes ``conditionals``), the named
        rules at the indexes ``rules`` (all when None).

        The required fields are always checked, and so are the values JSON cannot carry (not finite, lone
        surrogate, over-long) of the fields checked.  What a part reports does not depend on the others, so the
        findings of the parts run are exactly those :meth:`iter_errors` reports for them.
        """
        if not isinstance(record, Mapping):
            yield Finding("record.type", "记录应为对象", "a record must be an object")
            return
        too_deep = False
        for problem in scan(record if fields is None else {key: record[key] for key in fields if key in record},
                            integers=True):
            yield self._problem(problem)
            too_deep = too_deep or problem.code == "record.too_deep"
        if too_deep:  # the schema would recurse into it: stop here
            return
        seen: set[tuple[str, str]] = set()
        for keyword, part in self._parts:
            for error in self._part_errors(keyword, part, record, fields, conditionals):
                if (error.path, error.code) not in seen:  # a field required twice is reported once
                    seen.add((error.path, error.code))
                    yield error
        yield from self.rule_errors(record, [index for index in range(len(self.record_class.rules))
                                             if rules is None or index in rules], today or date.today())

    # -- the parts of errors_in, one by one: for a caller that knows which parts may fail (the compiled plan) --

    def missing_errors(self, keys: Iterable[str]) -> tuple[Finding, ...]:
        """What :meth:`errors_in` reports for required fields ``keys`` a record lacks."""
        return tuple(self._missing([], keys, None))

    def field_errors(self, key: str, value: Any) -> tuple[Finding, ...]:
        """What :meth:`errors_in` reports about field ``key`` holding ``value`` (in a record with no value
        nested too deep): the problems JSON cannot carry, then what the field's schema finds (remembered per
        value; the same (path, code) is reported once)."""
        record = {key: value}
        problems = [self._problem(problem) for problem in scan(record, integers=True)]
        if any(problem.code == "record.too_deep" for problem in problems):
            return tuple(problems)
        seen: set[tuple[str, str]] = set()
        for error in self._value_errors(key, record):
            if (error.path, error.code) not in seen:
                seen.add((error.path, error.code))
                problems.append(error)
        return tuple(problems)

    def conditional_errors(self, record: Mapping[str, Any], indexes: Iterable[int]) -> list[Finding]:
        """What :meth:`errors_in` reports for the class's conditionals at ``indexes`` (before removing the
        findings other parts made on the same path with the same code)."""
        checks = self._conditional_checks
        found: list[Finding] = []
        for index in indexes:
            token = self._conditional_token(index, record)
            known = self._conditional_findings.get(token) if token is not None else None
            if known is None:
                known = tuple(error for schema_error in checks[index].iter_errors(record)
                              for error in self._from_schema(schema_error, record, index))
                if token is not None:
                    if len(self._conditional_findings) >= _VALUE_CACHE:
                        self._conditional_findings.clear()
                    self._conditional_findings[token] = known
            found.extend(known)
        return found

    def _conditional_token(self, index: int, record: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """What the findings of conditional ``index`` on ``record`` depend on: the values of the fields its
        ``if`` and ``then`` constrain and whether the fields they require are present (None when it uses
        other keywords, or a value is neither a plain scalar nor a list of them)."""
        reads = self._conditional_reads[index]
        if reads is None:
            return None
        constrained, required = reads
        values: list[tuple[type, Any]] = []
        for key in constrained:
            value = record.get(key, _ABSENT)
            if isinstance(value, list):  # an array field (penalty_types): its items, each with its type
                if not all(item is None or isinstance(item, (str, int, float)) for item in value):
                    return None
                values.append((list, tuple((type(item), item) for item in value)))
                continue
            if not (value is _ABSENT or value is None or isinstance(value, (str, int, float))):
                return None
            values.append((type(value), value))
        return (index, tuple(values), tuple(key in record for key in required))

    def rule_errors(self, record: Mapping[str, Any], indexes: Iterable[int], today: date) -> list[Finding]:
        """What :meth:`errors_in` reports for the class's named rules at ``indexes``."""
        specs = self.record_class.rules
        return [self._error([field], code, zh, en) for index in indexes
                for field, code, zh, en in RULES[specs[index]["rule"]](record, specs[index], today)]

    def _part_errors(self, keyword: str, part: Any, record: Mapping[str, Any], fields: Collection[str] | None,
                     conditionals: bool | Collection[int]) -> Iterator[Finding]:
        """The findings of one top-level keyword of the class schema (see :meth:`errors_in`)."""
        if keyword == "required" and isinstance(part, tuple):
            yield from self.missing_errors(key for key in part if key not in record)
        elif keyword == "additionalProperties" and isinstance(part, tuple):
            yield from self._unknown([], record)
        elif isinstance(part, dict):
            for key in part:
                if (fields is None or key in fields) and key in record:
                    yield from self._value_errors(key, record)
        elif isinstance(part, list):
            yield from self.conditional_errors(record, [index for index in range(len(part)) if conditionals is True
                                                        or (conditionals is not False and index in conditionals)])
        else:
            for schema_error in part.iter_errors(record):
                yield from self._from_schema(schema_error, record)

    def is_valid(self, record: Any) -> bool:
        """True when ``record`` has no error at all."""
        return next(self.iter_errors(record), None) is None


@functools.cache
def validator(class_name: str, strict: bool = False) -> RecordValidator:
    """The compiled validator of ``class_name``, cached; ``strict`` applies the identifiers' strict checks."""
    return RecordValidator(record_class(class_name), strict)

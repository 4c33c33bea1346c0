"""The public form of a record: shown only while it may be shown, nothing personal leaked.

:func:`for_publication` first asks whether the record is displayed on the
given day (:func:`creditstd.records.publication.lifecycle`, with the related
objections and credit repairs); when it is not, there is no public form and
it returns ``None``.  Otherwise it returns :func:`public_fields`: the fields
whose openness is ``public``, each field's masking rule (``x-mask``) applied,
then every string scanned for personal numbers.

One rule decides ``None``: the record must not be shown.  That is the case
when its class is not public (objections, credit repairs, contract
performance... publish nothing), when it is not a JSON object, and when its
display status on ``on`` is ``not_published``, ``pending``, ``expired`` or
``repaired`` (:attr:`~creditstd.records.publication.Lifecycle.displayed`).  A record under objection (``objected``)
stays displayed while its window is open: information under objection is
marked, not removed.

The field rules:

* ``id_number``: the number's publication form (:func:`creditstd.ric.mask`:
  first 6 and last 4 kept by default);
* ``person_name``: the first character kept, the rest ``*``;
* ``drop``: the field is left out; ``none``: kept as is.

Then the scan: every string published, in every field (free text such as
``violation_facts`` and ``remarks``, names, identifiers), at any depth of lists
and objects, object keys included, goes through
:func:`creditstd.codes.redact.redact_personal`: ID numbers of every kind (18
and 15 digits, residence permits, the foreigner PR ID), travel permits,
passports and mobile numbers, with or without separators, full width or not,
valid or mistyped, are masked; a legal person's USCC, dates, sums and decision
numbers stay (that module gives the rules and their limits).

A masking rule applies to whatever JSON value the field holds, not only to
text (a record from outside may hold an ID number as a number, or a list of
them): a string is masked; a number is masked as its decimal text and
published as that masked text (a number that has no plain decimal form,
NaN, infinity or an integer too long to print, becomes ``*``), or kept a
number when masking leaves its text as it was (an amount passes the scan
unchanged); a list is masked item by item and an object key by key and value
by value, at any depth (keys too: an object keyed by ID numbers leaks
nothing); ``true``, ``false`` and ``null`` say nothing about a person and pass
unchanged.

A rule with ``when_subject`` is skipped only when the record's subject
category (spaces stripped, vendor aliases such as ``02`` resolved) is
positively a known category the rule does not name: a company's name is not
masked, a natural person's is, and so is a name whose category is missing or
unrecognised (when in doubt, mask).  The scan applies to a company's fields
too.

A field's effective openness is the stricter of its own and its class's
(``public`` < ``conditional`` < ``government_sharing``).  Unknown fields are
dropped: a field the catalogue does not describe has no openness, so it is
not public.

>>> from datetime import date
>>> record = {'subject_name': '张三丰', 'subject_category': '自然人', 'id_type': '身份证',
...           'id_number': '11010519491231002X', 'decision_number': '京市监罚〔2024〕1号',
...           'penalty_types': ['罚款'], 'fine_amount': 0.5, 'decision_date': '2024-03-15',
...           'violation_facts': '当事人张三丰（身份证号110105 19491231 002X）无证经营',
...           'legal_representative_id_number': '11010519491231002X', 'internal_note': 'x'}
>>> public = for_publication(record, 'administrative_penalty', on=date(2025, 3, 1), rule_set='ndrc-2019-527')
>>> public['subject_name'], public['id_number'], public['decision_number']
('张**', '110105********002X', '京市监罚〔2024〕1号')
>>> public['violation_facts']
'当事人张三丰（身份证号110105 ******** 002X）无证经营'
>>> 'legal_representative_id_number' in public, 'internal_note' in public
(False, False)
>>> print(for_publication(record, 'administrative_penalty', on=date(2025, 3, 15), rule_set='ndrc-2019-527'))
None
>>> public_fields({'id_number': [110105194912310021, {'11010519491231002X': None}]},
...               'administrative_penalty')['id_number']
['110105********0021', {'110105********002X': None}]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from creditstd.codes import ric
from creditstd.codes._text import compact
from creditstd.codes.names import looks_like_person_name, mask_person_name
from creditstd.codes.redact import redact_personal
from creditstd.exceptions import ValidationError
from creditstd.records import loader
from creditstd.records.model import Field, record_class
from creditstd.records.publication import lifecycle

__all__ = ["MASKS", "OPENNESS", "effective_openness", "for_publication", "looks_like_person_name", "mask_applies",
           "mask_person_name", "mask_shown_value", "mask_value", "public_fields", "scan_value"]


def mask_shown_value(field: Field | None, text: str) -> str:
    """A personal field's cell as a report may show it: a cell of an ID number field shaped like a citizen ID
    number (15 digits, or 17 and a digit or X, separators aside) in its publication form
    (:func:`creditstd.ric.mask`), anything else (a name, a passport or permit number, a number with a name
    typed after it) to its first character.

    >>> fields = record_class('administrative_penalty').fields
    >>> mask_shown_value(fields['id_number'], '11010519491231002X'), mask_shown_value(fields['subject_name'], '张三')
    ('110105********002X', '张*')
    >>> mask_shown_value(fields['id_number'], 'H1234567890'), mask_shown_value(fields['id_number'], '110105 李四')
    ('H**********', '1********')
    """
    rule = (field.mask or {}).get("rule") if field is not None else None
    if rule == "id_number" or (field is not None and field.kind in ("id_number", "citizen_id")):
        try:
            shaped = _ID_SHAPE.fullmatch(compact(text)) is not None
        except ValidationError:
            shaped = False
        if shaped:
            return ric.mask(text)
    return mask_person_name(text)


#: A citizen ID number's shape (GB 11643: 17 digits and a check character; the old 15 digits).
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]|[0-9]{15}")


def _decimal_text(number: int | float) -> str | None:
    """The plain decimal text of a number (no exponent), or None when it has none (NaN, inf, too long)."""
    try:
        if isinstance(number, int):
            return str(number)
        text = format(Decimal(repr(number)), "f")
    except ValueError:  # an int of more than 4300 digits (Python's conversion limit)
        return None
    return text if text[-1:].isdigit() else None  # 'NaN', 'Infinity'


def mask_value(value: Any, mask: Callable[[str], str], _depth: int = 0) -> Any:
    """Apply ``mask`` (a function on text) to any JSON value: see the module's docstring.

    Iterates no deeper than 64 levels; anything deeper is replaced by ``'*'`` whole.

    >>> mask_value([1234567, 'abc', True, None, {'k': 1.5}], lambda text: '#' * len(text))
    ['#######', '###', True, None, {'#': '###'}]
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, (int, float)):
        text = _decimal_text(value)
        if text is None:
            return "*"
        masked = mask(text)
        return value if masked == text else masked
    if _depth >= 64:
        return "*"
    if isinstance(value, Mapping):
        return {(mask_value(key, mask) if isinstance(key, (str, int, float)) else "*"):
                mask_value(item, mask, _depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_value(item, mask, _depth + 1) for item in value]
    return "*"  # not a JSON value: publish nothing of it


def _mask_id(text: str) -> str:
    return ric.mask(text)


#: Masking rule -> function on the value (``drop`` is handled by leaving the field out).
MASKS: dict[str, Callable[[Any], Any]] = {
    "id_number": lambda value: mask_value(value, _mask_id),
    "person_name": lambda value: mask_value(value, mask_person_name),
    "none": lambda value: value,
}


#: Openness levels from the most to the least open.
OPENNESS = ("public", "conditional", "government_sharing")


def effective_openness(class_openness: str, field_openness: str) -> str:
    """The stricter of a class's and a field's openness.

    >>> effective_openness('government_sharing', 'public'), effective_openness('public', 'conditional')
    ('government_sharing', 'conditional')
    """
    return max(class_openness, field_openness, key=OPENNESS.index)


@functools.cache
def _subject_categories() -> dict[str, str]:
    """Known subject category spellings (Chinese name, code, vendor aliases) -> the Chinese name."""
    known: dict[str, str] = {}
    for value in loader.taxonomy()["code_tables"]["subject_category"]["values"]:
        for spelling in (value["zh"], value["code"], *value.get("aliases", ())):
            known[spelling] = value["zh"]
    return known


def mask_applies(mask: Mapping[str, Any], subject: Any) -> bool:
    """Whether a ``when_subject`` rule applies: unless the category is positively one it does not name."""
    if "when_subject" not in mask:
        return True
    category = _subject_categories().get(subject.strip()) if isinstance(subject, str) else None
    return category is None or category in mask["when_subject"]


def scan_value(value: Any) -> Any:
    """Mask every personal number in the strings of any JSON value (:func:`~creditstd.codes.redact.redact_personal`).

    >>> scan_value({'备注': ['电话13800138000', 5000], '110105194912310021': True})
    {'备注': ['电话138****8000', 5000], '110105********0021': True}
    """
    return mask_value(value, redact_personal)


def public_fields(record: Mapping[str, Any], class_name: str) -> dict[str, Any]:
    """The public fields of ``record``, masking rules applied and every string scanned, whether or not the
    record is displayed (:func:`for_publication` asks that first).

    A class that is not public, or anything that is not a mapping, gives ``{}``.
    """
    cls = record_class(class_name)
    class_openness = cls.classification["openness"]
    if class_openness != "public" or not isinstance(record, Mapping):
        return {}
    category_field = cls.field_by_role("subject_category")
    subject = record.get(category_field.key) if category_field else None
    public: dict[str, Any] = {}
    for key, value in record.items():
        spec = cls.fields.get(key)
        if spec is None or effective_openness(class_openness, spec.openness) != "public":
            continue
        mask = spec.mask or {"rule": "none"}
        if not mask_applies(mask, subject):
            public[key] = scan_value(value)
        elif mask["rule"] != "drop":
            public[key] = scan_value(MASKS[mask["rule"]](value))
    return public


def for_publication(record: Mapping[str, Any], class_name: str, *, on: date | None = None, related: Any = (),
                    record_id: str | None = None, rule_set: str | None = None,
                    parameters: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The public form of ``record`` on ``on`` (default today), or ``None`` when it must not be shown.

    ``related``, ``record_id``, ``rule_set`` and ``parameters`` are passed to
    :func:`~creditstd.records.publication.lifecycle`: objections and credit
    repairs referring to ``record_id`` act on the display status.  ``None``
    when the class is not public, the record is not a mapping, or its status
    is not shown (:attr:`~creditstd.records.publication.Lifecycle.displayed`);
    otherwise :func:`public_fields`.
    """
    if record_class(class_name).classification["openness"] != "public" or not isinstance(record, Mapping):
        return None
    state = lifecycle(record, class_name, record_id=record_id, related=related, on=on, rule_set=rule_set,
                      parameters=parameters)
    return public_fields(record, class_name) if state.displayed else None

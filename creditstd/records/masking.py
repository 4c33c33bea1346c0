"""The public form of a record: openness and masking rules applied, nothing personal leaked.

:func:`for_publication` keeps only the fields whose openness is ``public``
and applies each field's masking rule (``x-mask``):

* ``id_number``: the number's publication form (:func:`creditstd.ric.mask`:
  first 6 and last 4 kept by default);
* ``person_name``: the first character kept, the rest ``*`` — applied only
  when the record's subject category is one the rule names (a company's name
  is not masked, a natural person's is);
* ``drop``: the field is left out; ``none``: kept as is.

Unknown fields are dropped: a field the catalogue does not describe has no
openness, so it is not public.

>>> record = {'subject_name': '张三丰', 'subject_category': '自然人', 'id_type': '身份证',
...           'id_number': '11010519491231002X', 'decision_number': '京市监罚〔2024〕1号',
...           'legal_representative_id_number': '11010519491231002X', 'internal_note': 'x'}
>>> public = for_publication(record, 'administrative_penalty')
>>> public['subject_name'], public['id_number']
('张**', '110105********002X')
>>> 'legal_representative_id_number' in public, 'internal_note' in public
(False, False)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from creditstd.codes import ric
from creditstd.records.model import record_class

__all__ = ["MASKS", "for_publication", "mask_person_name"]


def mask_person_name(name: str) -> str:
    """Keep the first character of a natural person's name.

    >>> mask_person_name('欧阳娜娜'), mask_person_name('李')
    ('欧***', '*')
    """
    return "*" * len(name) if len(name) < 2 else name[0] + "*" * (len(name) - 1)


#: Masking rule -> function on the value (``drop`` is handled by leaving the field out).
MASKS: dict[str, Callable[[Any], Any]] = {
    "id_number": lambda value: ric.mask(value) if isinstance(value, str) else value,
    "person_name": lambda value: mask_person_name(value) if isinstance(value, str) else value,
    "none": lambda value: value,
}


def for_publication(record: Mapping[str, Any], class_name: str) -> dict[str, Any]:
    """Return the publishable form of ``record``: public fields only, masking rules applied."""
    cls = record_class(class_name)
    category_field = cls.field_by_role("subject_category")
    subject = record.get(category_field.key) if category_field else None
    public: dict[str, Any] = {}
    for key, value in record.items():
        spec = cls.fields.get(key)
        if spec is None or spec.openness != "public":
            continue
        mask = spec.mask or {"rule": "none"}
        applies = "when_subject" not in mask or subject in mask["when_subject"]
        if not applies:
            public[key] = value
        elif mask["rule"] != "drop":
            public[key] = MASKS[mask["rule"]](value)
    return public

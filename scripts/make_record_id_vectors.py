"""Regenerate ``docs/record-id-vectors.json``: test vectors of exchange record ids (format 2.0).

Run from the repository root::

    python scripts/make_record_id_vectors.py

Each vector gives a record's identity fields as a sender may write them (``data``), the identity as
:func:`creditstd.records.exchange.identity` normalises it, its RFC 8785 canonical JSON (``canonical``,
the UUIDv5 name) and the record id.  ``tests/test_record_id_vectors.py`` recomputes every vector with
the package and, where Node.js is installed, with an independent JavaScript implementation of the
specification in ``docs/exchange-format.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from creditstd.codes.identify import find_kind
from creditstd.records.canonical_json import canonical_json
from creditstd.records.exchange import NAMESPACE, identity, record_id
from creditstd.records.model import record_class

OUT = Path(__file__).resolve().parent.parent / "docs" / "record-id-vectors.json"

#: (what the vector shows, class, the identity fields as sent)
CASES: list[tuple[str, str, dict[str, object]]] = [
    ("one text field", "objection", {"objection_number": "YY-1"}),
    ("text stripped of white space at both ends (the ideographic space too), inner spaces kept", "objection",
     {"objection_number": "\u3000 榕市 异〔2024〕1号 \t"}),
    ("a USCC in compact form: separators dropped, full-width folded (NFKC), upper case", "administrative_penalty",
     {"authority_uscc": "１１３５ 0100-mad18ygf27", "decision_number": "榕市监罚〔2024〕12号",
      "subject_name": "福州某某科技有限公司"}),
    ("an absent field and blank text are both null", "administrative_penalty",
     {"authority_uscc": "11350100MAD18YGF27", "decision_number": "  ", "subject_name": None}),
    ("escapes: quote, backslash, a control character; a character outside the BMP written as itself",
     "administrative_penalty",
     {"authority_uscc": "11350100MAD18YGF27", "decision_number": "罚\"2024\"\\1\u0001号",
      "subject_name": "𠀀𠀁商行"}),
    ("a number stays a number (2024.0 and 2024 are one JSON number)", "credit_rating",
     {"scheme": "tax", "authority_uscc": "11350100MAD18YGF27", "subject_name": "某公司", "evaluation_year": 2024.0}),
    ("a date field is text", "honour",
     {"authority_uscc": "11350100MAD18YGF27", "honour_name": "守合同重信用企业", "subject_name": "某公司",
      "award_date": "2024-05-01"}),
    ("an identifier too long to be one is compared as text (stripped)", "registration_basic",
     {"uscc": " " + "9" * 130 + " "}),
]


def main() -> int:
    vectors = []
    for note, class_name, data in CASES:
        fields = record_class(class_name).fields
        identifiers = [key for key in record_class(class_name).identity if find_kind(fields[key].kind) is not None]
        vectors.append({
            "note": note, "class": class_name, "identity_fields": list(record_class(class_name).identity),
            "identifier_fields": identifiers, "data": data, "identity": identity(data, class_name),
            "canonical": canonical_json({"class": class_name, "identity": identity(data, class_name)}).decode(),
            "record_id": record_id(data, class_name),
        })
    document = {"format_version": "2.0", "namespace": str(NAMESPACE), "vectors": vectors}
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(OUT.parent.parent)}: {len(vectors)} vectors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The value of one field of a fake record: by role, then by name, format, code table and type.

A field's role answers first (the subject's own fields, document numbers,
penalty types, the sector); then its name (a violation's facts and basis, a
licence number, a list's reason, an address, a phone number); then its format
(a USCC, a citizen ID, a region code); then its code table, and last its JSON
type or pattern.  Texts are cut to the field's ``maxLength``.

>>> from datetime import date
>>> from creditstd.records.fake._draft import Draft
>>> from creditstd.records.fake._generator import Generator
>>> generator = Generator("administrative_penalty", 3, date(2026, 6, 30))
>>> draft = Draft(generator)
>>> generator.value("penalty_content", draft).startswith("对当事人作出如下行政处罚：")
True
>>> set(generator.value("penalty_types", draft)) <= {"警告", "通报批评", "罚款", "没收违法所得", "没收非法财物",
...                                                 "暂扣许可证件", "吊销许可证件", "责令停产停业", "责令关闭",
...                                                 "限制开展生产经营活动", "限制从业", "行政拘留", "其他"}
True
>>> _yuan(1.5), _fit("一二三四", {"maxLength": 2})
('15000', '一二')
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from creditstd.codes import orgcode, regions, regno, ric, uscc
from creditstd.records import loader
from creditstd.records.fake._domain import (
    DEPT_ABBR,
    KEYWORD_TEXTS,
    LISTS,
    PROVINCE_ABBR,
    RESULTS,
    TEXTS,
    county_name,
    short_name,
)
from creditstd.records.fake._parties import Parties
from creditstd.records.fake._plan import enum_of, formats_of, from_pattern, resolve
from creditstd.records.model import record_class

if TYPE_CHECKING:
    from creditstd.records.fake._draft import Draft

#: Roles of the subject's own fields; the subject profile answers them.
_SUBJECT_ROLES = ("subject_name", "subject_category", "uscc", "orgcode", "regno", "id_type", "id_number")


class FieldValues(Parties):
    """Makes the value of any field of the class, given the record being made (a base of the generator)."""

    def value(self, key: str, draft: Draft) -> Any:
        """The value of field ``key``: by role, then by name, format, code table and type."""
        return self.make(key, self.plan.schemas[key], draft, self.cls.fields[key].role,
                         self.cls.fields[key].code_table)

    def make(self, key: str, schema: Mapping[str, Any], draft: Draft, role: str | None = None,
             code_table: str | None = None) -> Any:
        rng, plan = self.rng, self.plan
        subject = draft.subject
        formats = formats_of(schema)
        if role in _SUBJECT_ROLES and role in subject:
            return subject[role]
        if key in subject and role not in ("region",):
            return subject[key]
        if key in draft.dates:
            return draft.dates[key].isoformat()
        if role == "document_number":
            return self.document_number(key, draft)
        if role == "target_class":
            targets = [name for name in loader.class_names() if name != self.cls.name
                       and not record_class(name).references]
            return rng.choice(targets or [self.cls.name])
        if role == "target_record":
            target = self.cls.field_by_role("target_class")
            prefix = draft[target.key] if target else "administrative_penalty"
            return f"{prefix}:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        if role == "penalty_types" or (schema.get("type") == "array" and key.startswith("penalty")):
            return self.penalty_types(schema, draft)
        if role == "sector" or "sector" in formats:
            allowed = self.cls.classification.get("sectors") or [s["code"] for s in loader.taxonomy()["sectors"]]
            return draft.dept.sector if draft.dept.sector in allowed else rng.choice(allowed)
        if "uscc" in formats and key.endswith("_uscc"):
            return draft.org(key[: -len("_uscc")]).uscc
        if "gb2260" in formats:
            return subject.get("region", draft.county)
        if key.endswith("_code") and schema.get("type") == "string" and not enum_of(schema) \
                and "pattern" not in schema and schema.get("maxLength", 0) >= 18 \
                and key[: -len("_code")] in plan.schemas:
            return draft.org(key[: -len("_code")]).uscc
        if schema.get("type") == "string" and not formats and "pattern" not in schema and not enum_of(schema):
            text = self.text(key, draft)
            if text is not None:
                return _fit(text, schema)
        if "uscc" in formats:
            return uscc.generate(authority="9", category="1", region=draft.county, rng=rng)
        if "citizen-id" in formats:
            return ric.generate(region=draft.county, rng=rng)
        if "orgcode" in formats:
            return orgcode.generate(rng=rng)
        if "regno" in formats:
            return regno.generate(region=draft.county, rng=rng)
        if "masked-id" in formats:
            return ric.mask(ric.generate(region=draft.county, rng=rng))
        if role == "id_type" or code_table == "id_type":
            return self.person_id(schema, draft.county)[0]
        if key.endswith("id_number"):
            partner = key[: -len("id_number")] + "id_type"
            kind = draft[partner] if partner in plan.schemas else "身份证"
            return ric.generate(region=draft.county, rng=rng) if kind == "身份证" else self.person_id(
                {"enum": [kind]}, draft.county)[1]
        options = enum_of(schema)
        if key == "licence_category" and draft.licence and draft.licence.category in options:
            return draft.licence.category
        if key.endswith("level") and subject.get("level") in options:
            return subject["level"]
        if options:
            return rng.choice(options)
        if code_table:
            table = loader.taxonomy()["code_tables"].get(code_table, {}).get("values", [])
            fitting = [entry["zh"] for entry in table if len(entry["zh"]) <= schema.get("maxLength", 10_000)]
            if fitting:
                return rng.choice(fitting)
        kind = schema.get("type")
        if kind in ("number", "integer"):
            return self.number(key, schema, kind, draft)
        if kind == "boolean":
            return rng.random() < (0.9 if "commitment" in key or "signed" in key else 0.3)
        if kind == "array":
            return self.array(key, schema, draft)
        if kind == "object":
            return self.object(schema, draft)
        if "pattern" in schema:
            return _fit(from_pattern(schema["pattern"], rng), schema)
        return _fit(rng.choice(TEXTS["generic"]), schema)

    def document_number(self, key: str, draft: Draft) -> str:
        rng, year = self.rng, draft.year
        abbr = PROVINCE_ABBR.get(draft.county[:2], "")
        if "case" in key:
            kind = rng.choice(["民初", "民终", "执", "执恢"])
            return f"（{year}）{abbr}{draft.county[:4]}{kind}{rng.randint(1, 9999)}号"
        if "certificate" in key or "contract" in key:
            prefix = "HT" if "contract" in key else ""
            return f"{prefix}{draft.county}{year}{rng.randint(0, 999_999):06d}"
        authority = draft.authority
        place = short_name(regions.lookup(authority.code).name)
        dept = next((short for name, short in DEPT_ABBR.items() if authority.name.endswith(name)), draft.dept.abbr)
        return f"{place}{dept}{self.plan.letter}〔{year}〕{rng.randint(1, 3000)}号"

    def text(self, key: str, draft: Draft) -> str | None:
        rng, fake = self.rng, self.fake
        violation, licence = draft.violation, draft.licence
        if violation is not None:
            if key == "violation_type":
                return violation.kind
            if "facts" in key:
                day = draft.dates[self.plan.date_order[0]] - timedelta(days=rng.randint(30, 150)) \
                    if self.plan.date_order else self.on
                return (f"经查，当事人于{day.year}年{day.month}月{day.day}日{violation.act}，"
                        f"违反了{violation.law}{violation.violated}的规定。")
            if "basis" in key:
                return f"{violation.law}{violation.penalised}"
            if key == "penalty_content" or (key.endswith("content") and "penalty" in key):
                return self.penalty_content(draft)
        if licence is not None:
            number = f"{licence.prefix}{draft.county}{draft.year}{rng.randint(0, 99999):05d}"
            if key in ("licence_suspended_or_revoked",):
                return f"{licence.certificate}（编号：{number}）"
            if "title" in key and "document" in key:
                return f"{licence.certificate.removesuffix('证')}决定书"
            if key.startswith("certificate"):
                return licence.certificate
            if key.endswith("number") and "licence" in key:
                return number
            if key.endswith("content") and "licence" in key:
                return licence.content
        listed = next((draft[f.key] for f in self.cls.fields.values() if f.role == "list_code"), None)
        if listed in LISTS:
            reason, basis, measures = LISTS[listed]
            if "reason" in key and "removal" not in key:
                return reason
            if "basis" in key:
                return basis
            if "punishment" in key or "measure" in key:
                return measures
            if "facts" in key:
                name = self.text("list_name", draft) or "严重失信主体名单"
                return f"经查，当事人{reason}，情节严重，依法列入{name}。"
        if key.endswith("document_number") or key == "case_number":
            return self.document_number(key, draft)
        if key.startswith("shareholder"):
            return self.fake.name() if self.rng.random() < 0.6 else self.fake.company()
        if key.endswith("suspended_or_revoked"):
            return f"营业执照（注册号：{regno.generate(region=draft.county, rng=rng)}）"
        if key == "result" or key.endswith("_result"):
            status = [draft[f.key] for f in self.cls.fields.values()
                      if f.role and ("status" in f.role or "decision" in f.role) and enum_of(self.plan.schemas[f.key])]
            return next((RESULTS[value] for value in status if value in RESULTS), "经核查，已按规定处理")
        if key.endswith("_name") and key[: -len("_name")] + "_code" in self.plan.schemas:
            sibling = key[: -len("_name")] + "_code"
            table = self.cls.fields[sibling].code_table
            code = draft[sibling]
            values = loader.taxonomy()["code_tables"].get(table or "", {}).get("values", [])
            found = next((entry["zh"] for entry in values if entry.get("code") == code), None)
            if found:
                return found
        if key == "grade_name" and "grade" in self.plan.schemas:
            return f"{draft['grade']}级"
        for pattern, texts in KEYWORD_TEXTS:
            if re.search(pattern, key):
                return rng.choice(texts).format(city=draft.city.name, place=county_name(draft.city, draft.county),
                                                year=draft.year)
        if "address" in key:
            return f"{regions.full_name(draft.county)}{fake.street_name()}{rng.randint(1, 300)}号"
        if "phone" in key or key.endswith("tel"):
            return fake.phone_number()
        if "email" in key:
            return fake.email()
        if key == "name" or key.endswith(("person", "persons", "contact", "representative")):
            return fake.name()
        if key.endswith("_name"):
            return draft.org(key[: -len("_name")]).name
        if key.endswith(("authority", "court", "organ", "agency", "department", "source", "unit", "organisation")):
            return draft.org(key).name
        return None

    def penalty_types(self, schema: Mapping[str, Any], draft: Draft) -> list[str]:
        rng = self.rng
        allowed = enum_of(schema.get("items", {}))
        base = list(draft.violation.penalties) if draft.violation else ["罚款"]
        if len(base) > 1 and rng.random() < 0.3:
            base = [rng.choice(base)]
        if draft.licence and rng.random() < 0.06:
            base.append(rng.choice(["暂扣许可证件", "吊销许可证件"]))
        elif rng.random() < 0.04:
            base.append("通报批评")
        chosen = [value for value in dict.fromkeys(base) if value in allowed]
        return chosen or [rng.choice(allowed)]

    def penalty_content(self, draft: Draft) -> str:
        types_field = self.cls.field_by_role("penalty_types")
        kinds = draft[types_field.key] if types_field else []
        parts = []
        for kind in kinds:
            if kind == "罚款" and "fine_amount" in self.plan.schemas:
                parts.append(f"罚款人民币{_yuan(draft['fine_amount'])}元")
            elif kind.startswith("没收") and "confiscation_amount" in self.plan.schemas:
                parts.append(f"{kind}人民币{_yuan(draft['confiscation_amount'])}元")
            elif kind in ("暂扣许可证件", "吊销许可证件") and "licence_suspended_or_revoked" in self.plan.schemas:
                parts.append(f"{kind.removesuffix('许可证件')}{draft['licence_suspended_or_revoked']}")
            elif kind == "警告":
                parts.append("给予警告")
            elif kind == "责令停产停业":
                parts.append(f"责令停产停业{self.rng.choice(['一', '三', '六'])}个月")
            else:
                parts.append(kind)
        return "对当事人作出如下行政处罚：" + "；".join(parts) + "。"

    def number(self, key: str, schema: Mapping[str, Any], kind: str, draft: Draft) -> float | int:
        rng = self.rng
        low = schema.get("minimum", 0)
        high = schema.get("maximum")
        if kind == "integer":
            if "year" in key:
                return min(max(draft.year - 1, low), high if high is not None else draft.year)
            return rng.randint(int(low), int(high) if high is not None else int(low) + 100)
        if "score" in key and high is None:
            high = 100
            low = max(low, 60)
        money = schema.get("x-unit") == "万元" or "amount" in key or "capital" in key
        if money:
            value = round(math.exp(rng.uniform(math.log(0.05), math.log(200 if "confiscation" in key else 500))), 2)
        else:
            value = round(rng.uniform(low, high if high is not None else low + 100), 2)
        if high is not None:
            value = min(value, high)
        return max(value, low)

    def array(self, key: str, schema: Mapping[str, Any], draft: Draft) -> list[Any]:
        items = resolve(schema.get("items", {}), self.cls.schema_id)
        options = enum_of(items)
        count = self.rng.randint(max(schema.get("minItems", 1), 1), max(schema.get("minItems", 1), 1) + 2)
        if options:
            return self.rng.sample(options, min(len(options), count))
        singular = key[:-1] if key.endswith("s") else key
        made = [self.make(singular, items, draft) for _ in range(count)]
        unique = [json.loads(text) for text in dict.fromkeys(json.dumps(item, ensure_ascii=False) for item in made)]
        return unique if schema.get("uniqueItems") else made

    def object(self, schema: Mapping[str, Any], draft: Draft) -> dict[str, Any]:
        required = schema.get("required", ())
        return {key: self.make(key, resolve(sub, self.cls.schema_id), draft)
                for key, sub in schema.get("properties", {}).items() if key in required or self.rng.random() < 0.6}


def _fit(text: str, schema: Mapping[str, Any]) -> str:
    return text[: schema.get("maxLength", len(text))] or "无"


def _yuan(wan: float) -> str:
    return f"{Decimal(str(wan)) * 10000:.0f}"

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from faker import Faker

from creditstd.codes import ric
from creditstd.records import loader
from creditstd.records.fake._domain import (
    DEPT_ABBR,
    KEYWORD_TEXTS,
    LISTS,
    NATURAL,
    PROVINCE_ABBR,
    RESULTS,
    TEXTS,
    county_name,
    full_name,
    region_name,
    short_name,
)
from creditstd.records.fake._ids import NAMES, fast_citizen_id, fast_orgcode, fast_regno, fast_uscc
from creditstd.records.fake._parties import SUBJECT_KEYS, Parties
from creditstd.records.fake._plan import enum_of, formats_of, from_pattern, resolve
from creditstd.records.model import record_class

if TYPE_CHECKING:
    from creditstd.records.fake._draft import Draft

#: Roles of the subject's own fields; the subject profile answers them.
_SUBJECT_ROLES = frozenset({"subject_name", "subject_category", "uscc", "orgcode", "regno", "id_type", "id_number"})
#: What a field's value is made by: a function of the record being made.
Maker = Callable[["Draft"], Any]
#: Roles that decide on their own how a value is made.
_ROLE_ROUTES = {"document_number": "document_number", "target_class": "target_class",
                "target_record": "target_record", "penalty_types": "penalty_types", "sector": "sector"}


@dataclass(frozen=True)
class Route:
    """How the values of one field are made (``way``), with what that needs: the code values to draw from,
    the organisation a USCC belongs to (``prefix``), the maximum length, the route to take when this one
    has nothing to say (a field named like no text, a level the subject does not have)."""

    way: str
    fallback: Route | None = None
    options: Sequence[Any] = ()
    prefix: str | None = None
    limit: int | None = None
    role: str | None = None
    code_table: str | None = None


class FieldValues(Parties):
    """Makes the value of any field of the class, given the record being made (a base of the generator).

    What a field's schema says (its formats and code values, the texts its name calls for) is read once per
    field, in :meth:`setup_values`, not once per record.
    """

    _fake: Faker | None
    _faker_seed: int
    iso_days: dict[int, str]

    @property
    def fake(self) -> Faker:
        """A ``zh_CN`` Faker seeded from this generator, made on first use (streets, phone numbers, e-mail).

        Names of people and companies do not go through it (:data:`~._ids.NAMES` draws them directly).
        """
        if self._fake is None:
            self._fake = Faker("zh_CN")
            self._fake.seed_instance(self._faker_seed)
        return self._fake

    def setup_values(self) -> None:
        """Read once per class what :meth:`make` and :meth:`text` would otherwise work out for every value."""
        cls, plan = self.cls, self.plan
        self._formats: dict[str, list[str]] = {key: formats_of(schema) for key, schema in plan.schemas.items()}
        self._options: dict[str, list[Any]] = {key: enum_of(schema) for key, schema in plan.schemas.items()}
        self._keyword_texts: dict[str, tuple[str, ...] | None] = {}
        self._list_key = next((f.key for f in cls.fields.values() if f.role == "list_code"), None)
        self._targets = [name for name in loader.class_names() if name != cls.name
                         and not record_class(name).references] or [cls.name]
        self._sectors = cls.classification.get("sectors") or [s["code"] for s in loader.taxonomy()["sectors"]]
        self._tables: dict[tuple[str, int], list[str]] = {}
        #: (authority, its region, the department's abbreviation) -> a decision number up to its year
        self._doc_heads: dict[tuple[str, str, str], str] = {}
        self._routes: dict[str, Route] = {}
        self._fields = {key: (schema, cls.fields[key].role, cls.fields[key].code_table)
                        for key, schema in plan.schemas.items()}
        self._text_routes: dict[str, tuple[str | None, str | None, str | None, str | None]] = {}
        self.makers = _Makers(self.maker)
        self._item_options: dict[int, tuple[Any, list[Any]]] = {}
        self._penalty_types_field = cls.field_by_role("penalty_types")
        self._org_kinds: dict[str, str] = {}

    def formats_of_field(self, key: str) -> list[str]:
        """The formats field ``key`` of the class admits (``uscc``, ``date``...), read once."""
        return self._formats[key]

    def _schema_facts(self, key: str, schema: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
        """(formats, code values) of ``schema``: cached for the class's own fields, worked out for nested ones."""
        if self.plan.schemas.get(key) is schema:
            return self._formats[key], self._options[key]
        return formats_of(schema), enum_of(schema)

    def _table(self, code_table: str, limit: int) -> list[str]:
        found = self._tables.get((code_table, limit))
        if found is None:
            table = loader.taxonomy()["code_tables"].get(code_table, {}).get("values", [])
            found = self._tables[(code_table, limit)] = [entry["zh"] for entry in table if len(entry["zh"]) <= limit]
        return found

    def _texts_for(self, key: str) -> tuple[str, ...] | None:
        """The texts of the first :data:`KEYWORD_TEXTS` pattern ``key`` matches, or None (cached by key)."""
        if key not in self._keyword_texts:
            self._keyword_texts[key] = next((texts for pattern, texts in KEYWORD_TEXTS if re.search(pattern, key)),
                                            None)
        return self._keyword_texts[key]

    def value(self, key: str, draft: Draft) -> Any:
        """The value of field ``key``: by role, then by name, format, code table and type."""
        schema, role, code_table = self._fields[key]
        return self.make(key, schema, draft, role, code_table)

    def make(self, key: str, schema: Mapping[str, Any], draft: Draft, role: str | None = None,
             code_table: str | None = None) -> Any:
        """The value of ``key`` (a field of the class, or an item or property inside one) for ``draft``.

        The subject's own fields and the dates come from the draft; everything else goes by the route
        :meth:`route` picks from what the schema says, worked out once per field of the class.
        """
        subject = draft.subject
        if role in subject and role in _SUBJECT_ROLES:
            return subject[role]
        if key in subject and role != "region":
            return subject[key]
        if key in draft.days:
            return self.iso_days[draft.days[key]]
        if self.plan.schemas.get(key) is schema:
            route = self._routes.get(key)
            if route is None:
                route = self._routes[key] = self.route(key, schema, role, code_table)
        else:
            route = self.route(key, schema, role, code_table)
        return self._by_route(route, key, schema, draft)

    def org_kind(self, prefix: str) -> str:
        """Which organisation ``<prefix>`` names: ``authority``, ``source``, ``supervisor`` or ``company``."""
        kind = self._org_kinds.get(prefix)
        if kind is None:
            kind = self._org_kinds[prefix] = (
                "authority" if prefix.endswith(("authority", "court", "organ", "agency", "department"))
                or prefix in ("issuer",) else "source" if "source" in prefix else
                "supervisor" if "supervis" in prefix else "company")
        return kind

    def maker(self, key: str) -> Maker:
        """The function making field ``key``'s value from a draft: :meth:`make` with everything that does not
        change from record to record (the route, the subject entry that answers, the text) worked out once."""
        schema, role, code_table = self._fields[key]
        if key in self.plan.date_order:  # a draft enters its dates first; this only serves a draft without them
            iso = self.iso_days
            return lambda draft: iso[draft.days[key]]
        route = self._routes.get(key)
        if route is None:
            route = self._routes[key] = self.route(key, schema, role, code_table)
        make = self._compiled(route, key, schema)
        names = tuple(dict.fromkeys(name for name in (role if role in _SUBJECT_ROLES else None,
                                                      key if role != "region" and key in SUBJECT_KEYS else None)
                                    if name is not None))
        if not names:
            return make

        def from_subject(draft: Draft) -> Any:
            subject = draft.subject
            for name in names:
                if name in subject:
                    return subject[name]
            return make(draft)
        return from_subject

    def _compiled(self, route: Route, key: str, schema: Mapping[str, Any]) -> Maker:
        """:meth:`_by_route` for one field, as a function of the draft (the commonest ways made directly)."""
        way, random = route.way, self.rng.random
        if way == "choice":
            options, count = route.options, len(route.options)
            return lambda draft: options[int(random() * count)]
        if way == "org_uscc":
            prefix: str = route.prefix  # type: ignore[assignment]
            return lambda draft: draft.org(prefix).uscc
        if way == "text" and route.fallback is not None:
            text, fallback, limit = self._compiled_text(key), self._compiled(route.fallback, key, schema), route.limit

            def text_or_fallback(draft: Draft) -> Any:
                found = text(draft)
                if found is None:
                    return fallback(draft)
                return found if limit is None else found[:limit] or "无"
            return text_or_fallback
        return lambda draft: self._by_route(route, key, schema, draft)

    def _compiled_text(self, key: str) -> Callable[[Draft], str | None]:
        """:meth:`text` for one field: directly for a name that only ever calls for an organisation's name or a
        fixed text, else through :meth:`text`."""
        by_violation, by_licence, by_list, rest = self.text_route(key)
        plain = not (by_violation or by_licence or (by_list and self._list_key))
        if by_violation in ("kind", "basis", "content"):  # the violation's text when there is one, else the rest
            text = self.text
            if by_violation == "kind":
                def from_violation(draft: Draft) -> str | None:
                    violation = draft.violation
                    return violation.kind if violation is not None else text(key, draft)
            elif by_violation == "basis":
                def from_violation(draft: Draft) -> str | None:
                    violation = draft.violation
                    return f"{violation.law}{violation.penalised}" if violation is not None else text(key, draft)
            else:
                content = self.penalty_content

                def from_violation(draft: Draft) -> str | None:
                    return content(draft) if draft.violation is not None else text(key, draft)
            return from_violation
        if plain and rest == "org":
            return lambda draft: draft.org(key).name
        if plain and rest == "org_name":
            prefix = key[: -len("_name")]
            return lambda draft: draft.org(prefix).name
        texts = self._texts_for(key) if rest == "keyword" else None
        if plain and texts and not any("{" in text for text in texts):
            random, count = self.rng.random, len(texts)
            return lambda draft: texts[int(random() * count)]
        return lambda draft: self.text(key, draft)

    def route(self, key: str, schema: Mapping[str, Any], role: str | None, code_table: str | None) -> Route:
        """How a value of ``key`` is made, from what never changes: its role, name, formats, code values, type.

        The first that applies wins: the role (document number, penalty types, sector...), an organisation's
        USCC by name (``authority_uscc``), a region code, a text by name (falling back on the rest when the
        name calls for none), an identifier by format, an ID type or number, code values, a code table, and
        last the JSON type or pattern.
        """
        formats, options = self._schema_facts(key, schema)
        kind = schema.get("type")
        text_route = "text" if kind == "string" and not formats and "pattern" not in schema and not options else None
        if role in _ROLE_ROUTES:
            return Route(_ROLE_ROUTES[role], role=role, code_table=code_table)
        if kind == "array" and key.startswith("penalty"):
            return Route("penalty_types")
        if "sector" in formats:
            return Route("sector")
        if "uscc" in formats and key.endswith("_uscc"):
            return Route("org_uscc", prefix=key[: -len("_uscc")])
        if "gb2260" in formats:
            return Route("region")
        if key.endswith("_code") and kind == "string" and not options and "pattern" not in schema \
                and schema.get("maxLength", 0) >= 18 and key[: -len("_code")] in self.plan.schemas:
            return Route("org_uscc", prefix=key[: -len("_code")])
        rest = self._rest_route(key, schema, role, code_table, formats, options)
        if text_route:
            return Route("text", fallback=rest, limit=schema.get("maxLength"))
        return rest

    def _rest_route(self, key: str, schema: Mapping[str, Any], role: str | None, code_table: str | None,
                    formats: list[str], options: list[Any]) -> Route:
        for name in ("uscc", "citizen-id", "orgcode", "regno", "masked-id"):
            if name in formats:
                return Route(name)
        if role == "id_type" or code_table == "id_type":
            return Route("id_type")
        if key.endswith("id_number"):
            partner = key[: -len("id_number")] + "id_type"
            return Route("id_number", prefix=partner if partner in self.plan.schemas else None)
        tail = self._tail_route(key, schema, code_table, options)
        if key == "licence_category" or (key.endswith("level") and options):
            return Route("matching", fallback=tail, options=options)
        return tail

    def _tail_route(self, key: str, schema: Mapping[str, Any], code_table: str | None, options: list[Any]) -> Route:
        if options:
            return Route("choice", options=options)
        kind = schema.get("type")
        fitting = self._table(code_table, schema.get("maxLength", 10_000)) if code_table else []
        fallback = None
        if kind in ("number", "integer", "boolean", "array", "object"):
            fallback = Route(kind)
        elif "pattern" in schema:
            fallback = Route("pattern", limit=schema.get("maxLength"))
        else:
            fallback = Route("generic", limit=schema.get("maxLength"))
        return Route("choice", options=fitting) if fitting and kind != "array" else fallback

    def _by_route(self, route: Route, key: str, schema: Mapping[str, Any], draft: Draft) -> Any:
        rng, way = self.rng, route.way
        if way == "text":
            text = self.text(key, draft)
            if text is not None:
                return text if route.limit is None else text[: route.limit] or "无"
            return self._by_route(route.fallback, key, schema, draft)  # type: ignore[arg-type]
        if way == "choice":
            return route.options[int(rng.random() * len(route.options))]
        if way == "org_uscc":
            return draft.org(route.prefix).uscc  # type: ignore[arg-type]
        if way == "document_number":
            return self.document_number(key, draft)
        if way == "penalty_types":
            return self.penalty_types(schema, draft)
        if way == "sector":
            sector = draft.dept.sector
            return sector if sector in self._sectors else rng.choice(self._sectors)
        if way == "region":
            return draft.subject.get("region", draft.county)
        if way == "uscc":
            return fast_uscc(rng, "9", "1", draft.county)
        if way == "citizen-id":
            return fast_citizen_id(rng, draft.county, *self._births)
        if way == "orgcode":
            return fast_orgcode(rng)
        if way == "regno":
            return fast_regno(rng, draft.county)
        if way == "masked-id":
            return ric.mask(fast_citizen_id(rng, draft.county, *self._births))
        if way == "id_type":
            return self.person_id(schema, draft.county)[0]
        if way == "id_number":
            kind = draft[route.prefix] if route.prefix else "身份证"
            if kind == "身份证":
                return fast_citizen_id(rng, draft.county, *self._births)
            return self.person_id({"enum": [kind]}, draft.county)[1]
        if way == "matching":  # the licence's category, the subject's level, when the code values have them
            if key == "licence_category":
                wanted = draft.licence.category if draft.licence else None
            else:
                wanted = draft.subject.get("level")
            if wanted is not None and wanted in route.options:
                return wanted
            return self._by_route(route.fallback, key, schema, draft)  # type: ignore[arg-type]
        if way == "target_class":
            return rng.choice(self._targets)
        if way == "target_record":
            target = self.cls.field_by_role("target_class")
            prefix = draft[target.key] if target else "administrative_penalty"
            return f"{prefix}:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        if way in ("number", "integer"):
            return self.number(key, schema, way, draft)
        if way == "boolean":
            return rng.random() < (0.9 if "commitment" in key or "signed" in key else 0.3)
        if way == "array":
            return self.array(key, schema, draft)
        if way == "object":
            return self.object(schema, draft)
        if way == "pattern":
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
        head = self._doc_heads.get((authority.name, authority.code, draft.dept.abbr))
        if head is None:
            place = short_name(region_name(authority.code))
            dept = next((short for name, short in DEPT_ABBR.items() if authority.name.endswith(name)), None)
            head = self._doc_heads[(authority.name, authority.code, draft.dept.abbr)] = \
                f"{place}{dept or draft.dept.abbr}{self.plan.letter}〔"
        return f"{head}{year}〕{rng.randint(1, 3000)}号"

    def text_route(self, key: str) -> tuple[str | None, str | None, str | None, str | None]:
        """Which text a field named ``key`` gets: (from the violation, from the licence, from the list, else).

        Worked out once per name; the first three apply only when the record has a violation, a licence,
        a serious-dishonesty list.
        """
        found = self._text_routes.get(key)
        if found is not None:
            return found
        violation = ("kind" if key == "violation_type" else "facts" if "facts" in key else
                     "basis" if "basis" in key else
                     "content" if key == "penalty_content" or (key.endswith("content") and "penalty" in key) else None)
        licence = ("revoked" if key == "licence_suspended_or_revoked" else
                   "title" if "title" in key and "document" in key else
                   "certificate" if key.startswith("certificate") else
                   "number" if key.endswith("number") and "licence" in key else
                   "content" if key.endswith("content") and "licence" in key else None)
        listed = ("reason" if "reason" in key and "removal" not in key else "basis" if "basis" in key else
                  "measures" if "punishment" in key or "measure" in key else "facts" if "facts" in key else None)
        schemas = self.plan.schemas
        if key.endswith("document_number") or key == "case_number":
            rest = "document_number"
        elif key.startswith("shareholder"):
            rest = "shareholder"
        elif key.endswith("suspended_or_revoked"):
            rest = "licence_revoked"
        elif key == "result" or key.endswith("_result"):
            rest = "result"
        elif key.endswith("_name") and key[: -len("_name")] + "_code" in schemas:
            rest = "code_name"
        elif key == "grade_name" and "grade" in schemas:
            rest = "grade_name"
        elif self._texts_for(key) is not None:
            rest = "keyword"
        elif "address" in key:
            rest = "address"
        elif "phone" in key or key.endswith("tel"):
            rest = "phone"
        elif "email" in key:
            rest = "email"
        elif key == "name" or key.endswith(("person", "persons", "contact", "representative")):
            rest = "person"
        elif key.endswith("_name"):
            rest = "org_name"
        elif key.endswith(("authority", "court", "organ", "agency", "department", "source", "unit",
                           "organisation")):
            rest = "org"
        else:
            rest = None
        found = self._text_routes[key] = (violation, licence, listed, rest)
        return found

    def text(self, key: str, draft: Draft) -> str | None:
        """A realistic text for field ``key``, or None when its name calls for none."""
        rng = self.rng
        by_violation, by_licence, by_list, rest = self.text_route(key)
        violation, licence = draft.violation, draft.licence
        if violation is not None and by_violation:
            if by_violation == "kind":
                return violation.kind
            if by_violation == "facts":
                day = date.fromordinal(draft.days[self.plan.date_order[0]] - rng.randint(30, 150)) \
                    if self.plan.date_order else self.on
                return (f"经查，当事人于{day.year}年{day.month}月{day.day}日{violation.act}，"
                        f"违反了{violation.law}{violation.violated}的规定。")
            if by_violation == "basis":
                return f"{violation.law}{violation.penalised}"
            return self.penalty_content(draft)
        if licence is not None and by_licence:
            if by_licence == "revoked":
                return f"{licence.certificate}（编号：{self._licence_number(draft)}）"
            if by_licence == "title":
                return f"{licence.certificate.removesuffix('证')}决定书"
            if by_licence == "certificate":
                return licence.certificate
            if by_licence == "number":
                return self._licence_number(draft)
            return licence.content
        if by_list and self._list_key:
            listed = draft[self._list_key]
            if listed in LISTS:
                reason, basis, measures = LISTS[listed]
                if by_list == "reason":
                    return reason
                if by_list == "basis":
                    return basis
                if by_list == "measures":
                    return measures
                name = self.text("list_name", draft) or "严重失信主体名单"
                return f"经查，当事人{reason}，情节严重，依法列入{name}。"
        if rest is None:
            return None
        if rest == "keyword":
            texts = self._texts_for(key) or ()
            text = texts[int(rng.random() * len(texts))]
            if "{" not in text:
                return text
            return text.format(city=draft.city.name, place=county_name(draft.city, draft.county), year=draft.year)
        if rest == "org":
            return draft.org(key).name
        if rest == "org_name":
            return draft.org(key[: -len("_name")]).name
        if rest == "person":
            return NAMES.person(rng)
        if rest == "document_number":
            return self.document_number(key, draft)
        if rest == "shareholder":
            return NAMES.person(rng) if rng.random() < 0.6 else NAMES.company(rng)
        if rest == "licence_revoked":
            return f"营业执照（注册号：{fast_regno(rng, draft.county)}）"
        if rest == "result":
            status = [draft[f.key] for f in self.cls.fields.values()
                      if f.role and ("status" in f.role or "decision" in f.role) and enum_of(self.plan.schemas[f.key])]
            return next((RESULTS[value] for value in status if value in RESULTS), "经核查，已按规定处理")
        if rest == "code_name":
            sibling = key[: -len("_name")] + "_code"
            table = self.cls.fields[sibling].code_table
            code = draft[sibling]
            values = loader.taxonomy()["code_tables"].get(table or "", {}).get("values", [])
            found = next((entry["zh"] for entry in values if entry.get("code") == code), None)
            if found:
                return found
            return self._after_code_name(key, draft)
        if rest == "grade_name":
            return f"{draft['grade']}级"
        if rest == "address":
            return f"{full_name(draft.county)}{self.fake.street_name()}{rng.randint(1, 300)}号"
        if rest == "phone":
            return self.fake.phone_number()
        return self.fake.email()

    def _after_code_name(self, key: str, draft: Draft) -> str | None:
        """A ``<x>_name`` whose ``<x>_code`` has no entry in its table: what the name would give otherwise."""
        if key == "grade_name" and "grade" in self.plan.schemas:
            return f"{draft['grade']}级"
        texts = self._texts_for(key)
        if texts is not None:
            return self.rng.choice(texts).format(city=draft.city.name, place=county_name(draft.city, draft.county),
                                                 year=draft.year)
        return draft.org(key[: -len("_name")]).name

    def _licence_number(self, draft: Draft) -> str:
        licence = draft.licence
        assert licence is not None
        return f"{licence.prefix}{draft.county}{draft.year}{self.rng.randint(0, 99999):05d}"

    def penalty_types(self, schema: Mapping[str, Any], draft: Draft) -> list[str]:
        rng = self.rng
        items = schema.get("items", {})
        cached = self._item_options.get(id(items))
        if cached is None or cached[0] is not items:
            cached = self._item_options[id(items)] = (items, enum_of(items))
        allowed = cached[1]
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
        types_field = self._penalty_types_field
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
        if options and draft.kind != NATURAL:  # a restriction of personal freedom applies to people only
            options = [option for option in options if not (isinstance(option, str) and "人身自由" in option)]
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


class _Makers(dict[str, Maker]):
    """Field -> its maker, compiled on first use."""

    def __init__(self, compile_field: Callable[[str], Maker]) -> None:
        super().__init__()
        self.compile_field = compile_field

    def __missing__(self, key: str) -> Maker:
        made = self[key] = self.compile_field(key)
        return made


def _fit(text: str, schema: Mapping[str, Any]) -> str:
    return text[: schema.get("maxLength", len(text))] or "无"


def _yuan(wan: float) -> str:
    """Ten thousand times ``wan`` (万元), in whole yuan, as the decimal ``wan`` reads (not its binary value)."""
    cents = round(wan * 100)
    if cents / 100 == wan:  # two decimals at most (the amounts drawn): the yuan are a whole number of hundreds
        return str(cents * 100)
    return f"{Decimal(str(wan)) * 10000:.0f}"

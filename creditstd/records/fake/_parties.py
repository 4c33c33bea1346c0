"""Who a fake record is about and who decided it: the subject, and government organs.

The subject comes first and everything else agrees with it.  A company gets a
USCC, an organisation code that is positions 9-17 of it and a registration
number, all in one county; a person gets an ID document (mostly a citizen ID
born 18-70 years before the reference day); an individual business gets a
shop name, now and then the USCC placeholder, and its registration number.
A government organ always has a USCC of registration authority 1, category 1.

>>> from datetime import date
>>> from creditstd.codes import uscc
>>> from creditstd.records.fake._generator import Generator
>>> generator = Generator("administrative_penalty", 3, date(2026, 6, 30))
>>> organ = generator.organ("深圳市", "440300", "市场监督管理局")
>>> organ.name, organ.uscc[:2], organ.uscc[2:8], uscc.is_valid(organ.uscc, strict=True)
('深圳市市场监督管理局', '11', '440300', True)
>>> kind, number = generator.person_id({"enum": ["身份证"]}, "440305")
>>> kind, number[:6], len(number)
('身份证', '440305', 18)
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from creditstd.codes import uscc
from creditstd.records.fake._domain import (
    ASSOCIATIONS,
    DEPARTMENTS,
    GOVERNMENT,
    ID_TYPE_WEIGHTS,
    INDIVIDUAL,
    INSTITUTIONS,
    NATURAL,
    PROVINCE_ABBR,
    SHOPS,
    county_name,
    region_name,
    short_name,
)
from creditstd.records.fake._ids import NAMES, FastRandom, fast_citizen_id, fast_foreigner_id, fast_regno, fast_uscc
from creditstd.records.fake._plan import Plan, enum_of
from creditstd.records.model import RecordClass

if TYPE_CHECKING:
    from creditstd.records.fake._draft import Draft


#: Every entry :meth:`Parties.subject` may give (a field of these names is answered by the subject when it has it).
SUBJECT_KEYS = frozenset({
    "subject_category", "subject_name", "uscc", "orgcode", "regno", "legal_representative", "level", "region",
    "organisation_type", "id_type", "id_number", "public_institution_certificate", "social_organisation_certificate",
    "tax_registration_number", "legal_representative_id_type", "legal_representative_id_number"})


@dataclass
class Org:
    """An organisation a record names: its name, USCC and the region code it sits in."""

    name: str
    uscc: str
    code: str


class Parties:
    """Makes the subject of a record, ID documents and government organs (a base of the generator).

    What does not change from record to record (the schema of the ID-type field, whether the USCC field admits
    the placeholder, the range of birth days) is worked out once, in :meth:`setup_parties`.
    """

    cls: RecordClass
    plan: Plan
    rng: random.Random
    on: date

    def setup_parties(self) -> None:
        """Read once what every subject needs: ID-type schemas, the placeholder, the birth range."""
        self._id_schema = next((self.plan.schemas[f.key] for f in self.cls.fields.values() if f.role == "id_type"),
                               {"enum": list(ID_TYPE_WEIGHTS)})
        self._rep_schema = self.plan.schemas.get("legal_representative_id_type", self._id_schema)
        uscc_field = self.cls.field_by_role("uscc")
        self._placeholder_ok = uscc_field is not None and uscc.PLACEHOLDER in enum_of(
            self.plan.schemas[uscc_field.key])
        # people are born 18 to 70 years before the reference day (the first of its month, so never 29 February)
        first = self.on.replace(year=self.on.year - 70, day=1).toordinal()
        self._births = (first, self.on.replace(year=self.on.year - 18, day=1).toordinal() - first)
        self._id_kinds: dict[tuple[Any, ...], tuple[list[str], list[float]]] = {}

    def _kinds(self, schema: Mapping[str, Any]) -> tuple[list[str], list[float]]:
        """The ID types ``schema`` admits and their cumulative weights (cached by the values admitted)."""
        options = tuple(enum_of(schema))
        found = self._id_kinds.get(options)
        if found is None:
            allowed = [value for value in options if value in ID_TYPE_WEIGHTS] or ["身份证"]
            total, cumulative = 0.0, []
            for value in allowed:
                total += ID_TYPE_WEIGHTS[value]
                cumulative.append(total)
            found = self._id_kinds[options] = (allowed, cumulative)
        return found

    def person_id(self, schema: Mapping[str, Any], county: str, sex: str | None = None) -> tuple[str, str]:
        """An ID document of a person of ``county``: its type (weighted as in real exports) and number."""
        rng = self.rng
        allowed, cumulative = self._kinds(schema)
        kind = allowed[0] if len(allowed) == 1 else rng.choices(allowed, cum_weights=cumulative)[0] \
            if not isinstance(rng, FastRandom) else rng.pick(allowed, cumulative)
        if kind == "身份证":
            return kind, fast_citizen_id(rng, county, *self._births, sex)
        if kind == "外国人永久居留身份证":
            return kind, fast_foreigner_id(rng, county, *self._births, sex)
        digits = f"{rng.randrange(100_000_000):08d}"
        if kind == "护照号":
            return kind, "E" + digits
        if kind == "港澳居民来往内地通行证":
            return kind, rng.choice("HM") + digits
        return kind, digits

    def subject(self, draft: Draft) -> dict[str, Any]:
        rng, city, county = self.rng, draft.city, draft.county
        found: dict[str, Any] = {"subject_category": draft.category} if draft.category else {}
        if draft.kind == GOVERNMENT:
            place, code = (draft.city.name, draft.city.code) if rng.random() < 0.5 else (
                county_name(city, county), county)
            organ = self.organ(place, code, rng.choice(_ORGAN_NAMES))
            found.update(subject_name=organ.name, uscc=organ.uscc, orgcode=organ.uscc[8:17],
                         legal_representative=NAMES.person(rng), level="市级" if code == city.code else "县级",
                         region=code, organisation_type="机关")
            return found
        if draft.kind == NATURAL:
            sex = rng.choice("MF")
            found["subject_name"] = NAMES.person(rng, sex)
            found["id_type"], found["id_number"] = self.person_id(self._id_schema, county, sex)
            return found
        if draft.kind == INDIVIDUAL:
            found["subject_name"] = f"{county_name(city, county)}{NAMES.last_name(rng)}记{rng.choice(SHOPS)}"
            placeholder = self._placeholder_ok and rng.random() < 0.15
            found["uscc"] = uscc.PLACEHOLDER if placeholder else fast_uscc(rng, "9", "2", county)
            found["regno"] = fast_regno(rng, county, "individual business")
            found["organisation_type"] = "个体工商户"
            if not placeholder:
                found["orgcode"] = found["uscc"][8:17]
            return found
        kind = rng.pick(_ORG_KINDS, _ORG_WEIGHTS) if isinstance(rng, FastRandom) else rng.choices(
            _ORG_KINDS, cum_weights=_ORG_WEIGHTS)[0]
        authority, category = _ORG_PAIRS[kind]
        code = found["uscc"] = fast_uscc(rng, authority, category, county)
        if kind == "enterprise":
            company = NAMES.company(rng)
            found["subject_name"] = f"{city.short}{company}" if rng.random() < 0.6 else company
            found["regno"] = fast_regno(rng, county)
        elif kind == "cooperative":
            place = short_name(region_name(county))
            found["subject_name"] = (f"{place}{rng.choice(['丰收', '绿源', '兴农', '金穗', '富民'])}"
                                     f"{rng.choice(['种植', '养殖', '果蔬', '茶叶'])}专业合作社")
            found["regno"] = fast_regno(rng, county)
        elif kind == "institution":
            found["subject_name"] = f"{city.name}{rng.choice(INSTITUTIONS)}"
            found["public_institution_certificate"] = "1" + county[:4] + f"{rng.randrange(10_000_000):07d}"
        else:
            found["subject_name"] = f"{city.name}{rng.choice(ASSOCIATIONS)}"
            found["social_organisation_certificate"] = (
                f"{PROVINCE_ABBR.get(county[:2], '')}民证字第{rng.randint(1, 99999):05d}号")
        found["orgcode"] = code[8:17]
        found["tax_registration_number"] = code if rng.random() < 0.5 else code[2:8] + code[8:17]
        found["legal_representative"] = NAMES.person(rng)
        found["legal_representative_id_type"], found["legal_representative_id_number"] = self.person_id(
            self._rep_schema, county)
        found["organisation_type"] = _ORG_TYPES[kind]
        return found

    def organ(self, place: str, code: str, dept: str) -> Org:
        """A government organ: its name and a USCC of registration authority 1, category 1 (机关)."""
        return Org(f"{place}{dept}", fast_uscc(self.rng, "1", "1", code), code)

    def authority(self, draft: Draft, dept: str) -> Org:
        city, county = draft.city, draft.county
        if dept == "中级人民法院":
            if self.rng.random() < 0.5 or county == city.code:
                return self.organ(city.name, city.code, dept)
            return self.organ(county_name(city, county), county, "人民法院")
        if dept == "海关":
            return self.organ(city.short, city.code, dept)
        if self.rng.random() < 0.45 or county == city.code:
            return self.organ(city.name, city.code, dept)
        return self.organ(county_name(city, county), county, dept)


_ORGAN_NAMES = ("人民政府", *(dept.name for dept in DEPARTMENTS))
_ORG_KINDS = ("enterprise", "cooperative", "institution", "association")
_ORG_WEIGHTS = (85, 89, 95, 100)  # cumulative: 85 % enterprises, 4 % cooperatives, 6 % institutions, 5 % associations
_ORG_PAIRS = {"enterprise": ("9", "1"), "cooperative": ("9", "3"), "institution": ("1", "2"), "association": ("5", "1")}
_ORG_TYPES = {"enterprise": "有限责任公司", "cooperative": "农民专业合作社", "institution": "事业单位",
              "association": "社会团体"}

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

from faker import Faker

from creditstd.codes import regions, regno, ric, uscc
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
    short_name,
)
from creditstd.records.fake._plan import Plan, enum_of
from creditstd.records.model import RecordClass

if TYPE_CHECKING:
    from creditstd.records.fake._draft import Draft


@dataclass
class Org:
    """An organisation a record names: its name, USCC and the region code it sits in."""

    name: str
    uscc: str
    code: str


class Parties:
    """Makes the subject of a record, ID documents and government organs (a base of the generator)."""

    cls: RecordClass
    plan: Plan
    rng: random.Random
    fake: Faker
    on: date

    def person_id(self, schema: Mapping[str, Any], county: str, sex: str | None = None) -> tuple[str, str]:
        rng = self.rng
        allowed = [value for value in enum_of(schema) if value in ID_TYPE_WEIGHTS] or ["身份证"]
        kind = rng.choices(allowed, [ID_TYPE_WEIGHTS[value] for value in allowed])[0]
        digits = "".join(rng.choice("0123456789") for _ in range(8))
        born = {"birth_from": self.on.replace(year=self.on.year - 70, day=1),
                "birth_to": self.on.replace(year=self.on.year - 18, day=1), "sex": sex, "rng": rng}
        if kind == "身份证":
            number = ric.generate(region=county, **born)
        elif kind == "外国人永久居留身份证":
            number = ric.generate(kind="foreigner_pr", region=county[:2] + "0000", **born)
        elif kind == "护照号":
            number = "E" + digits
        elif kind == "港澳居民来往内地通行证":
            number = rng.choice("HM") + digits
        else:
            number = digits
        return kind, number

    def subject(self, draft: Draft) -> dict[str, Any]:
        rng, fake, city, county = self.rng, self.fake, draft.city, draft.county
        id_schema = next((self.plan.schemas[f.key] for f in self.cls.fields.values() if f.role == "id_type"),
                         {"enum": list(ID_TYPE_WEIGHTS)})
        rep_schema = self.plan.schemas.get("legal_representative_id_type", id_schema)
        found: dict[str, Any] = {"subject_category": draft.category} if draft.category else {}
        uscc_field = self.cls.field_by_role("uscc")
        placeholder_ok = uscc_field is not None and uscc.PLACEHOLDER in enum_of(self.plan.schemas[uscc_field.key])
        if draft.kind == GOVERNMENT:
            place, code = (draft.city.name, draft.city.code) if rng.random() < 0.5 else (
                county_name(city, county), county)
            organ = self.organ(place, code, rng.choice(["人民政府", *(dept.name for dept in DEPARTMENTS)]))
            found.update(subject_name=organ.name, uscc=organ.uscc, orgcode=organ.uscc[8:17],
                         legal_representative=fake.name(), level="市级" if code == city.code else "县级", region=code,
                         organisation_type="机关")
            return found
        if draft.kind == NATURAL:
            sex = rng.choice("MF")
            found["subject_name"] = fake.name_male() if sex == "M" else fake.name_female()
            found["id_type"], found["id_number"] = self.person_id(id_schema, county, sex)
            return found
        place = short_name(regions.lookup(county).name)
        if draft.kind == INDIVIDUAL:
            found["subject_name"] = f"{county_name(city, county)}{fake.last_name()}记{rng.choice(SHOPS)}"
            found["uscc"] = uscc.PLACEHOLDER if placeholder_ok and rng.random() < 0.15 else uscc.generate(
                authority="9", category="2", region=county, rng=rng)
            found["regno"] = regno.generate(region=county, ownership="individual business", rng=rng)
        else:
            kind = rng.choices(["enterprise", "cooperative", "institution", "association"], [85, 4, 6, 5])[0]
            pair = {"enterprise": ("9", "1"), "cooperative": ("9", "3"), "institution": ("1", "2"),
                    "association": ("5", "1")}[kind]
            found["uscc"] = uscc.generate(authority=pair[0], category=pair[1], region=county, rng=rng)
            if kind == "enterprise":
                company = fake.company()
                found["subject_name"] = f"{city.short}{company}" if rng.random() < 0.6 else company
                found["regno"] = regno.generate(region=county, ownership="domestic", rng=rng)
            elif kind == "cooperative":
                found["subject_name"] = (f"{place}{rng.choice(['丰收', '绿源', '兴农', '金穗', '富民'])}"
                                         f"{rng.choice(['种植', '养殖', '果蔬', '茶叶'])}专业合作社")
                found["regno"] = regno.generate(region=county, ownership="domestic", rng=rng)
            elif kind == "institution":
                found["subject_name"] = f"{city.name}{rng.choice(INSTITUTIONS)}"
                found["public_institution_certificate"] = "1" + county[:4] + f"{rng.randint(0, 9_999_999):07d}"
            else:
                found["subject_name"] = f"{city.name}{rng.choice(ASSOCIATIONS)}"
                found["social_organisation_certificate"] = (
                    f"{PROVINCE_ABBR.get(county[:2], '')}民证字第{rng.randint(1, 99999):05d}号")
            found["orgcode"] = found["uscc"][8:17]
            found["tax_registration_number"] = (found["uscc"] if rng.random() < 0.5
                                                else found["uscc"][2:8] + found["uscc"][8:17])
            found["legal_representative"] = fake.name()
            found["legal_representative_id_type"], found["legal_representative_id_number"] = self.person_id(
                rep_schema, county)
            found["organisation_type"] = {"enterprise": "有限责任公司", "cooperative": "农民专业合作社",
                                          "institution": "事业单位", "association": "社会团体"}[kind]
        if draft.kind == INDIVIDUAL:
            found["organisation_type"] = "个体工商户"
            found["orgcode"] = found["uscc"][8:17] if found["uscc"] != uscc.PLACEHOLDER else None
            found = {key: value for key, value in found.items() if value is not None}
        return found

    def organ(self, place: str, code: str, dept: str) -> Org:
        """A government organ: its name and a USCC of registration authority 1, category 1 (机关)."""
        return Org(f"{place}{dept}", uscc.generate(authority="1", category="1", region=code, rng=self.rng), code)

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

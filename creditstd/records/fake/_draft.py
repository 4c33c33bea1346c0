"""One fake record while it is being made: where, by whom, about whom, and which values so far.

A :class:`Draft` draws its city and county, the deciding department (and the
violation or licence in point), the subject kind and the dates up front; field
values are then made on demand and kept, so a field asked for twice (a fine
amount and the penalty content that quotes it) says the same thing both times.

>>> from datetime import date
>>> from creditstd.records.fake._generator import Generator
>>> draft = Draft(Generator("administrative_penalty", 3, date(2026, 6, 30)))
>>> draft["decision_date"] == draft["decision_date"], draft.county in draft.city.counties
(True, True)
>>> draft.authority is draft.org("authority"), draft.authority.uscc[:2]
(True, '11')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from creditstd.records.fake._domain import VALUE_DEPTS, cities
from creditstd.records.fake._ids import NAMES, fast_uscc
from creditstd.records.fake._parties import Org

if TYPE_CHECKING:
    from creditstd.records.fake._generator import Generator


class Draft:
    """One record being made: its subject, authority, dates, and field values computed on demand."""

    def __init__(self, gen: Generator) -> None:
        self.gen = gen
        rng = gen.rng
        self.city = rng.choice(cities())
        self.county = rng.choice(self.city.counties)
        self.dept = rng.choice(gen.plan.departments)
        self.violation = rng.choice(self.dept.violations) if self.dept.violations else None
        self.licence = rng.choice(self.dept.licences) if self.dept.licences else None
        self.kind, self.category = gen.choose_kind()
        self.dates = gen.plan_dates()
        self.values: dict[str, Any] = {}
        self.orgs: dict[str, Org] = {}
        self.subject = gen.subject(self)

    @property
    def authority(self) -> Org:
        """The deciding authority; a court where the class names one, else a department of the city or county."""
        if "authority" not in self.orgs:
            dept = next((VALUE_DEPTS[value] for value in self.values.values()
                         if isinstance(value, str) and value in VALUE_DEPTS), None)
            if dept is None and "court" in self.gen.plan.schemas:
                dept = "中级人民法院"
            self.orgs["authority"] = self.gen.authority(self, dept or self.dept.name)
        return self.orgs["authority"]

    @property
    def source(self) -> Org:
        if "source" not in self.orgs:
            self.orgs["source"] = self.authority if self.gen.rng.random() < 0.7 else self.gen.organ(
                self.city.name, self.city.code, "发展和改革委员会")
        return self.orgs["source"]

    def org(self, prefix: str) -> Org:
        """The organisation a pair of fields ``<prefix>`` / ``<prefix>_uscc`` describes."""
        if prefix.endswith(("authority", "court", "organ", "agency", "department")) or prefix in ("issuer",):
            return self.authority
        if "source" in prefix:
            return self.source
        if prefix not in self.orgs:
            gen = self.gen
            if "supervis" in prefix:
                self.orgs[prefix] = gen.organ(self.city.name, self.city.code, "人民政府")
            else:
                self.orgs[prefix] = Org(NAMES.company(gen.rng), fast_uscc(gen.rng, "9", "1", self.county), self.county)
        return self.orgs[prefix]

    def __getitem__(self, key: str) -> Any:
        values = self.values
        if key in values:
            return values[key]
        value = values[key] = self.gen.value(key, self)
        return value

    @property
    def year(self) -> int:
        main = self.gen.plan.date_order
        return self.dates[main[0]].year if main else self.gen.on.year


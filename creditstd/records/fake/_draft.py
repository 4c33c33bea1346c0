"""One fake record while it is being made: where, by whom, about whom, and which values so far.

A :class:`Draft` draws its city and county, the deciding department (and the
violation or licence in point), the subject kind and the dates up front; field
values are then made on demand and kept, so a field asked for twice (a fine
amount and the penalty content that quotes it) says the same thing both times.

A draft is the dictionary of the values made so far: ``draft[key]`` of a value
already made is a plain dictionary look-up; a missing one is made by the
field's compiled maker (:meth:`~._values.FieldValues.maker`, worked out once per
field of the class) and kept.  The dates are drawn as day numbers and entered
as ISO strings from the generator's table, before any other value.

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

from creditstd.records.fake._domain import VALUE_DEPTS, City, Dept, Licence, Violation
from creditstd.records.fake._ids import NAMES, fast_uscc
from creditstd.records.fake._parties import Org

if TYPE_CHECKING:
    from creditstd.records.fake._generator import Generator


class Draft(dict[str, Any]):
    """One record being made: its subject, authority, dates, and field values computed on demand."""

    __slots__ = ("_authority", "_source", "category", "city", "county", "days", "dept", "gen", "kind", "licence",
                 "orgs", "subject", "violation", "year")

    def __init__(self, gen: Generator) -> None:
        super().__init__()
        self.gen = gen
        rng = gen.rng
        random = rng.random
        cities = gen.cities
        self.city: City = cities[int(random() * len(cities))]
        counties = self.city.counties
        self.county: str = counties[int(random() * len(counties))]
        departments = gen.plan.departments
        self.dept: Dept = departments[int(random() * len(departments))]
        violations, licences = self.dept.violations, self.dept.licences
        self.violation: Violation | None = violations[int(random() * len(violations))] if violations else None
        self.licence: Licence | None = licences[int(random() * len(licences))] if licences else None
        self.kind, self.category = gen.choose_kind()
        #: the record's dates as day numbers (ordinals); their ISO strings are the draft's first values
        self.days: dict[str, int] = gen.plan_days()
        iso = gen.iso_days
        for key, day in self.days.items():
            self[key] = iso[day]
        main = gen.plan.date_order
        self.year: int = gen.years[self.days[main[0]]] if main else gen.on.year
        self.orgs: dict[str, Org] = {}
        self._authority: Org | None = None
        self._source: Org | None = None
        self.subject: dict[str, Any] = gen.subject(self)

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.gen.makers[key](self)
        return value

    @property
    def authority(self) -> Org:
        """The deciding authority; a court where the class names one, else a department of the city or county."""
        found = self._authority
        if found is None:
            dept = next((VALUE_DEPTS[value] for value in self.values()
                         if isinstance(value, str) and value in VALUE_DEPTS), None)
            if dept is None and "court" in self.gen.plan.schemas:
                dept = "中级人民法院"
            found = self._authority = self.orgs["authority"] = self.gen.authority(self, dept or self.dept.name)
        return found

    @property
    def source(self) -> Org:
        found = self._source
        if found is None:
            found = self._source = self.orgs["source"] = self.authority if self.gen.rng.random() < 0.7 else \
                self.gen.organ(self.city.name, self.city.code, "发展和改革委员会")
        return found

    def org(self, prefix: str) -> Org:
        """The organisation a pair of fields ``<prefix>`` / ``<prefix>_uscc`` describes."""
        kind = self.gen.org_kind(prefix)
        if kind == "authority":
            return self.authority
        if kind == "source":
            return self.source
        found = self.orgs.get(prefix)
        if found is None:
            gen = self.gen
            if kind == "supervisor":
                found = gen.organ(self.city.name, self.city.code, "人民政府")
            else:
                found = Org(NAMES.company(gen.rng), fast_uscc(gen.rng, "9", "1", self.county), self.county)
            self.orgs[prefix] = found
        return found

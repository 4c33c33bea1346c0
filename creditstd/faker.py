"""A Faker provider for China's credit identifiers.

Faker's ``zh_CN`` locale has no USCC generator at all, and about one in ten
of its ``ssn()`` numbers uses an aggregate region code (like ``110000``) that
is never issued.  This provider adds ``uscc()``, ``ric()``, ``orgcode()`` and
``regno()``; every number it makes passes creditstd's strict validation, uses
only real, issued county codes for ID numbers, and follows Faker's seed.

>>> from faker import Faker
>>> fake = Faker('zh_CN')
>>> fake.add_provider(CreditProvider)
>>> Faker.seed(2024)
>>> first = fake.uscc()
>>> Faker.seed(2024)
>>> fake.uscc() == first
True
>>> from creditstd import ric
>>> number = fake.ric(sex='F', kind='residence_permit')
>>> ric.parse(number).kind.value, ric.parse(number).sex.en
('residence_permit', 'female')
"""

from __future__ import annotations

from datetime import date

from faker.providers import BaseProvider

from creditstd.codes import orgcode, regno, ric, uscc

__all__ = ["CreditProvider"]


class CreditProvider(BaseProvider):
    """``fake.uscc()``, ``fake.ric()``, ``fake.orgcode()``, ``fake.regno()``."""

    def uscc(self, authority: str | None = None, category: str | None = None, region: str | None = None) -> str:
        """A unified social credit code (GB 32100); see :func:`creditstd.uscc.generate`."""
        return uscc.generate(authority=authority, category=category, region=region, rng=self.generator.random)

    def ric(
        self,
        kind: str = "citizen",
        region: str | None = None,
        birth_from: date | None = None,
        birth_to: date | None = None,
        sex: str | None = None,
    ) -> str:
        """An ID number of ``kind`` (citizen, citizen15, residence_permit, foreigner_pr)."""
        return ric.generate(kind=kind, region=region, birth_from=birth_from, birth_to=birth_to, sex=sex,
                            rng=self.generator.random)

    def orgcode(self) -> str:
        """An organisation code (GB 11714), compact form."""
        return orgcode.generate(rng=self.generator.random)

    def regno(self, region: str | None = None, ownership: str | None = None) -> str:
        """A 15-digit business registration number (GS 15-2006)."""
        return regno.generate(region=region, ownership=ownership, rng=self.generator.random)

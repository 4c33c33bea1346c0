"""Small value types shared by the identifier modules' ``parse()`` results."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Meaning"]


@dataclass(frozen=True, slots=True)
class Meaning:
    """A coded value with its meaning in Chinese and English.

    >>> Meaning('9', '工商', 'industry and commerce')
    Meaning(code='9', zh='工商', en='industry and commerce')
    >>> str(Meaning('9', '工商', 'industry and commerce'))
    '9 工商 (industry and commerce)'
    """

    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.code} {self.zh} ({self.en})"

"""Find complete ID numbers in what a command printed or wrote: the test side of "never a leak".

A leak is any run of 18 characters (17 digits and a digit or X) or 15 digits
that the identifier library accepts as an ID number, in the text as it is or
with full-width digits folded.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from creditstd.codes import ric

_CANDIDATE = re.compile(r"(?=(\d{17}[\dXx]|\d{15}))")


def full_id_numbers(text: str) -> list[str]:
    """Every complete, valid ID number in ``text`` (overlapping windows included)."""
    found = []
    for candidate_text in (text, unicodedata.normalize("NFKC", text)):
        found += [match for match in _CANDIDATE.findall(candidate_text) if ric.is_valid(match)]
    return sorted(set(found))


def leaks_in_files(folder: Path) -> dict[str, list[str]]:
    """File name -> the ID numbers found in it, for every file under ``folder`` (binary files read as UTF-8)."""
    leaks = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found = full_id_numbers(path.read_bytes().decode("utf-8", errors="replace"))
            if found:
                leaks[str(path)] = found
    return leaks

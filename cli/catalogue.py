"""``creditstd catalogue``: browse the credit information catalogue from the terminal.

``list`` the record classes, ``show`` one (its fields and rules, in Chinese
and English), print its JSON ``schema`` (``--bundle``: self-contained, for
validators in any language), look up the ``taxonomy``, or write
the browsable reference with ``docs``.  Everything is read from the
catalogue's data files; an unknown class or section exits with code 2.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import click

from creditstd.cli._io import InputError
from creditstd.exceptions import CatalogueError, bilingual
from creditstd.records import docs, loader
from creditstd.records.bundle import bundled_schema
from creditstd.records.model import record_class

__all__ = ["catalogue_group", "display_width", "format_table"]

OUTPUT = click.Choice(["text", "json"])


def _unknown(error: CatalogueError) -> InputError:
    return InputError(error.message_zh, error.message_en)


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide and full-width characters (Chinese) count two, combining marks none.

    >>> display_width('abc'), display_width('行政处罚'), display_width('ＡＢ')
    (3, 8, 4)
    """
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[str]:
    """Yield the lines of a plain-text table whose columns line up with Chinese text.

    >>> print('\\n'.join(format_table(['键', 'en'], [['名称', 'name'], ['x', 'y']])))
    键    en
    ----  ----
    名称  name
    x     y
    """
    cells = [[str(cell) if cell is not None else "—" for cell in row] for row in rows]
    widths = [display_width(header) for header in headers]
    for row in cells:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], display_width(cell))
    yield "  ".join(_pad(header, widths[column]) for column, header in enumerate(headers)).rstrip()
    yield "  ".join("-" * width for width in widths)
    for row in cells:
        yield "  ".join(_pad(cell, widths[column]) for column, cell in enumerate(row)).rstrip()


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _term(section: str, code: str | None) -> str:
    zh, en = docs.term(section, code)
    return "—" if code is None else f"{zh} / {en}"


@click.group("catalogue", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def catalogue_group() -> None:
    """信用信息目录：记录类、分类标准、参考文档 / The credit information catalogue: classes, taxonomy, reference docs.

    \b
    退出码 / exit codes: 0 成功 ok; 2 用法错误或未知的类 usage error or unknown class.
    """


def _class_summary(name: str) -> dict[str, Any]:
    cls = record_class(name)
    category = cls.classification.get("category")
    openness = cls.classification.get("openness")
    category_zh, category_en = docs.term("information_categories", category)
    openness_zh, openness_en = docs.term("openness", openness)
    return {"name": cls.name, "zh": cls.zh, "en": cls.en, "version": cls.version, "category": category,
            "category_zh": category_zh, "category_en": category_en, "openness": openness,
            "openness_zh": openness_zh, "openness_en": openness_en,
            "display_rule": cls.classification.get("display_rule"), "fields": len(cls.fields)}


@catalogue_group.command("list")
@click.option("--format", "output", type=OUTPUT, default="text", show_default=True, help="输出格式 / output format")
def list_command(output: str) -> None:
    """列出目录中的记录类 / List the record classes of the catalogue."""
    summaries = [_class_summary(name) for name in loader.class_names()]
    if output == "json":
        _echo_json({"version": loader.index().get("version"), "classes": summaries})
        return
    rows = [(item["name"], item["zh"], item["en"], item["version"], f"{item['category_zh']} ({item['category']})",
             f"{item['openness_zh']} ({item['openness']})") for item in summaries]
    for line in format_table(("类 / class", "中文", "English", "版本 / version", "信息类别 / category",
                              "公开属性 / openness"), rows):
        click.echo(line)


def _show_text(data: dict[str, Any]) -> Iterator[str]:
    classification = data["classification"]

    def names(items: Sequence[dict[str, Any]]) -> str:
        return "；".join(f"{item['zh']} / {item['en']}" for item in items)

    yield f"{data['zh']} / {data['en']}  ({data['name']}, v{data['version']})"
    yield f"  {data['description_zh']}"
    yield f"  {data['description_en']}"
    yield ""
    header = [
        ("主体类型 / subject types", names(classification["subject_types"])),
        ("信息类别 / category", names([classification["category"]])),
        ("领域 / sectors", names(classification["sectors"]) or "全部领域 / every sector"),
        ("公开属性 / openness", names([classification["openness"]])),
        ("敏感程度 / sensitivity", names([classification["sensitivity"]])),
        ("标识字段 / identity", ", ".join(data["identity"])),
        ("$id", data["id"]),
    ]
    label_width = max(display_width(label) for label, _ in header)
    for label, value in header:
        yield f"{_pad(label, label_width)}  {value}"
    yield ""
    yield "字段 / Fields"
    rows = []
    for spec in data["fields"]:
        required = "必填 yes" if spec["required"] else "条件 cond." if spec["required_when"] else "选填 no"
        mask = spec["mask"]["rule"] if spec["mask"] else "—"
        if spec["mask"] and spec["mask"].get("when_subject"):
            mask += f" ({'、'.join(spec['mask']['when_subject'])})"
        openness_zh, _ = docs.term("openness", spec["openness"])
        sensitivity_zh, _ = docs.term("sensitivity", spec["sensitivity"])
        rows.append((spec["key"], spec["zh"], spec["en"], spec["code"] or "—", spec["kind"], required,
                     f"{openness_zh} {spec['openness']}", f"{sensitivity_zh} {spec['sensitivity']}", mask))
    yield from format_table(("键 / key", "中文名", "English", "代码 / code", "类型 / type", "必填 / required",
                             "公开 / openness", "敏感 / sensitivity", "脱敏 / mask"), rows)
    yield ""
    yield "条件规则 / Conditional rules"
    if not data["conditional_rules"]:
        yield "  —"
    for rule in data["conditional_rules"]:
        yield f"  {rule['rule']}: if {rule['if']} → {rule['then']}"
        yield f"      {rule['zh']}"
        yield f"      {rule['en']}"
    yield ""
    yield "命名规则 / Named rules"
    if not data["named_rules"]:
        yield "  —"
    for rule in data["named_rules"]:
        yield f"  {rule['rule']}: {rule['zh']} / {rule['en']}"
    yield ""
    kind = classification["display_rule"]
    yield f"公示规则 / Display rule: {kind or '不设公示期 / no display period'}"
    if len(data["display_rule_sets"]) > 1:
        yield ("  按决定日期施行的规则集判断（市场监管、药品监管部门的处罚适用其适用范围内的规则集） / "
               "judged by the rule set in force on the decision date (market and drug regulators' penalties by "
               "the sets of their scope)")
    for rule_set in data["display_rule_sets"]:
        unverified = " ⚠ 未核实 / unverified" if rule_set["verified"] is False else ""
        yield f"  {rule_set['id']}: {rule_set['zh']} / {rule_set['en']}{unverified}"
        if rule_set["in_force"] or rule_set["repealed"] or rule_set["scope"]:
            since, until = rule_set["in_force"] or "…", rule_set["repealed"] or "…"
            scope = f"；适用范围 / scope: {rule_set['scope']}" if rule_set["scope"] else ""
            yield f"      施行 / in force: {since} – {until}（废止日不含 / repeal day excluded）{scope}"
    if kind and not data["display_rule_sets"]:
        yield "  ⚠ 没有适用的规则集 / no rule set applies"


@catalogue_group.command("show")
@click.argument("class_name", metavar="CLASS")
@click.option("--format", "output", type=OUTPUT, default="text", show_default=True, help="输出格式 / output format")
def show_command(class_name: str, output: str) -> None:
    """显示一个记录类：分类、字段、规则 / Show a record class: classification, fields, rules."""
    try:
        data = docs.describe_class(class_name)
    except CatalogueError as error:
        raise _unknown(error) from None
    if output == "json":
        _echo_json(data)
        return
    for line in _show_text(data):
        click.echo(line)


@catalogue_group.command("schema")
@click.argument("class_name", metavar="CLASS")
@click.option("--bundle", is_flag=True,
              help="输出自包含的 Schema（无外部 $ref，标识符格式附正则） / print a self-contained schema (no external "
                   "$ref, a pattern for every identifier format)")
def schema_command(class_name: str, bundle: bool) -> None:
    """输出记录类的 JSON Schema / Print the JSON Schema of a record class.

    \b
    不加 --bundle：目录原样的 Schema，引用 common.schema.json，标识符用自定义格式（uscc、citizen-id…），
    须由 creditstd 校验。加 --bundle：单一 Draft 2020-12 文件，共用类型内联于 $defs，每个格式另附 pattern，
    任何语言的标准校验器（Python jsonschema、JavaScript ajv 等，无需自定义格式）即可拒绝格式错误的标识符。
    正则只检查形状：校验码、行政区划代码是否存在、日期是否真实、命名规则（x-rules）等仍只有 creditstd 检查。
    正则含补充平面字符，须按 Unicode 解释（ECMA-262 的 u 标志，ajv 默认即是）。
    Without --bundle: the catalogue's schema as it is, referring to common.schema.json, identifiers marked
    by custom formats (uscc, citizen-id...) that creditstd checks. With --bundle: one Draft 2020-12 document,
    the shared types inlined under $defs and a pattern for every format, so any standard validator (Python
    jsonschema, JavaScript ajv..., without custom formats) rejects malformed identifiers. Patterns check the
    shape only: check characters, whether a region code exists, real dates and the named rules (x-rules)
    are still checked by creditstd alone. Patterns hold supplementary-plane characters: read them as
    Unicode regular expressions (ECMA-262 flag u, ajv's default).
    """
    try:
        schema = bundled_schema(class_name) if bundle else loader.class_schema(class_name)
    except CatalogueError as error:
        raise _unknown(error) from None
    _echo_json(schema)


def _section_rows(name: str, entries: list[dict[str, Any]]) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    if name == "sectors":
        return (("代码 / code", "中文", "English", "上级 / parent", "牵头部门 / lead departments"),
                [(entry["code"], entry.get("zh"), entry.get("en"), entry.get("parent") or "—",
                  "、".join(item["zh"] for item in entry.get("departments", ()) if item.get("role") == "lead") or "—")
                 for entry in entries])
    extra = [key for key in ("rank", "identifiers") if any(key in entry for entry in entries)]
    headers = ("代码 / code", "中文", "English", *extra, "核实 / verified")
    rows = []
    for entry in entries:
        values = [", ".join(entry[key]) if isinstance(entry.get(key), list) else entry.get(key, "—") for key in extra]
        labels: dict[object, str] = {True: "是 yes", False: "否 no"}  # keyed by whatever the entry holds
        verified = labels.get(entry.get("verified"), "—")
        rows.append((entry.get("code"), entry.get("zh"), entry.get("en"), *values, verified))
    return headers, rows


def _taxonomy_text(section: str, value: Any) -> Iterator[str]:
    title = {"subject_types": "主体类型 / Subject types", "information_categories": "信息类别 / Information categories",
             "openness": "公开属性 / Openness", "sensitivity": "敏感程度 / Sensitivity", "sectors": "领域 / Sectors",
             "code_tables": "代码表 / Code tables"}.get(section, section)
    yield f"== {title} ({section}) =="
    if isinstance(value, list) and all(isinstance(entry, dict) for entry in value):
        headers, rows = _section_rows(section, value)
        yield from format_table(headers, rows)
    elif section == "code_tables" and isinstance(value, dict):
        for name, table in value.items():
            unverified = " ⚠ 未核实 / unverified" if table.get("verified") is False else ""
            yield ""
            yield f"-- {table.get('zh')} / {table.get('en')} ({name}){unverified}"
            for entry in table.get("values", ()):
                if "grades" in entry:
                    grades = ", ".join(str(grade.get("code")) for grade in entry["grades"]) or "—"
                    yield f"  {entry.get('code')}: {entry.get('zh')} / {entry.get('en')}  [{grades}]"
                else:
                    aliases = f"  (aliases: {', '.join(entry['aliases'])})" if entry.get("aliases") else ""
                    yield f"  {entry.get('code')}: {entry.get('zh')} / {entry.get('en')}{aliases}"
    else:
        yield json.dumps(value, ensure_ascii=False, indent=2)
    yield ""


def _sections() -> list[str]:
    return [key for key in loader.taxonomy() if key not in ("$schema", "version")]


@catalogue_group.command("taxonomy")
@click.option("--format", "output", type=OUTPUT, default="text", show_default=True, help="输出格式 / output format")
@click.option("--section", metavar="NAME",
              help="只显示一节，如 sectors、code_tables / show one section only, e.g. sectors or code_tables")
def taxonomy_command(output: str, section: str | None) -> None:
    """显示分类标准：主体、类别、领域、代码表 / Show the taxonomy: subjects, categories, sectors, code tables."""
    taxonomy = loader.taxonomy()
    sections = _sections()
    if section is not None and section not in sections:
        raise InputError(f"分类标准中没有“{section}”一节；可用：{'、'.join(sections)}",
                                  f"no section {section!r} in the taxonomy; choose from {', '.join(sections)}")
    chosen = [section] if section else sections
    if output == "json":
        _echo_json(taxonomy[section] if section else taxonomy)
        return
    if not section:
        click.echo(f"分类标准 / Taxonomy  v{taxonomy.get('version')}")
        click.echo("")
    for name in chosen:
        for line in _taxonomy_text(name, taxonomy[name]):
            click.echo(line)


@catalogue_group.command("docs")
@click.option("--format", "fmt", type=click.Choice(sorted(docs.FORMATS)), default="html", show_default=True,
              help="文档格式 / format of the reference")
@click.option("-o", "--output", "directory", required=True, type=click.Path(file_okay=False),
              help="输出目录（不存在则创建；不删除其他文件） / output directory (created if needed; other files kept)")
def docs_command(fmt: str, directory: str) -> None:
    """由目录数据生成可浏览的参考文档 / Generate the browsable reference from the catalogue data."""
    try:
        written = docs.write_docs(directory, fmt)
    except OSError as error:
        raise InputError(f"无法写入 {directory}：{error.strerror or error}",
                                  f"cannot write to {directory}: {error.strerror or error}") from None
    click.echo(bilingual(f"已写入 {len(written)} 个文件到 {directory}", f"{len(written)} files written to {directory}"),
               err=True)

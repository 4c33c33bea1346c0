"""The codes of ``creditstd convert``: mapping files (``mapping.*``), transforms (``convert.*``) and XML input
(``source.xml_*``), each with its Chinese and English message template.

:mod:`creditstd.codes_registry` merges :data:`CODES` into the one registry (its ``_PROVIDERS``), so every
code here is listed in the generated error-code reference.  Templates never quote the value they are
about: a cell may hold a citizen ID number.

>>> CODES['convert.date'][1].format(reason_en='month 13 does not exist')
'not a date: month 13 does not exist'
>>> sorted({code.partition('.')[0] for code in CODES})
['convert', 'mapping', 'source']
"""

from __future__ import annotations

__all__ = ["CODES", "MAPPING_CODES", "SOURCE_CODES", "TRANSFORM_CODES"]

#: Problems of a mapping file: raised as :class:`~creditstd.convert.mapping.MappingError` (exit 2), located
#: by the mapping file and line.  Fields: ``file``, ``line`` and the code's own.
MAPPING_CODES: dict[str, tuple[str, str]] = {
    "mapping.unreadable": ("无法读取映射文件 {file}：{reason}", "{file}: the mapping cannot be read: {reason}"),
    "mapping.syntax": ("{file} 第{line}行：不是有效的TOML（{reason}）",
                       "{file}, line {line}: not valid TOML ({reason})"),
    "mapping.schema": ("{file} 第{line}行（{path}）：{zh}", "{file}, line {line} ({path}): {en}"),
    "mapping.class": ("{file} 第{line}行：目录中没有记录类“{name}”",
                      "{file}, line {line}: the catalogue has no record class {name!r}"),
    "mapping.field": ("{file} 第{line}行：记录类“{class_name}”没有字段“{name}”",
                      "{file}, line {line}: record class {class_name} has no field {name!r}"),
    "mapping.duplicate": ("{file} 第{line}行：字段“{name}”已由第{first}行映射",
                          "{file}, line {line}: field {name!r} is already mapped on line {first}"),
    "mapping.xpath": ("{file} 第{line}行：XPath不在允许的安全子集内（{zh}）",
                      "{file}, line {line}: the XPath is outside the safe subset ({en})"),
    "mapping.cardinality": ("{file} 第{line}行：{zh}", "{file}, line {line}: {en}"),
    "mapping.transform": ("{file} 第{line}行：转换“{name}”的参数有误（{zh}）",
                          "{file}, line {line}: transform {name!r}: {en}"),
    "mapping.encoding": ("{file} 第{line}行：无法使用编码“{name}”（{zh}）",
                         "{file}, line {line}: the encoding {name!r} cannot be used ({en})"),
    "mapping.column": ("{file} 第{line}行映射的列“{column}”不在 {data} 中（表头：{headers}）",
                       "{file}, line {line}: column {column!r} is not in {data} (the headers are: {headers})"),
}

#: A transform or a source value that could not be converted: a finding on the record (it becomes a reject),
#: never an exception.  Fields: ``reason_zh`` / ``reason_en`` where given.
TRANSFORM_CODES: dict[str, tuple[str, str]] = {
    "convert.date": ("不是日期：{reason_zh}", "not a date: {reason_en}"),
    "convert.amount": ("不是金额：{reason_zh}", "not an amount: {reason_en}"),
    "convert.lookup": ("取值不在映射的对照表中：{reason_zh}", "the value is not in the mapping's table: {reason_en}"),
    "convert.identifier": ("无法规范化为代码：{reason_zh}", "cannot be normalised as an identifier: {reason_en}"),
    "convert.subject_category": ("无法由代码判断主体类别：{reason_zh}",
                                 "the subject category cannot be told from the identifier: {reason_en}"),
    "convert.cardinality": ("来源给出{count}个值，映射规定至多1个（需要多个值请写 many = true）",
                            "the source gives {count} values, the mapping allows one (write many = true for "
                            "several)"),
    "convert.not_text": ("来源元素含有子元素而不是文本：请让XPath指向子元素",
                         "the source element holds elements, not text: point the XPath at them"),
    "convert.not_text_item": ("列表项不是文本（JSON数组中的对象或数字）：{reason_zh}",
                              "a list item is not text (an object or a number of a JSON array): {reason_en}"),
    "convert.too_long": ("取值超过{limit}个字符，未读取", "the value is longer than {limit} characters: not read"),
}

#: XML input that cannot be read safely: raised as :class:`~creditstd.sources.model.SourceError` (exit 2),
#: naming the file and line.
SOURCE_CODES: dict[str, tuple[str, str]] = {
    "source.xml_dtd": ("{file}{where_zh}：含有文档类型声明（DOCTYPE），出于安全原因拒绝读取"
                       "（实体、外部DTD都在其中声明；信用数据导出不需要它）",
                       "{file}{where}: a document type declaration (DOCTYPE) is refused for safety (entities and "
                       "external DTDs are declared there; credit exports need none)"),
    "source.xml_entity": ("{file}{where_zh}：引用了未声明或不允许的实体，拒绝读取",
                          "{file}{where}: a reference to an undeclared or forbidden entity: refused"),
    "source.xml_syntax": ("{file}{where_zh}：不是格式正确的XML（{reason}）",
                          "{file}{where}: not well-formed XML ({reason})"),
    "source.xml_limit": ("{file}{where_zh}：超出XML安全限制（{zh}）",
                         "{file}{where}: over an XML safety limit ({en})"),
    "source.xml_too_large": ("{file}{where_zh}：一条记录（连同其前的标记）超过{limit}字节，拒绝读取",
                             "{file}{where}: a record (with the markup before it) is over {limit} bytes: refused"),
    "source.xml_prolog": ("{file}：根元素之前的内容超过{limit}字节，拒绝读取",
                          "{file}: over {limit} bytes before the root element: refused"),
    "source.xml_record_path": ("{file}：没有元素与记录路径 {record_path} 匹配（根元素为 {root}）",
                               "{file}: no element matches the record path {record_path} (the root element is "
                               "{root})"),
}

#: Every code of this package: code -> (Chinese template, English template).
CODES: dict[str, tuple[str, str]] = {**MAPPING_CODES, **TRANSFORM_CODES, **SOURCE_CODES}

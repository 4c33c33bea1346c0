"""Bring departmental exports (CSV, TSV, XLSX, XML) into the catalogue: declarative mappings, named transforms,
a safe XML record reader, and the engine that feeds the validation core.

A data steward describes an export once, in a TOML mapping file (:mod:`~creditstd.convert.mapping`, format
``schemas/mapping.schema.json``): where the records are, and for each catalogue field where its value comes
from and through which named transforms (:mod:`~creditstd.convert.transforms`) it goes.  The engine
(:mod:`~creditstd.convert.engine`) applies it to each file and yields Arrow batches of text cells named by
catalogue key, with every row's location and the findings of values that could not be converted; the
batches go to :func:`creditstd.records.plan.validate_table`, the same core as ``creditstd validate``.

>>> import os, tempfile
>>> from creditstd.records.plan import compile_plan, validate_table
>>> folder = tempfile.mkdtemp()
>>> with open(os.path.join(folder, 'export.xml'), 'w', encoding='utf-8') as stream:
...     _ = stream.write('''<?xml version="1.0" encoding="UTF-8"?>
... <ZXXX><JL XH="1"><MC> 某某科技有限公司 </MC><DM>９１３５０１００Ｍ０００１００Ｙ４３</DM><DJ>A级</DJ>
... <RQ>2024年4月1日</RQ></JL></ZXXX>''')
>>> spec = parse_mapping('''
... spec = 1
... name = "demo"
... class = "credit_rating"
... [source]
... format = "xml"
... record = "/ZXXX/JL"
... [[fields]]
... target = "subject_name"
... source = "MC"
... transforms = ["trim"]
... [[fields]]
... target = "uscc"
... source = "DM"
... transforms = ["identifier"]
... [[fields]]
... target = "subject_category"
... source = "DM"
... transforms = ["subject_category"]
... [[fields]]
... target = "grade"
... source = "DJ"
... transforms = [{ name = "lookup", code_table = "credit_grade_schemes.tax" }]
... [[fields]]
... target = "evaluation_date"
... source = "RQ"
... transforms = ["date"]
... [[fields]]
... target = "scheme"
... const = "tax"
... [[fields]]
... target = "authority"
... const = "国家税务总局某市税务局"
... [[fields]]
... target = "authority_uscc"
... const = "11350100MAD18YGF27"
... ''', 'demo.toml')
>>> [chunk] = convert_source(spec, os.path.join(folder, 'export.xml'))
>>> chunk.batch.to_pylist()[0]['uscc'], chunk.batch.to_pylist()[0]['grade'], chunk.lines.tolist()
('91350100M000100Y43', 'A', [2])
>>> validate_table(compile_plan('credit_rating'), chunk.batch, lines=chunk.lines).valid.tolist()
[True]

Modules: :mod:`~creditstd.convert.mapping` (the mapping file, its checks and errors with lines),
:mod:`~creditstd.convert.toml_lines` (the line of every TOML entry), :mod:`~creditstd.convert.transforms`
(the registry), :mod:`~creditstd.convert.xpath` (the safe XPath subset), :mod:`~creditstd.convert.xml_records`
(the safe reader), :mod:`~creditstd.convert.engine`, :mod:`~creditstd.convert.codes` (the codes they report).
"""

from creditstd.convert.engine import (
    ConvertedChunk,
    combine,
    combine_rows,
    convert_batch,
    convert_source,
    convert_tally,
    resolve_columns,
)
from creditstd.convert.mapping import FieldRule, MappingError, MappingSpec, SourceSpec, load_mapping, parse_mapping
from creditstd.convert.transforms import TRANSFORMS, TransformError
from creditstd.convert.xml_records import XmlRecord, read_records

__all__ = ["TRANSFORMS", "ConvertedChunk", "FieldRule", "MappingError", "MappingSpec", "SourceSpec",
           "TransformError", "XmlRecord", "combine", "combine_rows", "convert_batch", "convert_source", "convert_tally",
           "load_mapping", "parse_mapping", "read_records", "resolve_columns"]

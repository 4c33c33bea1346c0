"""The built-in mappings: each loads, names only catalogue fields, and converts its example export
(``examples/exports/builtin/``) through the validation core with the expected counts — every record in is
converted or rejected, the rejected ones are exactly the deliberately broken ones, each for the listed reason —
and the golden output (``tests/fixtures/convert_builtin/<mapping>.json``, written by
``scripts/make_sector_examples.py``)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from creditstd.convert import MappingError, parse_mapping
from creditstd.convert.builtin import (
    UnknownMapping,
    builtin_info,
    builtin_names,
    builtin_path,
    builtin_text,
    load_builtin,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "exports" / "builtin"
GOLDEN = Path(__file__).parent / "fixtures" / "convert_builtin"


SCRIPT_PATH = ROOT / "scripts" / "make_sector_examples.py"
NAMES = builtin_names()


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """The example-making script (not in the copy CI tests the wheel from: the tests that need it skip there)."""
    if not SCRIPT_PATH.exists():
        pytest.skip("scripts/ is not here (tests run against the installed wheel)")
    spec = importlib.util.spec_from_file_location("make_sector_examples", SCRIPT_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def example_path(name: str) -> Path:
    """The example export of built-in mapping ``name``."""
    return next(path for path in EXAMPLES.iterdir() if path.name.startswith(f"{name}.")
                and path.suffix in (".csv", ".xml"))


def convert(name: str, path: Path) -> tuple[int, list[int], dict[int, list[str]], list[dict]]:
    """Convert ``path`` with built-in mapping ``name`` through the validation core: rows, rejected record
    numbers, each rejected record's codes, and the converted records (cells) in order (as the script does,
    through the same :func:`creditstd.convert.convert_tally`)."""
    from creditstd.convert import convert_tally

    return convert_tally(load_builtin(name), str(path))


def _broken(path: Path) -> dict[int, str]:
    lines = path.with_name(path.name + ".broken.txt").read_text(encoding="utf-8").splitlines()
    return {int(number): code for number, code in (line.split("\t") for line in lines if not line.startswith("#"))}


def test_the_shipped_mappings() -> None:
    assert set(NAMES) == {"sgs-licence-csv", "sgs-penalty-csv", "sgs-licence-xml", "sgs-penalty-xml", "tax-credit-xml",
                          "court-dishonest-xml", "environment-credit-csv", "customs-credit-xml"}
    assert {path.name for path in EXAMPLES.iterdir() if path.suffix in (".csv", ".xml")} == \
        {example_path(name).name for name in NAMES}


def test_the_script_makes_an_example_of_each(script: ModuleType) -> None:
    assert set(NAMES) == set(script.MAKERS)
    for name in NAMES:
        assert script.example_path(name) == example_path(name)


@pytest.mark.parametrize("name", NAMES)
def test_each_loads_and_describes_itself_in_both_languages(name: str) -> None:
    spec = load_builtin(name)
    assert spec.name == name and spec.file == f"builtin:{name}"
    info = builtin_info(name)
    assert info.title_zh and info.title_en and info.title_zh != info.title_en
    assert builtin_path(name).read_text(encoding="utf-8") == builtin_text(name) == spec.text
    assert [rule.target for rule in parse_mapping(builtin_text(name)).fields] == [rule.target for rule in spec.fields]
    if not name.startswith("sgs-"):  # sector formats are invented: said so in the title and the description
        assert "虚构" in info.title_zh and "invented" in info.title_en
        assert "INVENTED FORMAT: realistic, not real" in spec.text


def test_an_unknown_name_lists_the_names() -> None:
    with pytest.raises(UnknownMapping) as caught:
        load_builtin("tax-credit")
    assert isinstance(caught.value, MappingError) and caught.value.code == "mapping.unreadable"
    for name in NAMES:
        assert name in caught.value.message_en and name in caught.value.message_zh


@pytest.mark.parametrize("name", NAMES)
def test_each_converts_its_example_as_the_golden_says(name: str) -> None:
    path = example_path(name)
    broken = _broken(path)
    golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    rows, rejected, codes, converted = convert(name, path)
    # rows in = records out + rejects, and the rejects are exactly the broken rows, each for its reason
    assert rows == golden["records"] == len(converted)
    assert sorted(rejected) == sorted(broken) == golden["rejected"]
    assert len(broken) >= rows // 12
    for number, code in broken.items():
        assert code in codes[number], (number, code, codes[number])
    assert not set(codes) - set(broken)
    assert converted[:len(golden["first"])] == golden["first"]
    assert golden["example"] == path.relative_to(ROOT).as_posix()


def test_the_national_csv_mapping_reads_chinese_headers_too() -> None:
    """The department export with Chinese column titles (examples/exports/administrative_penalty.csv) needs no
    mapping of its own: the field codes the mapping names are found under their Chinese names."""
    from creditstd.convert import ConvertedChunk, convert_source

    chunks = [chunk for chunk in convert_source(load_builtin("sgs-penalty-csv"),
                                                str(ROOT / "examples" / "exports" / "administrative_penalty.csv"))
              if isinstance(chunk, ConvertedChunk)]
    assert sum(len(chunk) for chunk in chunks) == 200
    assert chunks[0].batch.column("subject_name").null_count < 10


def test_the_national_xml_mapping_reads_any_record_element_names() -> None:
    """<Records><Record> (creditstd fake's XML) and <DATA><ROW> alike."""
    from creditstd.convert import ConvertedChunk, convert_source

    chunks = [chunk for chunk in convert_source(load_builtin("sgs-licence-xml"),
                                                str(ROOT / "examples" / "exports" / "administrative_licence.xml"))
              if isinstance(chunk, ConvertedChunk)]
    assert sum(len(chunk) for chunk in chunks) == 100
    assert "<DATA>" in (EXAMPLES / "sgs-penalty-xml.xml").read_text(encoding="utf-8")[:200]


#: Fields a mapping fills in a form of its own (the grade as the export writes it), not the record's.
OWN_FORM = {"grade_name"}


@pytest.mark.parametrize("name", NAMES)
def test_each_example_converts_back_to_the_records_it_was_made_from(name: str, tmp_path: Path, script: ModuleType,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record not broken on purpose comes out of its sector format exactly as creditstd fake made it
    (dates written 2024年3月5日, amounts in 元 with separators, colour and grade labels, full-width codes...)."""
    from creditstd.convert import ConvertedChunk, convert_source
    from creditstd.records.plan import compile_plan, decode_rows

    monkeypatch.setattr(script, "OUT", tmp_path)
    path, count, listing = script.MAKERS[name]()
    drawn = list(script.LAST_DRAWN)
    assert len(drawn) == count
    broken = {number for number, _ in listing}
    spec = load_builtin(name)
    plan = compile_plan(spec.class_name)
    targets = {rule.target for rule in spec.fields} - OWN_FORM
    compared = 0
    for chunk in convert_source(spec, str(path)):
        assert isinstance(chunk, ConvertedChunk)
        numbers = chunk.records.tolist()
        for number, record in zip(numbers, decode_rows(plan, chunk.batch), strict=True):
            if number in broken:
                continue
            original = drawn[number - 1]
            expected = {key: value for key, value in original.items() if key in targets}
            assert {key: value for key, value in record.items() if key in targets} == expected, number
            compared += 1
    assert compared == count - len(broken)

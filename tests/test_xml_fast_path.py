"""The XML reader's one pass over a record (``_read`` with ``_plan``) gives what the reference gives
(:func:`reference_values`: every path evaluated on its own), and the batches give what the records give.

Random record trees (repeated and nested children, attributes, comments, processing instructions, empty and
long texts) and random mappings (one-step paths, longer ones, ``*``, attributes, ``text()``, predicates, with
and without ``many``) must read the same values and problems, in the same order, both ways.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from creditstd.convert.xml_records import XmlRecord, _plan, _read, read_batches, read_records, reference_values
from creditstd.convert.xpath import compile_path, compile_record_path
from creditstd.sources.model import SourceError

TAGS = ["A", "B", "C"]
TEXTS = st.sampled_from(["", " ", "x", "甲公司", "0123456789", "  y  "])
PATHS = [
    "A",
    "B",
    "C",
    "*",
    "A/B",
    "A/*",
    "B/C/A",
    "@id",
    "A/@id",
    "B/@t",
    "text()",
    "A/text()",
    ".",
    "A[1]",
    "A[@id]",
    "B[last()]",
    "*[@t = '1']/A",
    "A[B]",
]


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    """A random element as XML text: attributes, a text, children (elements, comments, PIs), tails."""
    tag = draw(st.sampled_from(TAGS))
    attributes = "".join(
        f' {name}="{value}"'
        for name, value in (
            ("id", draw(st.sampled_from(["", "7", None]))),
            ("t", draw(st.sampled_from(["1", "2", None]))),
        )
        if value is not None
    )
    parts = [draw(TEXTS)]
    if depth < 2:
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.sampled_from(["element", "element", "comment", "pi"]))
            parts.append(
                draw(element(depth + 1)) if kind == "element" else "<!--c-->" if kind == "comment" else "<?p x?>"
            )
            parts.append(draw(TEXTS))
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


@st.composite
def record(draw: st.DrawFn) -> str:
    children = draw(st.lists(st.one_of(element(1), st.just("<!--note-->"), TEXTS), max_size=8))
    identifier = draw(st.sampled_from(["", ' id="r1"', ' id=""']))
    return f"<Record{identifier}>{''.join(children)}</Record>"


@settings(deadline=None, max_examples=400)
@given(
    record(),
    st.lists(st.tuples(st.sampled_from(PATHS), st.booleans()), min_size=1, max_size=6),
    st.lists(st.booleans(), max_size=6),
    st.integers(1, 12),
)
def test_the_one_pass_reads_what_the_reference_reads(
    text: str, rules: list[tuple[str, bool]], absent: list[bool], max_chars: int
) -> None:
    element_ = etree.fromstring(text)
    sources = [
        None if index < len(absent) and absent[index] else (compile_path(expression), many)
        for index, (expression, many) in enumerate(rules)
    ]
    assert _read(element_, _plan(sources), max_chars) == reference_values(element_, sources, max_chars)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<Record><A>甲</A><A>乙</A></Record>", ((None,), ("convert.cardinality",))),
        ("<Record><A><B/></A><A>乙</A></Record>", ((None,), ("convert.not_text", "convert.cardinality"))),
        ("<Record><A>甲<!--c-->乙</A></Record>", (("甲乙",), ())),
        ("<Record><A><!--c--></A></Record>", ((None,), ())),
        ("<Record><A>123456789</A></Record>", ((None,), ("convert.too_long",))),
        ("<Record><A/><B>甲</B></Record>", ((None,), ())),
    ],
)
def test_one_step_text_rules(text: str, expected: tuple[tuple[object, ...], tuple[str, ...]]) -> None:
    sources = [(compile_path("A"), False)]
    values, problems = _read(etree.fromstring(text), _plan(sources), 8)
    assert (values, tuple(problem.code for problem in problems)) == expected
    assert (values, problems) == reference_values(etree.fromstring(text), sources, 8)


def _export(tmp_path: Path, records: int, tail: str = "</Records>") -> Path:
    path = tmp_path / "export.xml"
    path.write_text(
        "<Records>\n"
        + "".join(
            f'<Record id="{i}"><A>{i}</A><A>{i}</A></Record>\n'
            if i % 3 == 0
            else f'<Record id="{i}"><A>{i}</A></Record>\n'
            for i in range(records)
        )
        + tail,
        encoding="utf-8",
    )
    return path


SOURCES = [(compile_path("A"), False), (compile_path("@id"), False)]
RECORD = compile_record_path("/Records/Record")


@pytest.mark.parametrize(("records", "batch_rows"), [(0, 3), (1, 3), (7, 3), (9, 3), (10, 1), (10, 100)])
def test_batches_hold_the_records_in_order(tmp_path: Path, records: int, batch_rows: int) -> None:
    path = str(_export(tmp_path, records))
    batches = list(read_batches(path, RECORD, SOURCES, batch_rows=batch_rows))
    assert [len(batch) for batch in batches] == [
        min(batch_rows, records - start) for start in range(0, records, batch_rows)
    ]
    flattened = [
        XmlRecord(
            batch.start + row,
            batch.lines[row],
            batch.rows[row],
            tuple(problem for at, problem in batch.problems if at == row),
            path,
        )
        for batch in batches
        for row in range(len(batch))
    ]
    assert flattened == list(read_records(path, RECORD, SOURCES))
    assert [record.index for record in flattened] == list(range(1, records + 1))
    assert [record.line for record in flattened] == list(range(2, records + 2))
    assert [record.values for record in flattened[:2]] == [(None, "0"), ("1", "1")][:records]  # record 0: A twice


def test_a_broken_file_gives_the_records_before_the_problem_then_the_error(tmp_path: Path) -> None:
    path = str(_export(tmp_path, 5, tail="<Record><A>x</Records>"))
    seen = []
    with pytest.raises(SourceError) as caught:
        for batch in read_batches(path, RECORD, SOURCES, batch_rows=100):
            seen.append(len(batch))
    assert seen == [5] and caught.value.code == "source.xml_syntax"


def test_a_batch_ends_after_its_bytes_however_few_records_it_holds(tmp_path: Path) -> None:
    # records of 150 kB each: 8,192 of them to a batch would be gigabytes; a byte bound hands each on by itself
    path = tmp_path / "large.xml"
    big = "甲" * 50_000
    path.write_text("<Records>" + "".join(f"<Record><A>{index}{big}</A></Record>" for index in range(5))
                    + "</Records>", encoding="utf-8")
    batches = list(read_batches(str(path), RECORD, SOURCES, batch_rows=8192, batch_bytes=100_000))
    assert [len(batch) for batch in batches] == [1, 1, 1, 1, 1]
    assert [batch.start for batch in batches] == [1, 2, 3, 4, 5]
    assert [batch.rows[0][0][:1] for batch in batches] == ["0", "1", "2", "3", "4"]
    # with room for them, the same records come in one batch
    assert [len(batch) for batch in read_batches(str(path), RECORD, SOURCES, batch_bytes=1 << 30)] == [5]

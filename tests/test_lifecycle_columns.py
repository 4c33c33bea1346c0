"""lifecycle_texts (the lifecycles of a batch as date arithmetic over columns) equals the canonical JSON of
publication.lifecycle row by row: for every class with a display period, every rule set (chosen or named),
the days the rule sets change, month ends, the last representable day, broken dates and blanks."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditstd.exceptions import CatalogueError
from creditstd.records import loader
from creditstd.records.jsonline import dumps_record
from creditstd.records.lifecycle_columns import lifecycle_texts
from creditstd.records.model import record_class
from creditstd.records.plan import compile_plan, decode_rows, table_cells
from creditstd.records.publication import _roles_read, lifecycle

CLASSES = sorted(loader.index()["classes"])
RULE_SETS = [None] + [rule_set["id"] for rule_set in loader.display_rules()["rule_sets"]]
#: Days the rule sets change on, and the days either side; month ends; the ends of the calendar.
EDGES = ["2021-08-31", "2021-09-01", "2023-04-30", "2023-05-01", "2025-12-24", "2025-12-25", "2026-03-31",
         "2026-04-01", "2024-02-29", "2024-08-31", "2023-11-30", "0001-01-01", "9999-12-31", "9998-12-31"]
DAYS = st.one_of(st.sampled_from(EDGES), st.dates(date(2015, 1, 1), date(2030, 12, 31)).map(date.isoformat),
                 st.sampled_from(["", "2024-02-30", "20240305", "2024/3/5", "不详"]))
#: Values the rule conditions look at, with vendor codes, unknowns and blanks.
VALUES = {
    "penalty_types": ["", "警告", "通报批评", "警告；通报批评", "罚款", "警告；罚款", "限制从业",
                      "罚款；限制开展生产经营活动", "吊销许可证件", "没收违法所得、没收非法财物"],
    "fine_amount": ["", "0", "0.2", "1", "1.0", "1.5", "10", "x", "-1"],
    "severity": ["", "轻微", "一般", "较重", "严重", "未定", "0", "1", "2", "3"],
    "procedure": ["", "简易程序", "普通程序"],
    "sector": ["", "tax", "production_safety", "fire_safety", "product_quality", "food_drugs", "nonsense"],
    "authority": ["", "某市市场监督管理局", "某县市场监管局", "某省药品监督管理局", "国家税务总局某市税务局",
                  "某市应急管理局"],
}


def _columns(class_name: str) -> dict[str, st.SearchStrategy[str]]:
    """A strategy per field the lifecycle reads: dates for the date roles, the listed values for the rest."""
    cls = record_class(class_name)
    roles = _roles_read()
    columns: dict[str, st.SearchStrategy[str]] = {}
    for key, spec in cls.fields.items():
        if key == "authority":
            columns[key] = st.sampled_from(VALUES["authority"])
        elif spec.role in VALUES:
            columns[key] = st.sampled_from(VALUES[spec.role])
        elif spec.role in roles:
            columns[key] = DAYS
    return columns


def _rows_path(class_name: str, batch: pa.RecordBatch, on: date, rule_set: str | None) -> list[str]:
    return [dumps_record(lifecycle(record, class_name, on=on, rule_set=rule_set).to_json(), canonical=True)
            for record in decode_rows(compile_plan(class_name), batch)]


@pytest.mark.parametrize("class_name", CLASSES)
@settings(max_examples=40, deadline=None)
@given(data=st.data(), on=st.one_of(st.sampled_from([date(2026, 4, 1), date(2025, 12, 25)]),
                                    st.dates(date(2016, 1, 1), date(2032, 1, 1))),
       rule_set=st.sampled_from(RULE_SETS))
def test_lifecycle_texts_equal_the_row_path(class_name: str, data: st.DataObject, on: date,
                                            rule_set: str | None) -> None:
    columns = _columns(class_name)
    count = data.draw(st.integers(1, 25))
    cells = {key: data.draw(st.lists(strategy, min_size=count, max_size=count)) for key, strategy in columns.items()}
    batch = pa.RecordBatch.from_pydict(cells or {"_": [""] * count})
    try:
        expected = _rows_path(class_name, batch, on, rule_set)
    except CatalogueError as error:  # a named rule set of another kind of display period: refused alike
        with pytest.raises(CatalogueError) as raised:
            lifecycle_texts(class_name, table_cells(compile_plan(class_name), batch), count, on=on, rule_set=rule_set)
        assert raised.value.code == error.code
        return
    made = lifecycle_texts(class_name, table_cells(compile_plan(class_name), batch), count, on=on, rule_set=rule_set)
    assert made.to_pylist() == expected


def test_every_status_and_selection_is_reached() -> None:
    """One row per status (a future decision is pending; a restriction lengthens the window), checked alike."""
    batch = pa.RecordBatch.from_pydict({
        "decision_date": ["2024-01-31", "2026-05-01", "", "2020-01-01", "2026-11-01"],
        "penalty_types": ["罚款", "警告", "罚款", "罚款", "罚款；限制从业"],
        "authority": ["某市市场监督管理局", "某市税务局", "某市税务局", "某市税务局", "某市市场监管局"],
        "valid_until": ["", "", "", "", "2031-02-28"],
    })
    on = date(2026, 6, 1)
    expected = _rows_path("administrative_penalty", batch, on, None)
    made = lifecycle_texts("administrative_penalty", table_cells(compile_plan("administrative_penalty"), batch), 5,
                           on=on)
    assert made.to_pylist() == expected
    statuses = [text.rsplit('"status":"', 1)[1] for text in expected]
    assert statuses == ['published"}', 'not_published"}', 'pending"}', 'expired"}', 'pending"}']
    assert '"display_until":"2031-03-01"' in expected[4]  # lengthened to the restriction's end, shown that day

"""The credit information taxonomy (catalogue/taxonomy.json) and its JSON Schema."""

from __future__ import annotations

import copy
import json
from collections import Counter
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from creditstd.records import loader

TOP_LEVEL_KEYS = {
    "$schema",
    "version",
    "subject_types",
    "information_categories",
    "openness",
    "sensitivity",
    "sectors",
    "code_tables",
}
CLASS_LISTS = ["subject_types", "information_categories", "openness", "sensitivity", "sectors"]
REQUIRED_TABLES = {
    "subject_category",
    "id_type",
    "licence_category",
    "penalty_category",
    "penalty_category_1996",
    "licence_status",
    "entity_status",
    "serious_dishonesty_list",
    "credit_grade_schemes",
}
# The 26 sector concepts the national plan, its 2014–2016 task split and the 2016 opinions name: each entry is a
# substring one sector's zh name must contain.
REQUIRED_SECTOR_CONCEPTS = [
    "政务诚信",
    "安全生产",
    "产品质量",
    "食品药品",
    "流通",
    "金融",
    "税务",
    "价格",
    "工程建设",
    "政府采购",
    "招标投标",
    "交通运输",
    "电子商务",
    "统计",
    "中介服务",
    "会展、广告",
    "医药卫生",
    "社会保障",
    "劳动用工",
    "教育、科研",
    "文化、体育、旅游",
    "知识产权",
    "环境保护和能源节约",
    "社会组织",
    "互联网应用及服务",
    "司法公信",
]


@pytest.fixture(scope="module")
def taxonomy() -> dict:
    return copy.deepcopy(loader.taxonomy())  # the installed package data; tests may modify their copy


@pytest.fixture(scope="module")
def schema() -> dict:
    return loader.meta_schema("taxonomy.schema.json")


@pytest.fixture(scope="module")
def validator(schema: dict) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _duplicates(items) -> list:
    return sorted(item for item, count in Counter(items).items() if count > 1)


def _code_tables(taxonomy: dict) -> dict:
    """The plain code tables (every table except the grade schemes)."""
    return {name: table for name, table in taxonomy["code_tables"].items() if name != "credit_grade_schemes"}


# --- schema -----------------------------------------------------------------------------------------------------


def test_schema_identity(schema: dict) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://creditstd.dev/schemas/taxonomy/1.0.0"


def test_taxonomy_validates(validator: Draft202012Validator, taxonomy: dict) -> None:
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(taxonomy)]
    assert errors == []


def test_file_format(taxonomy: dict) -> None:
    text = (files("creditstd.catalogue") / "taxonomy.json").read_text(encoding="utf-8")
    assert set(taxonomy) == TOP_LEVEL_KEYS
    assert taxonomy["$schema"] == "../schemas/taxonomy.schema.json"
    assert taxonomy["version"] == "1.0.0"
    # pretty-printed with two spaces, Chinese kept as is
    assert text == json.dumps(taxonomy, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(
    ("path", "bad_value"),
    [
        (("subject_types", 0, "code"), "Legal-Person"),
        (("sectors", 0, "departments"), []),
        (("sectors", 0, "departments", 0, "role"), "owner"),
        (("sectors", 0, "source", "seed"), ""),
        (("sensitivity", 0, "rank"), 4),
        (("openness", 0, "verified"), "no"),
        (("code_tables", "id_type", "values"), []),
        (("version",), "1.0"),
    ],
)
def test_schema_rejects_bad_values(validator: Draft202012Validator, taxonomy: dict, path: tuple, bad_value) -> None:
    broken = copy.deepcopy(taxonomy)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = bad_value
    assert not validator.is_valid(broken)


@pytest.mark.parametrize(
    "where",
    [
        ("subject_types", 0),
        ("sectors", 0),
        ("sectors", 0, "source"),
        ("code_tables", "entity_status", "values", 0),
        ("code_tables", "credit_grade_schemes", "values", 0),
    ],
)
def test_schema_rejects_unknown_properties(validator: Draft202012Validator, taxonomy: dict, where: tuple) -> None:
    broken = copy.deepcopy(taxonomy)
    target = broken
    for key in where:
        target = target[key]
    target["unexpected"] = "x"
    assert not validator.is_valid(broken)


def test_schema_rejects_bad_table_name(validator: Draft202012Validator, taxonomy: dict) -> None:
    broken = copy.deepcopy(taxonomy)
    broken["code_tables"]["Bad-Name"] = copy.deepcopy(broken["code_tables"]["entity_status"])
    assert not validator.is_valid(broken)


def test_schema_requires_unverified_for_empty_grades(validator: Draft202012Validator, taxonomy: dict) -> None:
    broken = copy.deepcopy(taxonomy)
    scheme = broken["code_tables"]["credit_grade_schemes"]["values"][0]
    scheme["grades"] = []
    scheme["verified"] = True
    assert not validator.is_valid(broken)


# --- uniqueness ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", CLASS_LISTS)
def test_codes_unique_in_lists(taxonomy: dict, key: str) -> None:
    assert _duplicates(item["code"] for item in taxonomy[key]) == []


def test_sector_names_unique(taxonomy: dict) -> None:
    assert _duplicates(sector["zh"] for sector in taxonomy["sectors"]) == []
    assert _duplicates(sector["en"] for sector in taxonomy["sectors"]) == []


def test_code_table_codes_and_aliases_unique(taxonomy: dict) -> None:
    for name, table in _code_tables(taxonomy).items():
        codes = [value["code"] for value in table["values"]]
        aliases = [alias for value in table["values"] for alias in value.get("aliases", [])]
        assert _duplicates(codes) == [], name
        assert _duplicates(aliases) == [], name
        assert set(codes).isdisjoint(aliases), name
        assert _duplicates(value["zh"] for value in table["values"]) == [], name


def test_grade_scheme_codes_unique(taxonomy: dict) -> None:
    schemes = taxonomy["code_tables"]["credit_grade_schemes"]["values"]
    assert _duplicates(scheme["code"] for scheme in schemes) == []
    for scheme in schemes:
        assert _duplicates(grade["code"] for grade in scheme["grades"]) == [], scheme["code"]
        assert _duplicates(grade["rank"] for grade in scheme["grades"]) == [], scheme["code"]
        assert sorted(grade["rank"] for grade in scheme["grades"]) == list(range(1, len(scheme["grades"]) + 1))


# --- content ----------------------------------------------------------------------------------------------------


def test_subject_types(taxonomy: dict) -> None:
    by_code = {item["code"]: item for item in taxonomy["subject_types"]}
    assert set(by_code) == {"legal_person", "individual_business", "natural_person", "government"}
    assert by_code["legal_person"]["identifiers"] == ["uscc"]
    assert set(by_code["individual_business"]["identifiers"]) == {"uscc", "regno"}
    assert {"citizen_id", "residence_permit", "foreigner_pr", "other"} <= set(by_code["natural_person"]["identifiers"])


def test_information_categories(taxonomy: dict) -> None:
    codes = [item["code"] for item in taxonomy["information_categories"]]
    assert codes == ["basic", "dishonesty_general", "dishonesty_serious", "trustworthiness", "other"]


def test_openness_is_unverified(taxonomy: dict) -> None:
    assert [item["code"] for item in taxonomy["openness"]] == ["public", "conditional", "government_sharing"]
    assert all(item["verified"] is False for item in taxonomy["openness"])


def test_sensitivity_ranks(taxonomy: dict) -> None:
    ranks = {item["code"]: item["rank"] for item in taxonomy["sensitivity"]}
    assert ranks == {"public": 0, "internal": 1, "personal": 2, "sensitive_personal": 3}


def test_every_required_sector_concept_present(taxonomy: dict) -> None:
    names = [sector["zh"] for sector in taxonomy["sectors"]]
    missing = [concept for concept in REQUIRED_SECTOR_CONCEPTS if not any(concept in name for name in names)]
    assert missing == []
    assert len(taxonomy["sectors"]) >= len(REQUIRED_SECTOR_CONCEPTS)


def test_sectors_have_departments_and_sources(taxonomy: dict) -> None:
    for sector in taxonomy["sectors"]:
        assert sector["departments"], sector["code"]
        for department in sector["departments"]:
            assert department["zh"].strip() and department["en"].strip(), sector["code"]
            assert department["role"] in {"lead", "responsible", "participant"}
        assert _duplicates(department["zh"] for department in sector["departments"]) == [], sector["code"]
        source = sector["source"]
        assert isinstance(source["seed"], str) and source["seed"].strip(), sector["code"]
        assert isinstance(source["section"], str) and source["section"].strip(), sector["code"]


def test_sector_parents_exist(taxonomy: dict) -> None:
    codes = {sector["code"] for sector in taxonomy["sectors"]}
    for sector in taxonomy["sectors"]:
        if "parent" in sector:
            assert sector["parent"] in codes, sector["code"]
            assert sector["parent"] != sector["code"]


def test_sector_references_exist(taxonomy: dict) -> None:
    sectors = {sector["code"] for sector in taxonomy["sectors"]}
    for value in taxonomy["code_tables"]["serious_dishonesty_list"]["values"]:
        assert "department" in value, value["code"]
        if "sector" in value:
            assert value["sector"] in sectors, value["code"]
    for scheme in taxonomy["code_tables"]["credit_grade_schemes"]["values"]:
        if "sector" in scheme:
            assert scheme["sector"] in sectors, scheme["code"]


def test_code_tables_complete(taxonomy: dict) -> None:
    tables = taxonomy["code_tables"]
    assert set(tables) >= REQUIRED_TABLES
    for name, table in tables.items():
        assert table["zh"].strip() and table["en"].strip(), name
        assert table["values"], name


def test_grade_schemes_empty_only_when_unverified(taxonomy: dict) -> None:
    schemes = {scheme["code"]: scheme for scheme in taxonomy["code_tables"]["credit_grade_schemes"]["values"]}
    assert {"tax", "customs", "environment"} <= set(schemes)
    for code, scheme in schemes.items():
        if not scheme["grades"]:
            assert scheme["verified"] is False, code
    assert [grade["code"] for grade in schemes["tax"]["grades"]] == ["A", "B", "M", "C", "D"]


def test_vendor_aliases(taxonomy: dict) -> None:
    tables = taxonomy["code_tables"]

    def alias_map(name: str) -> dict[str, str]:
        return {alias: value["zh"] for value in tables[name]["values"] for alias in value.get("aliases", [])}

    assert alias_map("subject_category") == {
        "01": "自然人",
        "02": "法人及非法人组织",
        "03": "法人及非法人组织",
        "04": "个体工商户",
    }
    assert sorted(alias_map("id_type")) == ["01", "02", "03", "04", "05"]
    assert sorted(alias_map("licence_category")) == ["01", "02", "03", "04", "05", "06"]


def test_penalty_categories(taxonomy: dict) -> None:
    tables = taxonomy["code_tables"]
    current = [value["zh"] for value in tables["penalty_category"]["values"]]
    assert len(current) == 14 and current[0] == "警告" and current[-1] == "其他"
    assert tables["penalty_category"]["verified"] is False
    assert len(tables["penalty_category_1996"]["values"]) == 7


def test_unverified_tables_flagged(taxonomy: dict) -> None:
    tables = taxonomy["code_tables"]
    assert tables["licence_status"]["verified"] is False
    assert [value["code"] for value in tables["entity_status"]["values"]] == ["1", "2", "3", "4", "9"]

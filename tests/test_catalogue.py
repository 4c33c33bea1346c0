"""The catalogue as data: every class follows the meta-schema and refers only to things that exist."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema import Draft202012Validator

from creditstd import catalogue
from creditstd.exceptions import CatalogueError
from creditstd.records import loader
from creditstd.records.publication import get_rule_set

CLASSES = loader.class_names()

#: 双公示 national field codes, in order (../shared/reference/standards.md §6a).
PENALTY_CODES = [
    "CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_XDR_GSZC", "CF_XDR_ZZJG", "CF_XDR_SWDJ", "CF_XDR_SYDW",
    "CF_XDR_SHZZ", "CF_FRDB", "CF_FR_ZJLX", "CF_FR_ZJHM", "CF_XDR_ZJLX", "CF_XDR_ZJHM", "CF_WSH", "CF_WFXW",
    "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_NR_WFFF", "CF_NR_ZKDX", "CF_JDRQ", "CF_YXQ", "CF_GSJZQ",
    "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM", "BZ",
]
PENALTY_REQUIRED = ["CF_XDR_MC", "CF_XDR_LB", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_JDRQ",
                    "CF_YXQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM"]
LICENCE_CODES = [
    "XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ", "XK_XDR_SYDW",
    "XK_XDR_SHZZ", "XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XDR_ZJLX", "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH",
    "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR", "XK_JDRQ", "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM", "XK_ZT",
    "XK_LYDW", "XK_LYDWDM", "BZ",
]
LICENCE_REQUIRED = ["XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKJGDM"]


@pytest.fixture(scope="module")
def meta() -> Draft202012Validator:
    schema = loader.meta_schema("catalogue-class.meta.schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("name", CLASSES)
def test_class_follows_the_meta_schema(name: str, meta: Draft202012Validator) -> None:
    schema = loader.class_schema(name)
    Draft202012Validator.check_schema(schema)
    errors = [f"{list(error.absolute_path)}: {error.message[:200]}" for error in meta.iter_errors(schema)]
    assert not errors, errors
    assert schema["x-class"] == name and schema["$id"].endswith(f"/{name}.schema.json")


def test_ids_are_unique() -> None:
    ids = [loader.class_schema(name)["$id"] for name in CLASSES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", CLASSES)
def test_class_refers_only_to_known_codes(name: str) -> None:
    taxonomy = loader.taxonomy()
    cls = catalogue.get_class(name)
    codes = {section: {item["code"] for item in taxonomy[section]}
             for section in ("subject_types", "information_categories", "openness", "sensitivity", "sectors")}
    classification = cls.classification
    assert set(classification["subject_types"]) <= codes["subject_types"]
    assert classification["category"] in codes["information_categories"]
    assert set(classification["sectors"]) <= codes["sectors"]
    assert classification["openness"] in codes["openness"]
    assert classification["sensitivity"] in codes["sensitivity"]
    for field in cls.fields.values():
        assert field.openness in codes["openness"] and field.sensitivity in codes["sensitivity"]
        assert field.code_table is None or field.code_table in taxonomy["code_tables"], field.key
    assert set(cls.identity) <= set(cls.fields), "identity fields must exist"
    for rule in cls.rules:
        for parameter in ("field", "other", "uscc", "orgcode"):
            if parameter in rule and rule[parameter] != "today":
                assert rule[parameter] in cls.fields, (name, rule)
    for conditional in cls.conditionals:
        assert set(conditional["then"].get("required", [])) <= set(cls.fields), (name, conditional["x-rule"])


@pytest.mark.parametrize("name", CLASSES)
def test_national_field_codes_and_keys_are_unique_within_a_class(name: str) -> None:
    cls = catalogue.get_class(name)
    codes = [field.code for field in cls.fields.values() if field.code]
    assert len(codes) == len(set(codes))
    rule_ids = [conditional["x-rule"] for conditional in cls.conditionals]
    assert len(rule_ids) == len(set(rule_ids))


@pytest.mark.parametrize("name", CLASSES)
def test_personal_identifiers_are_never_published_in_clear(name: str) -> None:
    for field in catalogue.get_class(name).fields.values():
        if field.sensitivity == "sensitive_personal" and field.openness == "public":
            assert field.mask and field.mask["rule"] in ("id_number", "drop"), field.key


@pytest.mark.parametrize("name", CLASSES)
def test_publication_follows_the_stricter_of_class_and_field_openness(name: str) -> None:
    """A class's openness caps its fields': objections and credit repairs (government sharing) and contract
    performance (conditional) publish nothing even though some of their fields are marked public."""
    from datetime import date

    from creditstd.records.fake import fake_records
    from creditstd.records.masking import effective_openness, for_publication, public_fields

    cls = catalogue.get_class(name)
    record = next(iter(fake_records(name, 1, seed=11, on=date(2026, 6, 30)))).record
    public = public_fields(record, name)
    if cls.classification["openness"] != "public":
        assert public == {} and for_publication(record, name, on=date(2026, 6, 30)) is None
    for key in public:
        assert effective_openness(cls.classification["openness"], cls.fields[key].openness) == "public"
    assert effective_openness("government_sharing", "public") == "government_sharing"
    assert effective_openness("conditional", "public") == "conditional"
    assert effective_openness("public", "conditional") == "conditional"


@pytest.mark.parametrize("name", CLASSES)
def test_display_rule_kind_is_served_by_a_rule_set_whose_roles_exist(name: str) -> None:
    cls = catalogue.get_class(name)
    kind = cls.classification["display_rule"]
    if kind is None:
        return
    serving = [rule_set for rule_set in loader.display_rules()["rule_sets"] if kind in rule_set["applies_to"]]
    assert serving, f"no rule set applies to display rule {kind!r}"
    roles = {field.role for field in cls.fields.values()}
    for rule_set in serving:
        assert set(rule_set["start"]) & roles, (name, rule_set["id"], "no start date role")
        for rule in rule_set["rules"]:
            for role in (rule.get("period", {}).get("until"), rule.get("extend_to")):
                assert role is None or role in roles, (name, rule_set["id"], role)


def test_rule_sets_are_unique_and_the_default_exists() -> None:
    rules = loader.display_rules()
    ids = [rule_set["id"] for rule_set in rules["rule_sets"]]
    assert len(ids) == len(set(ids)) and rules["default"] in ids
    assert get_rule_set()["id"] == rules["default"]
    for rule_set in rules["rule_sets"]:
        assert rule_set["rules"][-1]["when"] == {}, f"{rule_set['id']} needs a catch-all last rule"
        assert isinstance(rule_set["verified"], bool)
    with pytest.raises(CatalogueError) as caught:
        get_rule_set("nope")
    assert caught.value.code == "catalogue.unknown_rule_set"


def test_penalty_national_field_codes_match_the_reference() -> None:
    cls = catalogue.get_class("administrative_penalty")
    codes = [field.code for field in cls.fields.values() if field.code]
    assert codes == PENALTY_CODES
    assert {field.code for field in cls.fields.values() if field.required} == set(PENALTY_REQUIRED)
    assert cls.field_by_code("CF_NR_FK").unit == "万元"


def test_licence_national_field_codes_match_the_reference() -> None:
    cls = catalogue.get_class("administrative_licence")
    assert [field.code for field in cls.fields.values() if field.code] == LICENCE_CODES
    required = {field.code for field in cls.fields.values() if field.required}
    assert set(LICENCE_REQUIRED) <= required


def test_unknown_class_is_a_bilingual_catalogue_error() -> None:
    with pytest.raises(CatalogueError) as caught:
        catalogue.get_class("no_such_class")
    assert caught.value.code == "catalogue.unknown_class"
    assert "administrative_penalty" in caught.value.message_en and "目录中没有" in caught.value.message_zh


def test_catalogue_version_and_schema_registry() -> None:
    assert loader.index()["version"] == catalogue.VERSION
    registry = loader.registry()
    for name in CLASSES:
        assert registry.contents(loader.class_schema(name)["$id"])["x-class"] == name
    with pytest.raises(jsonschema.exceptions.SchemaError):
        Draft202012Validator.check_schema({"type": 3})


@pytest.mark.parametrize("name", CLASSES)
def test_class_sensitivity_is_at_least_that_of_its_most_sensitive_field(name: str) -> None:
    rank = {level["code"]: level["rank"] for level in loader.taxonomy()["sensitivity"]}
    cls = catalogue.get_class(name)
    assert rank[cls.classification["sensitivity"]] >= max(rank[field.sensitivity] for field in cls.fields.values())


def test_catalogue_data_handed_out_cannot_be_changed_by_a_caller() -> None:
    data = [loader.index(), loader.taxonomy(), loader.display_rules(), loader.meta_schema("taxonomy.schema.json"),
            *(loader.class_schema(name) for name in loader.class_names()),
            *(loader.inlined_class_schema(name) for name in loader.class_names())]
    stack: list[object] = list(data)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            assert isinstance(node, loader.ReadOnlyDict)
            stack.extend(node.values())
        elif isinstance(node, list):
            assert isinstance(node, loader.ReadOnlyList)
            stack.extend(node)
    for attempt in (lambda: loader.taxonomy()["sectors"].clear(), lambda: loader.taxonomy().pop("sectors"),
                    lambda: loader.class_schema("administrative_penalty")["properties"].update(x={}),
                    lambda: loader.inlined_class_schema("honour")["required"].append("x")):
        with pytest.raises(TypeError):
            attempt()
    record = {"subject_name": "某某公司", "subject_category": "法人及非法人组织", "uscc": "91350100M000100Y4Z"}
    codes = {error.code for error in catalogue.validator("administrative_penalty").iter_errors(record)}
    assert "uscc.checksum" in codes and "record.required" in codes

"""Chinese natural persons' names in text that is not a name field: guess them, and hide them.

A report shows cells, headers, titles and file names; a name field is masked
by the catalogue's rule, but a person's name also turns up where no field
says so: typed or shifted into another column (``李大山`` in ``procedure``),
written beside an ID number (``陶利220221198907157015``, ``张伟 男
身份证号220221…``) or after a word that introduces a person (``当事人陶利``,
``法定代表人：张三``).  This module guesses such names and masks them to
their first character, as the catalogue masks a name field.

:func:`looks_like_person_name` is the guess for a whole text: a surname from
Faker's ``zh_CN`` table (the one ``creditstd fake`` draws names from) and one
or two more Han characters, not ending as the names of offices and places end.

>>> [looks_like_person_name(text) for text in ('王小明', '欧阳娜娜', '林业局', '郑州海关', '劳动争议')]
[True, True, False, False, False]

:func:`name_spans` finds the names inside a longer text: right before or
after a span the caller masks as an ID number (with separators, a gender, or
words such as 身份证号 between), and right after a word that introduces a
person and a separator (``法定代表人：张三``), or with nothing between but
punctuation after the name (``当事人王小明，男``).  A name run into the
sentence (``当事人王小明无证经营``) is not found: the words after a cue are
as often the sentence's own (``当事人利用网络``, a header ``当事人信用代码``).

>>> text = '当事人陶利 身份证号220221198907157015'
>>> [text[start:end] for start, end in name_spans(text, [(11, 29)])]
['陶利']
>>> hide_spans('经查，当事人王小明，无证经营', name_spans('经查，当事人王小明，无证经营'))
'经查，当事人王**，无证经营'
>>> name_spans('当事人利用网络发布虚假信息')  # no separator, no punctuation after: the sentence's own words
[]
>>> name_spans('经查，当事人巴中中建创业科技有限公司违法经营')  # an organisation, named in its row's subject field
[]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = ["hide_spans", "looks_like_person_name", "mask_person_name", "may_name_a_person", "name_spans"]


def mask_person_name(name: str) -> str:
    """Keep the first character of a natural person's name.

    >>> mask_person_name('欧阳娜娜'), mask_person_name('李')
    ('欧***', '*')
    """
    return "*" * len(name) if len(name) < 2 else name[0] + "*" * (len(name) - 1)


#: Last characters of the names of organisations, offices and places (林业局, 某公司, 便利店, 某县, 某村...): a
#: short text ending in one is not taken for a person's name.
_NOT_A_NAME_END = frozenset("局司店厂部委院所会社处队站行校馆室场办组科心市省县区镇乡村街楼园团企业户关署厅庭台港矿")


#: Characters that begin words, not given names (全称, 单位, 信息, 国籍, 申请, 于是...): a text whose given name
#: would begin with one is not taken for a name (a header 当事人全称 is no 当事人 named 全称).  None is in a name
#: Faker's ``zh_CN`` table makes (tests/test_names.py), nor common in real ones (依, 其, 知 are: 李依依, 何其芳).
_NOT_A_GIVEN_NAME = frozenset("称位息籍当是请型别码件址龄况号份系务历按证违营嫌该否供收售"
                              "的了或等被把之者期间款罚签查决单项类局处记录")
#: Words of the forms and texts around names that read like one (公民身份号码, 联系人：管理员, 当事人明细).
_NOT_NAMES = frozenset({"公民", "居民", "农民", "市民", "村民", "管理员", "明细", "曾用名", "陈述", "申辩", "简称",
                        "初次", "全体", "单方", "双方", "各方", "本单位", "常住", "暂住", "户籍", "查阅"})
_NOT_NAME_STARTS = tuple(_NOT_NAMES)
#: Compound surnames Faker's table lacks (it has 欧阳 only): 司马相如 is masked whole, not as 司马相 and 如.
_COMPOUND_SURNAMES = frozenset({
    "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "令狐", "端木", "独孤", "南宫", "西门", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔",
    "申屠", "轩辕", "呼延", "百里", "东郭", "闻人", "万俟", "赫连", "拓跋"})


@functools.cache
def _surnames() -> tuple[frozenset[str], frozenset[str]]:
    """The single and compound surnames of Faker's ``zh_CN`` table (the one ``creditstd fake`` draws names from)."""
    from faker.providers.person.zh_CN import Provider

    names = frozenset(Provider.last_names)
    return (frozenset(name for name in names if len(name) == 1),
            frozenset(name for name in names if len(name) > 1) | _COMPOUND_SURNAMES)


def looks_like_person_name(text: str) -> bool:
    """Whether ``text`` could be a Chinese natural person's name: a surname (Faker's ``zh_CN`` table: 399
    surnames, ``欧阳`` among them) and a given name of one or two Han characters, not ending as the names of
    organisations and places end (``局``, ``司``, ``关``, ``县``...).  A guess that errs towards yes for short
    texts (``马拉松`` passes; ``劳动争议``, four characters after a one-character surname, does not): what it is
    for is hiding, in a report, a name typed or shifted into a field that holds no names.

    >>> [looks_like_person_name(text) for text in ('王小明', '欧阳娜娜', ' 张三 ', '林业局', '郑州海关', '劳动争议')]
    [True, True, True, False, False, False]
    >>> [looks_like_person_name(text) for text in ('罚款', '王', 'Wang', '王小明明', '全称', '单位')]
    [False, False, False, False, False, False]
    """
    text = text.strip()
    if not 2 <= len(text) <= 4 or not all("\u4e00" <= char <= "\u9fff" for char in text) \
            or text[-1] in _NOT_A_NAME_END:
        return False
    if text in _NOT_NAMES:
        return False
    single, compound = _surnames()
    if len(text) >= 3 and text[:2] in compound:
        return text[2] not in _NOT_A_GIVEN_NAME
    return len(text) <= 3 and text[0] in single and text[1] not in _NOT_A_GIVEN_NAME


#: What may stand between a name and the ID number beside it: white space, punctuation (list, bracket, quote,
#: file-name, in either width), a gender, and the words that name the number (的身份证号码为, 证件号, ID).
_BETWEEN = (r"(?:[\s,，、:：;；()（）\[\]【】#＃=＝/／_＿.。\-－—~～|｜\"“”'‘’]"
            r"|男|女|的|为|是|性别|公民|居民|身份证|身份|证件|证|号码|号|ID|id)*")
_HAN = "\u4e00-\u9fff"
#: The Han characters ending the text before an ID number, then what stands between (searched in a short tail).
_NAME_BEFORE = re.compile(rf"([{_HAN}]{{2,4}}?){_BETWEEN}$")  # lazy: words such as 的 or 号码 go to _BETWEEN
#: What stands between an ID number and the Han characters after it.
_NAME_AFTER = re.compile(rf"{_BETWEEN}([{_HAN}]{{2,4}})")
#: Words that introduce a natural person; then what stands between (white space, a bracket, a colon or a quote: a
#: JSON object's {"当事人": "王小明"}, 法定代表人（负责人）：张三; 为, 是, 系), and the name.  Matched as a
#: look-ahead, so that a cue inside another's reach (当事人姓名：王小明) is found too.  经营者, 业主 and 户主 are
#: parts of other words too (行业主管部门): they count only before a colon (:data:`_SEPARATOR`).
_CUE = re.compile(rf"(当事人|姓名|被执行人|法定代表人|负责人|投资人|申请人|被申请人|被处罚人|违法行为人|联系人|"
                  rf"经营者|业主|户主)"
                  rf"(?=([\s:：=\"'“”‘’()（）\[\]【】|｜]*(?:[为是系]\s*)?)([{_HAN}]{{2,4}}))")
_WEAK_CUES = frozenset({"经营者", "业主", "户主"})
#: What, between a cue and the words after it, says the words are a value given (当事人：, {"当事人": "...),
#: not the sentence going on (当事人系初次违法, a header 当事人\n信用代码, 当事人（信用代码）).
_SEPARATOR = re.compile(r"[:：=\"“”'‘’|｜]")
#: The last character of every word of :data:`_CUE`: a text without one has no cue (one quick search).
_CUE_END = re.compile("[人名者主]")
#: What may follow a name given with no separator before it (当事人王小明，男; 当事人（王小明）): punctuation, white
#: space, a digit, or the end of the text.  Without it the words are taken for the sentence's (当事人利用网络,
#: 当事人陈述申辩, a header 当事人信用代码), not a name.
_AFTER_NAME = re.compile(r"[\s，。；、,.;:：!！?？()（）\[\]【】\"“”'‘’|｜/_\-0-9]|$")
#: A name listed after another (当事人：王小明、李建国).
_LISTED = re.compile(rf"[、,，]([{_HAN}]{{2,4}})")


def may_name_a_person(text: str) -> bool:
    """Whether ``text`` may hold a word that introduces a person (a quick test before :func:`name_spans`)."""
    return _CUE_END.search(text) is not None


#: Words that end an organisation's name (巴中中建创业科技有限公司, 某某便利店): a cue followed by one is not
#: followed by a person (unless a 的 comes first: 王小明经营的便利店).
_ORGANISATION = re.compile(r"公司|有限|集团|企业|合作社|商行|商店|经营部|门市|工作室|事务所|中心|协会|学校|医院|银行"
                           r"|政府|委员会|管委会|[厂店馆局院站社区市省县镇乡村]")
#: Where the words after a cue end: punctuation, white space, a digit (not a bracket: 华为技术（深圳）有限公司).
_CLAUSE_END = re.compile(r"[\s，。；、,.;:：!！?？0-9]")
#: Characters of text before an ID number searched for a name (the tail only: a search from every position of
#: a long text would cost quadratic time).
_TAIL = 32


def _name_at_start(run: str) -> int:
    """The length of the name that starts ``run`` (2 to 4 Han characters), 0 when none does: the longest
    guess first, so that 王小明 is not read as 王小; none where a word that reads like a name begins it (管理员)."""
    if run.startswith(_NOT_NAME_STARTS):
        return 0
    for length in (4, 3, 2):
        if len(run) >= length and looks_like_person_name(run[:length]):
            return length
    return 0


def _name_at_end(run: str) -> int:
    """The length of the name that ends ``run``, 0 when none does (当事人陶利: 2, 陶利)."""
    for length in (4, 3, 2):
        if len(run) >= length and looks_like_person_name(run[-length:]):
            return length
    return 0


def _organisation_after(text: str, start: int) -> bool:
    """Whether the words from ``start`` to the end of their clause name an organisation (当事人巴中中建创业科技有限公司
    违法经营), not a person (当事人王小明经营的便利店)."""
    end = _CLAUSE_END.search(text, start, start + _TAIL)
    clause = text[start:end.start() if end else start + _TAIL]
    organisation = _ORGANISATION.search(clause)
    return organisation is not None and "的" not in clause[:organisation.start()]


def name_spans(text: str, numbers: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of what in ``text`` may be a natural person's name: beside each span of ``numbers`` (the ID
    numbers found in it), and after a word that introduces a person (see the module docstring)."""
    spans: list[tuple[int, int]] = []
    for start, end in numbers:
        if start >= 2:  # room for a name before the number
            before = _NAME_BEFORE.search(text, max(0, start - _TAIL), start)
            if before is not None and (length := _name_at_end(before.group(1))):
                spans.append((before.end(1) - length, before.end(1)))
        if end <= len(text) - 2:  # and after it
            after = _NAME_AFTER.match(text, end, end + _TAIL)
            if after is not None and (length := _name_at_start(after.group(1))):
                spans.append((after.start(1), after.start(1) + length))
    if may_name_a_person(text):
        for cue in _CUE.finditer(text):
            start = cue.start(3)
            length = _name_at_start(cue.group(3))
            if not length or _organisation_after(text, start):
                continue
            given = _SEPARATOR.search(cue.group(2)) is not None
            if given if cue.group(1) in _WEAK_CUES else given or _AFTER_NAME.match(text, start + length):
                spans.append((start, start + length))
                end = start + length
                while (listed := _LISTED.match(text, end)) and (length := _name_at_start(listed.group(1))):
                    spans.append((listed.start(1), listed.start(1) + length))  # the names listed after it
                    end = listed.start(1) + length
    return spans


def hide_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span masked as a name is (:func:`mask_person_name`: its first character kept)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = mask_person_name(text[start:end])
    return "".join(chars)

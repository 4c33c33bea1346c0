"""The safe XPath subset a mapping may use, checked before lxml ever sees the expression.

A mapping names where a value sits in an XML record with a *relative* XPath, evaluated with the record
element as the context node.  The subset reads data and nothing else:

* location steps separated by ``/``: element names (``CF_WSH``, ``ns:MC``, Chinese names), ``*``;
* a last step ``@name`` (an attribute) or ``text()`` (the element's own text), or ``.`` (the record itself);
* predicates on a step: a position (``[1]``, ``[last()]``, ``[position() < 3]``), or conditions on
  attributes, child elements and text compared with literals and numbers (``[@type='1']``,
  ``[@lang and not(@old)]``, ``[Code = '02' or Code = '03']``), joined with ``and`` / ``or``.

Everything else is refused, by name, before compilation: functions other than ``text()``, ``last()``,
``position()`` and ``not()`` (so no ``document()``, ``unparsed-text()``, EXSLT or any extension: none is
registered either), axes (``..``, ``ancestor::``...: a record's parents are cleared as it streams), a
leading ``/`` or ``//`` (that would leave the record), variables (``$x``), unions.  So are predicates,
parentheses and ``not()`` nested more than :data:`MAX_NESTING` deep, and characters XML does not allow (control
characters, U+FFFE, U+FFFF) in the expression or in the URI of a namespace it uses.  The expression is then compiled
by :class:`lxml.etree.XPath` with no extensions and EXSLT regular expressions off.

Names are XML 1.0 (fifth edition) names, so also those with characters outside the Basic Multilingual Plane
(``𠀀``, U+20000) or outside the older editions' character tables (``㐀``, ``鿿``).  libxml2's XPath reads names
by the fourth edition's rules still: a name it cannot read is handed to it as
``*[local-name()='𠀀' and namespace-uri()='']`` (``@*[...]`` for an attribute), which selects the same nodes.
The prefix ``xml`` is predeclared, as in every XML document (``@xml:lang``): a mapping may declare it, to its one
URI only.

>>> path = compile_path('ns:XDR/ns:MC', {'ns': 'urn:x'})
>>> path.simple, path.steps
(True, ('{urn:x}XDR', '{urn:x}MC'))
>>> compile_path('CF_CFLB/Item[@type="1"]').simple
False
>>> compile_path('document("/etc/passwd")')
Traceback (most recent call last):
...
creditstd.convert.xpath.UnsafePath: document() is not allowed: only text(), last(), position() and not()

Simple paths (names and ``*`` only, ending in an attribute or ``text()`` or not) are evaluated by a walk
over the record's children, which is several times faster than XPath; the tests check that both agree.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

__all__ = ["MAX_NESTING", "XML_NAMESPACE", "RecordPath", "SourcePath", "UnsafePath", "compile_path",
           "compile_record_path", "element_value"]


class UnsafePath(ValueError):
    """An expression outside the safe subset: why, in Chinese (``zh``) and English (the message)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


#: How deep predicates (``[...]``), parentheses and ``not(...)`` may nest in a source path: a mapping needs two or
#: three levels, and the check (like lxml's compiler) recurses once per level.
MAX_NESTING = 32
#: The namespace the prefix ``xml`` is bound to by definition (``xml:lang``): no mapping has to declare it.
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

#: XML 1.0 (fifth edition) NameStartChar less the colon (names are ``prefix:local``); NameChar adds to it the
#: characters of the second class of :data:`_NCNAME`.
_NAME_START = (
    r"A-Za-z_\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
    r"\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_NCNAME = f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_TOKEN = re.compile(
    rf"\s*(?:(?P<literal>'[^']*'|\"[^\"]*\")|(?P<number>\d+(?:\.\d+)?)|(?P<axis>::)"
    rf"|(?P<name>{_NCNAME}(?::{_NCNAME})?)|(?P<op>//|!=|<=|>=|\.\.|[/\[\]@*()=<>.,|$+\-:]))"
)
#: A character outside XML 1.0's Char production: lxml refuses a string that holds one.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FUNCTIONS = frozenset({"text", "last", "position", "not"})


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    #: Where the token's text starts and ends in the expression.
    start: int = 0
    end: int = 0


def _xml_characters(text: str, zh: str, en: str) -> None:
    """Refuse ``text`` (``zh``/``en`` say what it is) when it holds a character XML does not allow."""
    bad = _NOT_XML.search(text)
    if bad is not None:
        point = f"U+{ord(bad.group()):04X}"
        raise UnsafePath(f"{zh}的第{bad.start() + 1}个字符（{point}）是XML不允许的字符（控制字符等）",
                         f"character {bad.start() + 1} of {en} ({point}) is one XML does not allow (a control "
                         "character or the like)")


@functools.lru_cache(maxsize=1024)
def _libxml2_reads(name: str) -> bool:
    """Whether libxml2's XPath reads ``name`` (a name, a prefix or '') as a name."""
    if name.isascii():
        return True
    try:
        etree.XPath(name)
    except etree.XPathError:
        return False
    return True


def _literal(text: str) -> str:
    """An XPath 1.0 expression for the string ``text``."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def _tokens(expression: str) -> list[_Token]:
    _xml_characters(expression, "路径", "the path")
    found: list[_Token] = []
    position = 0
    while position < len(expression):
        if expression[position:].strip() == "":
            break
        match = _TOKEN.match(expression, position)
        if match is None or match.end() == position:
            raise UnsafePath(f"第{position + 1}个字符无法识别", f"character {position + 1} cannot be read")
        kind = match.lastgroup or "op"
        found.append(_Token(kind, match.group(kind), match.start(kind), match.end(kind)))
        position = match.end()
    return found


class _Parser:
    """A recursive-descent check of the subset (see the module's docstring), collecting the prefixes used."""

    def __init__(self, expression: str, namespaces: Mapping[str, str]) -> None:
        self.tokens = _tokens(expression)
        self.at = 0
        self.namespaces = namespaces
        self.simple = True
        self.steps: list[str] = []
        self.attribute: str | None = None
        self.text = False
        self.depth = 0
        #: The prefixes the expression uses, and their URIs.
        self.used: dict[str, str] = {}
        #: Every name: its token, namespace URI ('' for none) and local part.
        self.names: list[tuple[_Token, str, str]] = []

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, text: str | None = None, kind: str | None = None) -> _Token:
        token = self.peek()
        if token is None or (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            wanted = text or kind or "?"
            raise UnsafePath(f"此处应为 {wanted}", f"expected {wanted} here")
        self.at += 1
        return token

    def refuse(self, token: _Token) -> None:
        text = token.text
        if token.kind == "axis":
            raise UnsafePath("不允许使用轴（如 ancestor::）", "axes (ancestor::...) are not allowed")
        if text == "..":
            raise UnsafePath(
                "不允许使用 ..：记录的上级元素在读取时已被清除",
                "'..' is not allowed: a record's parents are cleared as it streams",
            )
        if text in ("/", "//") and self.at == 0:
            raise UnsafePath(
                "路径须相对于记录元素（不能以 / 开头）",
                "the path must be relative to the record element (no leading /)",
            )
        if text == "//":
            raise UnsafePath("不允许使用 //（请写出每一级元素）", "'//' is not allowed (name every step)")
        if text == "$":
            raise UnsafePath("不允许使用变量", "variables are not allowed")
        if text == "|":
            raise UnsafePath(
                "不允许使用并集（|）：每个字段写一条规则", "unions (|) are not allowed: one rule per field"
            )
        raise UnsafePath(f"此处不允许 {text}", f"{text!r} is not allowed here")

    def qname(self, token: _Token, *, attribute: bool = False) -> str:
        prefix, _, local = token.text.rpartition(":")
        if not prefix:
            self.names.append((token, "", local))
            return local if attribute else self._default(local)
        if prefix == "xml" and self.namespaces.get(prefix, XML_NAMESPACE) != XML_NAMESPACE:
            raise UnsafePath(f"前缀 xml 只能对应 {XML_NAMESPACE}", f"the prefix 'xml' stands for {XML_NAMESPACE} only")
        if prefix not in self.namespaces and prefix != "xml":
            raise UnsafePath(
                f"前缀 {prefix} 未在 namespaces 中声明", f"prefix {prefix!r} is not declared in namespaces"
            )
        uri = self.namespaces.get(prefix, XML_NAMESPACE)
        if prefix not in self.used:
            _xml_characters(uri, f"命名空间 {prefix} 的URI", f"the URI of namespace {prefix!r}")
            self.used[prefix] = uri
        self.names.append((token, uri, local))
        return f"{{{uri}}}{local}"

    def _default(self, local: str) -> str:
        return local

    def for_libxml2(self, expression: str) -> str:
        """``expression`` with each name libxml2's XPath cannot read written as a test of its parts."""
        parts: list[str] = []
        done = 0
        for token, uri, local in self.names:
            if _libxml2_reads(token.text.rpartition(":")[0]) and _libxml2_reads(local):
                continue
            parts += [expression[done:token.start],
                      f"*[local-name()={_literal(local)} and namespace-uri()={_literal(uri)}]"]
            done = token.end
        return "".join([*parts, expression[done:]])

    def function(self, token: _Token) -> str:
        name = token.text
        if name not in _FUNCTIONS:
            raise UnsafePath(
                f"不允许使用函数 {name}()：只能用 text()、last()、position() 和 not()",
                f"{name}() is not allowed: only text(), last(), position() and not()",
            )
        return name

    def nested(self) -> None:
        """An or-expression one level deeper: in a predicate, parentheses or not()."""
        if self.depth == MAX_NESTING:
            raise UnsafePath(f"谓词、括号与 not() 的嵌套超过{MAX_NESTING}层",
                             f"predicates, parentheses and not() nest more than {MAX_NESTING} deep")
        self.depth += 1
        self.or_expression()
        self.depth -= 1

    def is_call(self) -> bool:
        token, after = self.peek(), self.peek(1)
        return token is not None and token.kind == "name" and after is not None and after.text == "("

    # path := '.' | step ('/' step)*
    def path(self) -> None:
        token = self.peek()
        if token is None:
            raise UnsafePath("路径为空", "the path is empty")
        if token.text == "." and len(self.tokens) == 1:
            self.at += 1
            return
        while True:
            last = self.step()
            token = self.peek()
            if token is None:
                return
            if token.text != "/" or last:
                self.refuse(token)
            self.at += 1

    def step(self) -> bool:
        """One step; True when it must be the last (an attribute or text())."""
        token = self.peek()
        if token is None:
            raise UnsafePath("路径不能以 / 结尾", "the path cannot end with '/'")
        if token.text == "@":
            self.at += 1
            self.attribute = self.qname(self.take(kind="name"), attribute=True)
            return True
        if self.is_call():
            name = self.function(self.take())
            if name != "text":
                raise UnsafePath(f"{name}() 只能用在谓词中", f"{name}() may only be used in a predicate")
            self.take("(")
            self.take(")")
            self.text = True
            return True
        if token.text == "*":
            self.at += 1
            self.steps.append("*")
        elif token.kind == "name":
            self.at += 1
            self.steps.append(self.qname(token))
        else:
            self.refuse(token)
        while (token := self.peek()) is not None and token.text == "[":
            self.simple = False
            self.at += 1
            self.nested()
            self.take("]")
        return False

    def or_expression(self) -> None:
        self.and_expression()
        while (token := self.peek()) is not None and token.text == "or":
            self.at += 1
            self.and_expression()

    def and_expression(self) -> None:
        self.comparison()
        while (token := self.peek()) is not None and token.text == "and":
            self.at += 1
            self.comparison()

    def comparison(self) -> None:
        self.operand()
        token = self.peek()
        if token is not None and token.text in ("=", "!=", "<", ">", "<=", ">="):
            self.at += 1
            self.operand()

    def operand(self) -> None:
        token = self.peek()
        if token is None:
            raise UnsafePath("谓词不完整", "the predicate is incomplete")
        if token.kind in ("literal", "number"):
            self.at += 1
        elif token.text == "(":
            self.at += 1
            self.nested()
            self.take(")")
        elif token.text == "@":
            self.at += 1
            self.qname(self.take(kind="name"), attribute=True)
        elif token.text == ".":
            self.at += 1
        elif self.is_call():
            name = self.function(self.take())
            self.take("(")
            if name == "not":
                self.nested()
            self.take(")")
        elif token.kind == "name":  # a child element's value: name or prefix:name, no further steps
            self.at += 1
            self.qname(token)
        else:
            self.refuse(token)


@dataclass(frozen=True)
class SourcePath:
    """A checked, compiled source path: evaluate it with :meth:`values` on a record element."""

    expression: str
    #: Names (Clark notation ``{uri}local``) or ``*`` of the element steps.
    steps: tuple[str, ...]
    #: The attribute of the last step (Clark notation when prefixed), or None.
    attribute: str | None
    #: Whether the path ends in ``text()``.
    text: bool
    #: Whether the path has no predicates: then the walk evaluates it, else lxml's XPath.
    simple: bool
    compiled: Any = field(repr=False, compare=False, default=None)

    def nodes(self, record: Any) -> list[Any]:
        """What the path selects in ``record``: elements, or strings (attributes, text())."""
        if not self.simple:
            found = self.compiled(record)
            return found if isinstance(found, list) else [found]
        if not self.steps:
            return self._last([record])
        return self.nodes_from_first(_step([record], self.steps[0]))

    def nodes_from_first(self, first: list[Any]) -> list[Any]:
        """What a simple path with steps selects once its first step has selected the elements ``first`` (in
        document order): :meth:`nodes` is this with the record's children that the first step names."""
        current = first
        for step in self.steps[1:]:
            if not current:
                return []
            current = _step(current, step)
        return self._last(current) if current else []

    def _last(self, current: list[Any]) -> list[Any]:
        """The attribute or ``text()`` of the elements ``current`` a simple path's steps selected, or them."""
        if self.attribute is not None:
            return [value for element in current if (value := element.get(self.attribute)) is not None]
        if self.text:
            return [text for element in current for text in _own_texts(element)]
        return current

    def values(self, record: Any) -> Iterator[str | None]:
        """The text of each thing selected, in document order: an element's text (:func:`element_value`;
        None when it holds elements), an attribute's value, the element's own text for ``text()`` (one value
        per element)."""
        nodes = self.nodes(record)
        if self.text and not self.simple:
            return iter(list(_grouped_texts(nodes)))
        return iter(_texts(nodes))

    def values_from_first(self, first: list[Any]) -> list[str | None]:
        """:meth:`values` of a simple path with steps, its first step having selected ``first``."""
        return _texts(self.nodes_from_first(first))


def _step(current: list[Any], step: str) -> list[Any]:
    """The child elements of ``current`` that ``step`` (a Clark name or ``*``) names, in document order."""
    return [
        child
        for element in current
        for child in element
        if isinstance(child.tag, str) and (step == "*" or child.tag == step)
    ]


def _texts(nodes: list[Any]) -> list[str | None]:
    return [node if isinstance(node, str) else element_value(node) for node in nodes]


def _own_texts(element: Any) -> list[str]:
    """``text()`` of one element, as one value: its own text nodes joined (children's text left out)."""
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return ["".join(parts)]


def _grouped_texts(nodes: list[Any]) -> Iterator[str]:
    """XPath's text() results (one per text node) joined per parent element, in order."""
    joined: dict[int, list[str]] = {}
    order: list[int] = []
    for node in nodes:
        parent = node.getparent() if hasattr(node, "getparent") else None
        if getattr(node, "is_tail", False) and parent is not None:
            parent = parent.getparent()
        key = id(parent)
        if key not in joined:
            joined[key] = []
            order.append(key)
        joined[key].append(str(node))
    for key in order:
        yield "".join(joined[key])


def element_value(element: Any) -> str | None:
    """The text an element holds: its text, comments and processing instructions skipped; None when it holds
    child elements (structure, not a value: the mapping should point at them).

    >>> record = etree.fromstring('<r><a>某<!-- x -->公司</a><b/><c><d>1</d></c></r>')
    >>> [element_value(child) for child in record]
    ['某公司', '', None]
    """
    if not len(element):
        return element.text or ""
    if any(isinstance(child.tag, str) for child in element):
        return None
    return "".join(element.itertext())


def compile_path(expression: str, namespaces: Mapping[str, str] | None = None) -> SourcePath:
    """Check ``expression`` against the safe subset and compile it; :class:`UnsafePath` names what is refused."""
    spaces = dict(namespaces or {})
    parser = _Parser(expression, spaces)
    parser.path()
    compiled = None
    if not parser.simple:
        try:
            compiled = etree.XPath(parser.for_libxml2(expression), namespaces=parser.used or None, regexp=False,
                                   smart_strings=True)
        except (etree.XPathSyntaxError, ValueError) as error:  # ValueError: what lxml will not take as text
            raise UnsafePath(f"XPath语法错误（{error}）", f"XPath syntax error ({error})") from None
    return SourcePath(expression, tuple(parser.steps), parser.attribute, parser.text, parser.simple, compiled)


@dataclass(frozen=True)
class RecordPath:
    """Where records sit: an absolute path of element names (``/Records/Record``, ``*`` for any name), or
    ``//Name`` (an element of that name at any depth; one inside another is part of the outer record)."""

    expression: str
    #: Clark names (or ``*``) from the root down; for ``//Name`` only the last.
    steps: tuple[str, ...]
    anywhere: bool

    @property
    def tag(self) -> str | None:
        """The Clark name of the record elements, or None when any name (``*``) is a record."""
        return None if self.steps[-1] == "*" else self.steps[-1]

    def matches(self, element: Any) -> bool:
        """Whether ``element`` (whose tag is the record tag) is a record: its ancestors match the path and,
        for ``//``, none of them is a record itself."""
        if self.anywhere:
            parent = element.getparent()
            while parent is not None:
                if parent.tag == self.steps[-1]:
                    return False
                parent = parent.getparent()
            return True
        chain = []
        node = element
        while node is not None:
            chain.append(node.tag)
            node = node.getparent()
        if len(chain) != len(self.steps):
            return False
        return all(step == "*" or step == tag for step, tag in zip(self.steps, reversed(chain), strict=True))


def compile_record_path(expression: str, namespaces: Mapping[str, str] | None = None) -> RecordPath:
    """Check and compile a record path (see :class:`RecordPath`), and every URI of ``namespaces`` (the mapping's
    table, used or not): XML allows no control character in one, and lxml takes no string that holds one.

    >>> compile_record_path('/d:Records/d:Record', {'d': 'urn:x'}).steps
    ('{urn:x}Records', '{urn:x}Record')
    >>> compile_record_path('Records/Record')
    Traceback (most recent call last):
    ...
    creditstd.convert.xpath.UnsafePath: a record path is /Root/.../Record or //Record: element names only
    """
    spaces = dict(namespaces or {})
    for prefix, uri in spaces.items():
        _xml_characters(uri, f"命名空间 {prefix} 的URI", f"the URI of namespace {prefix!r}")
    text = expression.strip()
    anywhere = text.startswith("//")
    body = text[2:] if anywhere else text[1:] if text.startswith("/") else None
    names = body.split("/") if body else []
    pattern = re.compile(f"\\*|{_NCNAME}(?::{_NCNAME})?")
    if body is None or not names or not all(pattern.fullmatch(name) for name in names) or (anywhere and len(names) > 1):
        raise UnsafePath(
            "记录路径应为 /根元素/.../记录元素 或 //记录元素，只含元素名",
            "a record path is /Root/.../Record or //Record: element names only",
        )
    parser = _Parser("", spaces)
    steps = tuple(name if name == "*" else parser.qname(_Token("name", name)) for name in names)
    if anywhere and steps[-1] == "*":
        raise UnsafePath("//* 不能作为记录路径", "//* cannot be a record path")
    return RecordPath(text, steps, anywhere)

"""The safe XML record reader: every attack refused or bounded, in a subprocess whose memory is measured.

No timing assertions: each attack runs in a child process with a generous timeout (a hang fails the test),
and the child reports its peak RSS (``resource.getrusage``), compared with the same child reading a small
valid file.
"""

from __future__ import annotations

import errno
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from creditstd.convert.xml_records import MAX_RECORD_BYTES, XmlRecord, read_records, xml_error
from creditstd.convert.xpath import compile_path, compile_record_path
from creditstd.sources.model import RowProblem, SourceError

RECORD = compile_record_path("/Records/Record")
SOURCES = [(compile_path("MC"), False), (compile_path("CFLB/Item"), True), (compile_path("@id"), False)]

CHILD = textwrap.dedent("""
    import json, resource, sys
    from creditstd.convert.xml_records import read_records
    from creditstd.convert.xpath import compile_path, compile_record_path
    from creditstd.sources.model import SourceError
    path, limit = sys.argv[1], int(sys.argv[2])
    result = {"count": 0, "code": None, "line": None, "values": []}
    try:
        for record in read_records(path, compile_record_path(sys.argv[3]), [(compile_path("MC"), False)],
                                   max_record_bytes=limit):
            result["count"] += 1
            if len(result["values"]) < 3:
                result["values"].append(record.values[0])
    except SourceError as error:
        result.update(code=error.code, line=error.line, zh=error.message_zh, en=error.message_en)
    result["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))
""")


def run_child(path: Path, *, limit: int = MAX_RECORD_BYTES, record: str = "/Records/Record") -> dict:
    """Run the reader in a child process and return what it reports, its peak RSS included.

    The child is started by a shell that forks it (``; exit $?`` keeps the shell from exec-ing it): Linux
    carries the high-water RSS of a process's memory across ``execve``, so a child exec'd straight from this
    (large) test process would report the parent's peak instead of its own.
    """
    command = ["/bin/sh", "-c", '"$@"; exit $?', "sh", sys.executable, "-c", CHILD, str(path), str(limit), record]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def baseline_kb(tmp_path_factory: pytest.TempPathFactory) -> int:
    path = tmp_path_factory.mktemp("base") / "small.xml"
    path.write_text("<Records><Record><MC>甲</MC></Record></Records>", encoding="utf-8")
    result = run_child(path)
    assert result["count"] == 1 and result["code"] is None
    return int(result["rss_kb"])


def assert_bounded(result: dict, baseline_kb: int, megabytes: int = 60) -> None:
    grown = (result["rss_kb"] - baseline_kb) / 1024
    assert grown < megabytes, f"peak memory grew by {grown:.0f} MB"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ------------------------------------------------------------------------------------------------ the attacks


def test_billion_laughs_is_refused_in_bounded_memory(tmp_path: Path, baseline_kb: int) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10))
    path = write(tmp_path, "laughs.xml", f'<?xml version="1.0"?>\n<!DOCTYPE Records [\n{entities}\n]>\n'
                                         "<Records><Record><MC>&lol9;</MC></Record></Records>")
    result = run_child(path)
    assert (result["code"], result["line"], result["count"]) == ("source.xml_dtd", 2, 0)
    assert "laughs.xml" in result["en"] and "第2行" in result["zh"] and "DOCTYPE" in result["en"]
    assert_bounded(result, baseline_kb)


def test_quadratic_blowup_is_refused_in_bounded_memory(tmp_path: Path, baseline_kb: int) -> None:
    big = "x" * 100_000
    path = write(tmp_path, "quadratic.xml", f'<!DOCTYPE Records [<!ENTITY a "{big}">]>\n<Records><Record><MC>'
                                            + "&a;" * 50_000 + "</MC></Record></Records>")
    result = run_child(path)
    assert (result["code"], result["line"]) == ("source.xml_dtd", 1)
    assert_bounded(result, baseline_kb)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    """A named pipe: opening it for reading blocks until a writer comes, so a parser that tried to read it
    would hang the child (and fail the test by its timeout); afterwards no reader must have it open."""
    path = tmp_path / "secret.fifo"
    os.mkfifo(path)
    return path


def assert_never_opened(fifo: Path) -> None:
    with pytest.raises(OSError) as caught:  # ENXIO: no process has the pipe open for reading
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert caught.value.errno == errno.ENXIO


@pytest.mark.parametrize("template", [
    '<!DOCTYPE Records [<!ENTITY xxe SYSTEM "file://{fifo}">]>\n<Records><Record><MC>&xxe;</MC></Record></Records>',
    '<!DOCTYPE Records SYSTEM "file://{fifo}">\n<Records><Record><MC>&xxe;</MC></Record></Records>',
    '<!DOCTYPE Records [<!ENTITY % p SYSTEM "file://{fifo}"> %p;]>\n<Records/>',
    '<?xml version="1.0"?><!-- a comment -->\n<!DOCTYPE Records PUBLIC "-//x//EN" "{fifo}">\n<Records/>',
])
def test_external_file_entities_are_refused_and_the_file_never_opened(tmp_path: Path, fifo: Path,
                                                                      template: str) -> None:
    path = write(tmp_path, "xxe.xml", template.format(fifo=fifo))
    result = run_child(path)
    assert result["code"] == "source.xml_dtd" and result["count"] == 0
    assert_never_opened(fifo)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY xxe "leaked">')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> str:
    _Recorder.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("template", [
    '<!DOCTYPE Records [<!ENTITY xxe SYSTEM "{url}/entity">]>\n<Records><Record><MC>&xxe;</MC></Record></Records>',
    '<!DOCTYPE Records SYSTEM "{url}/dtd">\n<Records><Record><MC>&xxe;</MC></Record></Records>',
    '<!DOCTYPE Records [<!ENTITY % p SYSTEM "{url}/parameter"> %p;]>\n<Records/>',
])
def test_network_entities_are_refused_and_no_request_is_made(tmp_path: Path, http_server: str, template: str) -> None:
    path = write(tmp_path, "net.xml", template.format(url=http_server))
    result = run_child(path)
    assert result["code"] == "source.xml_dtd"
    assert _Recorder.requests == []


def test_the_recorder_would_see_a_request(http_server: str) -> None:
    """The server in the test above does record requests (so its silence means something)."""
    import urllib.request

    with urllib.request.urlopen(http_server + "/probe") as response:
        assert response.read()
    assert _Recorder.requests == ["/probe"]


def test_xinclude_is_never_processed(tmp_path: Path, fifo: Path) -> None:
    path = write(tmp_path, "xinclude.xml", '<Records xmlns:xi="http://www.w3.org/2001/XInclude">\n'
                                           f'<Record><MC><xi:include href="file://{fifo}" parse="text"/></MC>'
                                           '</Record>\n'
                                           f'<Record><MC>乙</MC><xi:include href="file://{fifo}"/></Record>\n'
                                           '</Records>')
    records = list(read_records(str(path), RECORD, SOURCES))
    assert [record.values[0] for record in records] == [None, "乙"]
    assert [problem.code for problem in records[0].problems] == ["convert.not_text"]  # an element, not text
    assert_never_opened(fifo)


def test_an_undeclared_entity_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "entity.xml", "<Records>\n<Record><MC>&xxe;</MC></Record></Records>")
    with pytest.raises(SourceError) as caught:
        list(read_records(str(path), RECORD, SOURCES))
    assert (caught.value.code, caught.value.line) == ("source.xml_entity", 2)


@pytest.mark.parametrize("document", [
    "<Root11010519491231002X xmlns='urn:x:11010519491231002X'><R/></Root11010519491231002X>",  # no record
    "<Records><Record><A11010519491231002X></B></Record></Records>",  # the parser quotes the tag
])
def test_an_error_quoting_the_document_masks_an_id_number_in_it(tmp_path: Path, document: str) -> None:
    """For library callers too: the root element's name and namespace, and libxml2's message about a tag,
    were quoted in full."""
    path = write(tmp_path, "x.xml", document)
    with pytest.raises(SourceError) as caught:
        list(read_records(str(path), RECORD, SOURCES))
    assert "11010519491231002X" not in caught.value.message_en + caught.value.message_zh
    assert "110105********002X" in caught.value.message_en


def test_very_deep_nesting_is_refused_in_bounded_memory(tmp_path: Path, baseline_kb: int) -> None:
    depth = 200_000
    path = write(tmp_path, "deep.xml", "<Records><Record>" + "<a>" * depth + "</a>" * depth + "</Record></Records>")
    result = run_child(path)
    assert result["code"] == "source.xml_limit" and "depth" in result["en"] and "元素嵌套过深" in result["zh"]
    assert_bounded(result, baseline_kb)


def test_a_huge_text_node_is_refused_in_bounded_memory(tmp_path: Path, baseline_kb: int) -> None:
    path = tmp_path / "huge.xml"
    with open(path, "wb") as stream:
        stream.write(b"<Records><Record><MC>")
        for _ in range(40):
            stream.write(b"x" * (1 << 20))
        stream.write(b"</MC></Record></Records>")
    result = run_child(path)
    assert result["code"] == "source.xml_too_large" and str(MAX_RECORD_BYTES) in result["en"]
    assert_bounded(result, baseline_kb)
    raised = run_child(path, limit=1 << 30)  # without the record limit, libxml2's own text limit stops it
    assert raised["code"] == "source.xml_limit" and "Text node" in raised["en"]
    assert_bounded(raised, baseline_kb, megabytes=150)


def test_junk_outside_records_is_bounded(tmp_path: Path, baseline_kb: int) -> None:
    records = "<Record><MC>甲</MC></Record>" * 10
    path = write(tmp_path, "junk.xml", "<Records>" + records + "<Junk a='1'/>" * 3_000_000 + "</Records>")
    result = run_child(path)
    assert result["code"] == "source.xml_too_large" and result["count"] == 10
    assert_bounded(result, baseline_kb)


def test_a_huge_prolog_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "prolog.xml", "<!--" + "x" * (2 << 20) + "-->\n<Records/>")
    with pytest.raises(SourceError) as caught:
        list(read_records(str(path), RECORD, SOURCES))
    assert caught.value.code == "source.xml_prolog"


def test_memory_stays_flat_as_the_input_grows(tmp_path: Path) -> None:
    record = ("<Record id='{i}'><MC>某某科技有限公司第{i}号</MC><SHXYM>91350100M000100Y43</SHXYM>"
              "<CFLB><Item>警告</Item><Item>罚款</Item></CFLB><JDRQ>2024-03-05</JDRQ></Record>\n")
    sizes = {}
    for count in (20_000, 400_000):
        path = tmp_path / f"records-{count}.xml"
        with open(path, "w", encoding="utf-8") as stream:
            stream.write("<?xml version='1.0' encoding='UTF-8'?>\n<Records>\n")
            for i in range(count):
                stream.write(record.format(i=i))
            stream.write("</Records>\n")
        result = run_child(path)
        assert result["code"] is None and result["count"] == count
        assert result["values"][:2] == ["某某科技有限公司第0号", "某某科技有限公司第1号"]
        sizes[count] = result["rss_kb"]
        path.unlink()
    assert (sizes[400_000] - sizes[20_000]) / 1024 < 20, sizes  # 20x the input, the same memory


# ------------------------------------------------------------------------------------------------ reading right


@pytest.mark.parametrize(("declared", "codec"), [("GBK", "gb18030"), ("GB2312", "gb18030"), ("gb18030", "gb18030"),
                                                 ("UTF-8", "utf-8"), ("UTF-16", "utf-16")])
def test_chinese_encodings_read_correctly(tmp_path: Path, declared: str, codec: str) -> None:
    names = ["某某（北京）科技有限公司", "𠀀记商行", "欧元€与䶮"] if codec != "utf-8" else ["甲", "𠀀", "€"]
    text = f'<?xml version="1.0" encoding="{declared}"?>\n<Records>\n' + "".join(
        f'<Record id="{i}"><MC>{name}</MC></Record>\n' for i, name in enumerate(names)) + "</Records>"
    path = write(tmp_path, "encoded.xml", text.encode(codec))
    records = list(read_records(str(path), RECORD, SOURCES))
    assert [record.values[0] for record in records] == names
    assert [record.line for record in records] == [3, 4, 5]


def test_the_encoding_can_be_given(tmp_path: Path) -> None:
    path = write(tmp_path, "undeclared.xml", "<Records><Record><MC>某某公司</MC></Record></Records>".encode("gbk"))
    with pytest.raises(SourceError) as caught:
        list(read_records(str(path), RECORD, SOURCES))
    assert caught.value.code == "source.xml_syntax"
    assert [record.values[0] for record in read_records(str(path), RECORD, SOURCES, encoding="gbk")] == ["某某公司"]


def test_namespaces_locations_and_lines_past_65535(tmp_path: Path) -> None:
    text = ('<d:Records xmlns:d="urn:x" xmlns:e="urn:e">' + "\n" * 70_000 +
            '<d:Record e:id="7"><d:MC>甲</d:MC></d:Record>\n<d:Record><d:MC> </d:MC></d:Record></d:Records>')
    path = write(tmp_path, "ns.xml", text)
    spaces = {"d": "urn:x", "e": "urn:e"}
    sources = [(compile_path("d:MC", spaces), False), (compile_path("@e:id", spaces), False)]
    records = list(read_records(str(path), compile_record_path("/d:Records/d:Record", spaces), sources))
    assert [(record.index, record.line, record.values) for record in records] == [
        (1, 70_001, ("甲", "7")), (2, 70_002, (" ", None))]
    assert records[0].file == str(path)


def test_a_record_path_that_matches_nothing_says_what_the_root_is(tmp_path: Path) -> None:
    path = write(tmp_path, "default-ns.xml", '<Records xmlns="urn:x"><Record><MC>甲</MC></Record></Records>')
    with pytest.raises(SourceError) as caught:
        list(read_records(str(path), RECORD, SOURCES))
    assert caught.value.code == "source.xml_record_path" and "urn:x" in caught.value.message_en
    empty = write(tmp_path, "empty.xml", "<Records></Records>")
    assert list(read_records(str(empty), RECORD, SOURCES)) == []  # an empty export is not an error
    nested = write(tmp_path, "nested.xml", "<Records><Batch><Record><MC>甲</MC></Record></Batch></Records>")
    with pytest.raises(SourceError, match="record path"):
        list(read_records(str(nested), RECORD, SOURCES))
    assert [record.values[0] for record in read_records(str(nested), compile_record_path("//Record"), SOURCES)] == [
        "甲"]


def test_elements_that_look_like_records_off_the_path_are_row_problems_not_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, "strays.xml", "<Records>\n<Record><MC>甲</MC></Record>\n<Head><Date/></Head>\n"
                 "<Group><Record><MC>乙</MC></Record></Group>\n<Record><MC>丙<Record/></MC></Record>\n"
                 "<RECORD><MC>丁</MC></RECORD>\n<Record><MC>戊</MC></Record>\n<x:Record xmlns:x='urn:x'/>\n"
                 "</Records>")
    read = list(read_records(str(path), RECORD, SOURCES))
    records = [item for item in read if isinstance(item, XmlRecord)]
    strays = [item for item in read if isinstance(item, RowProblem)]
    assert [record.values[0] for record in records] == ["甲", None, "戊"]  # 丙 holds an element: not text
    assert records[1].problems[0].code == "convert.not_text"  # a Record inside a record is part of it
    assert [(stray.code, stray.line) for stray in strays] == [("source.xml_stray_record", 4),
                                                              ("source.xml_stray_record", 6),
                                                              ("source.xml_stray_record", 8)]
    assert "/Records/Group/Record" in strays[0].message_en and "<MC>乙</MC>" in strays[0].raw
    assert "(xmlns urn:x)" in strays[2].message_en and "/Records/Record" in strays[2].message_zh
    every_record = list(read_records(str(path), compile_record_path("//Record"), SOURCES))
    assert [item.values[0] for item in every_record if isinstance(item, XmlRecord)] == ["甲", "乙", None, "戊"]


def test_a_syntax_error_stops_the_file_after_the_records_before_it(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.xml", "<Records>\n<Record><MC>甲</MC></Record>\n<Record><MC>乙</Record>\n"
                                         "</Records>")
    got = []
    with pytest.raises(SourceError) as caught:
        for record in read_records(str(path), RECORD, SOURCES):
            got.append(record.values[0])
    assert got == ["甲"] and caught.value.code == "source.xml_syntax" and caught.value.line == 3
    assert "broken.xml" in caught.value.message_en and "第3行" in caught.value.message_zh


def test_values_cardinality_and_structure(tmp_path: Path) -> None:
    path = write(tmp_path, "values.xml", "<Records>"
                 "<Record><MC>甲<!-- note -->公司</MC><CFLB><Item>警告</Item><Item/><Item>罚款</Item></CFLB></Record>"
                 "<Record><MC><B>bold</B></MC></Record>"
                 "<Record><MC/><CFLB/></Record>"
                 "<Record><MC>" + "x" * 200 + "</MC></Record>"
                 "</Records>")
    records = list(read_records(str(path), RECORD, SOURCES, max_value_chars=100))
    assert records[0].values == ("甲公司", ["警告", "罚款"], None) and not records[0].problems
    assert records[1].values[0] is None and records[1].problems[0].code == "convert.not_text"
    assert records[2].values == (None, None, None) and not records[2].problems
    assert records[3].values[0] is None and records[3].problems[0].code == "convert.too_long"


def test_gzip_and_missing_files(tmp_path: Path) -> None:
    import gzip

    path = write(tmp_path, "export.xml.gz", gzip.compress("<Records><Record><MC>甲</MC></Record></Records>".encode()))
    assert [record.values[0] for record in read_records(str(path), RECORD, SOURCES)] == ["甲"]
    with pytest.raises(SourceError) as caught:
        list(read_records(str(tmp_path / "none.xml"), RECORD, SOURCES))
    assert caught.value.code == "source.not_found"


def test_error_messages_name_the_file_and_line_in_both_languages() -> None:
    error = xml_error("source.xml_dtd", "a\nb.xml", 3)
    assert error.message_en.startswith("a\\u000ab.xml, line 3") and error.message_zh.startswith("a\\u000ab.xml第3行")


@pytest.mark.parametrize("expression", ["MC", "MC/@t", "@id", "CFLB/Item", "CFLB/Item[@t = '2']", "MC[1]", "MC[last()]",
                                        "*", "text()", "CFLB/*", "CFLB/Item/text()", "MC[@t]/@t", "."])
def test_the_one_pass_plan_reads_what_the_paths_select(tmp_path: Path, expression: str) -> None:
    from lxml import etree

    from creditstd.convert.xml_records import _plan, _read

    record = etree.fromstring('<Record id="7">lead<MC t="1">甲</MC>mid<MC t="2">乙</MC>'
                              '<CFLB><Item t="1">警告</Item><Item t="2">罚款</Item></CFLB>tail</Record>')
    path = compile_path(expression)
    selected = list(path.values(record))
    values, problems = _read(record, _plan([None, (path, True), (compile_path("MC"), True)]), 1000)
    assert values[0] is None and values[2] == ["甲", "乙"]
    if None in selected:  # an element holding elements: reported, and the value is not read
        assert [problem.code for problem in problems] == ["convert.not_text"] and values[1] is None
    else:
        assert not problems and (values[1] or []) == [value for value in selected if value]

"""The standing adversarial suite of the command line (issue 10).

It walks the click command tree of :func:`creditstd.cli.main`, so a new command or option is covered
without anyone remembering to add it, and feeds every parameter hostile input from :mod:`corpus`:

* every **input** parameter (a ``click.Path``, ``--file``, ``RECORDS``, a batch folder, a key) gets
  every hostile file, stdin (``-``), a FIFO, a 100 MB line; a folder also gets forged batches, a key
  also malformed keys;
* every **output** parameter (``-o``, ``--output``, ``--rejects``...) is pointed at a fresh path, an
  existing file or folder, the input itself, the input's folder, the name the command writes beside
  its output (``<folder>.rejects.jsonl``), another output, a symlink, a FIFO, an over-long name, an
  unwritable folder or file (``chattr +i`` when running as root);
* every other **option and argument** gets hostile values for its type (empty, lone surrogates as argv
  carries them, extreme dates, NaN, unknown choices and encodings, ID numbers...), and every flag and
  choice is run once over a file holding every ID shape that is known to leak;
* every command that can be kept busy is interrupted (SIGINT, SIGTERM), and its reader goes away.

Each run is checked against the invariants of the issue (see :func:`violations`): exit code 0, 1 or 2
(130 / 143 when interrupted, 141 when the reader went away; exit code 3 is a bug by the README's own
definition); no traceback; no full ID number on stdout or stderr, nor from the input data in any file
written, unless the run asked for it (``--reveal``); no private key material on stdout or stderr;
every input byte-identical afterwards; nothing read outside the inputs (through a symlink in a batch,
where a manifest points), nothing written outside the output paths, no temporary file left behind; a
failed or interrupted run leaves no output; a written private key is owner-only; a command whose exit
code 0 means "intact" (``verify``) never gives it to a damaged batch.

How parameters are recognised is in :func:`classify`; plausible values for the parameters a run does
not attack (so that the hostile part is what gets tested) are in :func:`baseline`.  In-process runs set
``CREDITSTD_DEBUG=1``, so a bug shows as the exception and where it was raised, not as exit code 3.
``CREDITSTD_ADVERSARIAL_LOG=FILE`` appends each run's exit code and last stderr line to FILE (to see
whether the attacks reach past argument parsing).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import re
import select
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import corpus
import pytest
from click.testing import CliRunner

from creditstd.cli import main

ENV = {"CREDITSTD_LANG": "both"}
INPUT_DATA = "from the input data"
COMMAND_LINE = "from a command-line value"
EXIT_CODES = frozenset({0, 1, 2})
#: Seconds one in-process run may take before it counts as a hang.
IN_PROCESS_TIMEOUT = 60
#: Seconds a subprocess run (FIFO, 100 MB line) may take.
SUBPROCESS_TIMEOUT = 90
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: Files outside the test's folder that only a followed symlink or a manifest pointing outside would read.
FORBIDDEN_READS = frozenset({"/etc/passwd", "/etc/shadow"})
REVEAL = re.compile(r"reveal|show[-_]?pii|unmask|no[-_]?mask", re.IGNORECASE)
TEMPORARY = re.compile(r"^\..*\.tmp$|\.tmp$|\.part$|~$")


# ==================================================================================================
# The tree walk


@dataclass(frozen=True)
class Param:
    """One parameter of a leaf command, with the role the suite gives it."""

    name: str
    label: str  # how ids and messages name it: the long option, or the argument's metavar
    role: str  # input, output, flag, choice, int, float, date, class, uscc, mapping, encoding, values, string
    kind: str = ""  # input: lines, records or dir; output: file or dir
    required: bool = False
    is_argument: bool = False
    opt: str = ""  # the option string to pass
    choices: tuple[str, ...] = ()
    count_like: bool = False
    raw_private: bool = False  # an output that holds raw personal data by design (owner-only)
    reveals: bool = False  # a flag that asks for ID numbers in full
    multiple: bool = False
    writes_into: tuple[str, ...] = ()  # file names the command documents writing into this input folder
    maximum: int | None = None  # an IntRange's upper bound
    help: str = ""


@dataclass(frozen=True)
class Leaf:
    """A command that runs (not a group)."""

    path: tuple[str, ...]
    help: str
    params: tuple[Param, ...]

    @property
    def id(self) -> str:
        return " ".join(self.path)

    def by_role(self, *roles: str) -> list[Param]:
        return [param for param in self.params if param.role in roles]

    def param(self, name: str) -> Param:
        return next(param for param in self.params if param.name == name)


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    """Every leaf command under ``command``, with its parameters classified."""
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not getattr(sub, "hidden", False):
                yield from walk(sub, (*path, name))
        return
    help_text = command.help or ""
    yield Leaf(path, help_text, tuple(classify(param, command) for param in command.params))


def _help(param: click.Parameter) -> str:
    return getattr(param, "help", None) or ""


def _without_parentheses(text: str) -> str:
    return re.sub(r"[(（][^)）]*[)）]", "", text)


def classify(param: click.Parameter, command: click.Command) -> Param:
    """Give ``param`` a role from its type, its names, metavar and help (nothing is listed by command)."""
    kind_of = param.type
    opts = [*param.opts, *param.secondary_opts]
    long_opts = [opt for opt in param.opts if opt.startswith("--")]
    is_argument = isinstance(param, click.Argument)
    label = (param.metavar or param.name.upper()) if is_argument else (long_opts or param.opts)[0]
    metavar = (param.metavar or "") if is_argument else (getattr(param, "metavar", None) or "")
    help_text = _help(param)
    words = " ".join([param.name or "", *opts, metavar, help_text]).lower()
    common = {
        "name": param.name,
        "label": label,
        "required": bool(param.required) or "required unless --dry-run" in help_text,
        "is_argument": is_argument,
        "opt": "" if is_argument else (long_opts or param.opts)[0],
        "multiple": bool(getattr(param, "multiple", False)),
        "help": help_text,
    }

    if isinstance(param, click.Option) and (param.is_flag or param.count):
        return Param(role="flag", reveals=bool(REVEAL.search(" ".join(opts))), **common)
    if isinstance(kind_of, click.File):
        mode = getattr(kind_of, "mode", "r")
        if any(char in mode for char in "wax"):
            return Param(role="output", kind="file", raw_private=_private(help_text), **common)
        return Param(role="input", kind="lines", **common)
    if isinstance(kind_of, click.Choice):
        return Param(role="choice", choices=tuple(str(getattr(c, "name", c)) for c in kind_of.choices), **common)
    if isinstance(kind_of, click.DateTime):
        return Param(role="date", **common)
    if isinstance(kind_of, click.types.IntParamType):
        count_like = "-n" in opts or param.name in ("count", "n", "number") or "how many" in words
        return Param(role="int", count_like=count_like, maximum=getattr(kind_of, "max", None), **common)
    if isinstance(kind_of, click.types.FloatParamType):
        return Param(role="float", **common)
    is_path = isinstance(kind_of, click.Path)
    outputish = any(
        opt in ("-o", "--output", "--out", "--rejects")
        or opt.startswith(("--output-", "--out-"))
        or opt.endswith(("-out", "-output", "-file-out"))
        for opt in opts
    ) or (is_path and getattr(kind_of, "writable", False) and not getattr(kind_of, "exists", False))
    if outputish:
        return Param(role="output", kind=_output_kind(param), raw_private=_private(help_text), **common)
    if (
        is_path
        or param.name in ("path", "file", "source", "input", "records", "src", "key", "key_file")
        or re.search(r"FILE|PATH|DIR|RECORDS|\.JSONL", metavar)
    ):
        # "write manifest.json.sig into FOLDER": the command adds that file to its input folder, on purpose
        into = tuple(re.findall(rf"writes?\s+([\w.-]+)\s+into\s+{re.escape(label)}\b", command.help or ""))
        return Param(role="input", kind=_input_kind(param, command), writes_into=into, **common)
    if param.name == "mapping":  # a mapping file or a built-in mapping's name (creditstd convert, mapping show)
        return Param(role="mapping", **common)
    if metavar == "CLASS" or param.name in ("class_name", "record_class", "cls"):
        return Param(role="class", **common)
    if "uscc" in (param.name or ""):
        return Param(role="uscc", **common)
    if param.name == "encoding" or "--encoding" in opts:
        return Param(role="encoding", **common)
    if is_argument and param.nargs == -1:
        return Param(role="values", **common)
    return Param(role="string", **common)


def _private(help_text: str) -> bool:
    return bool(re.search(r"owner-only|owner only|仅本人可读|personal data|raw", help_text, re.IGNORECASE))


def _output_kind(param: click.Parameter) -> str:
    kind_of = param.type
    if isinstance(kind_of, click.Path):
        if not kind_of.file_okay:
            return "dir"
        if not kind_of.dir_okay:
            return "file"
    if param.name in ("folder", "directory", "dir", "outdir", "output_dir"):
        return "dir"
    return "dir" if re.search(r"folder|directory|文件夹|目录", _without_parentheses(_help(param)), re.I) else "file"


def _input_kind(param: click.Parameter, command: click.Command) -> str:
    kind_of = param.type
    if param.metavar == "SAMPLE" or any(other.name == "mapping" for other in command.params):
        return "export"  # a departmental export, read through a mapping (convert) or to draft one (mapping init)
    if isinstance(kind_of, click.Path) and not kind_of.file_okay:
        return "dir"
    if "key" in (param.name or "") or any("key" in opt for opt in param.opts):
        return "key"
    if (
        isinstance(kind_of, click.Path)
        and kind_of.dir_okay
        and ("DIR" in (param.metavar or "") or re.search(r"folder|batch|文件夹|批次", command.help or "", re.I))
    ):
        return "dir"
    if any(
        other.name in ("class_name", "record_class") or getattr(other, "metavar", None) == "CLASS"
        for other in command.params
    ):
        return "records"
    return "lines"


LEAVES: dict[str, Leaf] = {leaf.id: leaf for leaf in walk(main)}


# ==================================================================================================
# The sandbox a run happens in


class Sandbox:
    """``tmp_path`` laid out for one test: inputs, outputs, a place outside, the working folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inputs = root / "in"
        self.out = root / "out"
        self.outside = root / "outside"
        self.cwd = root / "cwd"
        self.home = root / "home"
        self.systmp = root / "systmp"
        for folder in (self.inputs, self.out, self.outside, self.cwd, self.home, self.systmp):
            folder.mkdir(exist_ok=True)
        self.locked: list[Path] = []  # made unwritable: unlocked after the test, so that it can be removed
        self.sentinel = self.outside / "sentinel.txt"
        self.sentinel.write_text(f"sentinel {corpus.ID18}\n", encoding="utf-8")


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path)
    monkeypatch.chdir(box.cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(box.systmp))  # anything written to the system temp shows
    yield box
    for path in box.locked:
        _unlock(path)


def _lock(box: Sandbox, path: Path) -> None:
    """Make ``path`` unwritable: mode 0500 / 0400, and as root (whom modes do not stop) immutable (chattr +i)."""
    box.locked.append(path)
    path.chmod(0o500 if path.is_dir() else 0o400)
    if _writable(path) and shutil.which("chattr"):
        subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if _writable(path):
        _unlock(path)
        pytest.skip("neither chmod nor chattr +i makes a path unwritable here")


def _unlock(path: Path) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
    with contextlib.suppress(OSError):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _writable(path: Path) -> bool:
    probe = path / ".probe" if path.is_dir() else path
    try:
        if path.is_dir():
            probe.touch()
            probe.unlink()
        else:
            with open(probe, "ab"):
                pass
    except OSError:
        return False
    return True


# ==================================================================================================
# Building invocations


@dataclass
class Invocation:
    """One run of the command line, and what the invariants need to know about it."""

    leaf: Leaf
    values: dict[str, object] = field(default_factory=dict)  # param name -> value (str, list, True)
    stdin: bytes | None = None
    inputs: list[Path] = field(default_factory=list)  # paths that must stay byte-identical
    outputs: list[tuple[Path, Param | None]] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    secret_sources: list[Path] = field(default_factory=list)  # files whose ID numbers count, not inputs
    subprocess: bool = False
    fifo_feed: dict[Path, bytes] = field(default_factory=dict)
    timeout: float = IN_PROCESS_TIMEOUT
    cli: click.Command = main  # the suite's own self-test swaps in a deliberately broken command
    must_not_pass: str = ""  # why exit code 0 would be wrong here (a verifier handed a damaged batch)

    @property
    def reveal(self) -> bool:
        return any(param.reveals and self.values.get(param.name) for param in self.leaf.params)

    def argv(self) -> list[str]:
        args: list[str] = list(self.leaf.path)
        positional: list[str] = []
        for param in self.leaf.params:
            if param.name not in self.values:
                continue
            value = self.values[param.name]
            if param.is_argument:
                positional.extend(value if isinstance(value, list) else [str(value)])
            elif param.role == "flag":
                if value:
                    args.append(param.opt)
            else:
                for item in value if isinstance(value, list) else [value]:
                    args.extend([f"{param.opt}={item}"] if param.opt.startswith("--") else [param.opt, str(item)])
        return args + positional

    def shell(self, root: Path) -> str:
        """The command, for a person to paste (paths shown relative to the test's tmp_path)."""
        text = " ".join(_quote(arg) for arg in ["creditstd", *self.argv()]).replace(str(root) + "/", "$TMP/")
        return text if self.stdin is None else f"{text} < <stdin {len(self.stdin)} bytes>"


def _quote(arg: str) -> str:
    """``arg`` quoted for bash; bytes argv cannot carry as text (surrogates, controls) as ``$'\\xff'``."""
    if all(char.isprintable() and not "\udc80" <= char <= "\udcff" for char in arg):
        return shlex.quote(arg)
    data = os.fsencode(arg)
    return (
        "$'"
        + "".join(chr(byte) if 32 <= byte < 127 and chr(byte) not in "'\\" else f"\\x{byte:02x}" for byte in data)
        + "'"
    )


def _valid_class() -> str:
    from creditstd.records.loader import class_names

    names = class_names()
    return "administrative_penalty" if "administrative_penalty" in names else names[0]


def baseline_input(leaf: Leaf, param: Param, box: Sandbox) -> Path:
    """A plausible, valid input for ``param``."""
    if param.kind == "dir":
        return corpus.BATCH_CASES["valid"].build(box.root)
    if param.kind == "records":
        return corpus.records_file(box.inputs)
    if param.kind == "export":
        return corpus.export_file(box.inputs)
    if param.kind == "key":
        return produce_key(leaf, param, box)
    return corpus.lines_file(box.inputs)


def produce_key(leaf: Leaf, param: Param, box: Sandbox) -> Path:
    """A key file for ``param``, made by the command of the same group that makes keys (``keygen``).

    Which of the files it writes is picked by the suffix ``param``'s help names (``.key``, ``.pub``).
    """
    prefix = box.root / "keys" / "produced"
    made = sorted(prefix.parent.glob(f"{prefix.name}.*"))
    if not made:
        producers = [
            other
            for other in LEAVES.values()
            if other.path[:-1] == leaf.path[:-1]
            and "key" in other.path[-1]
            and other is not leaf
            and other.by_role("output")
        ]
        if not producers:
            return corpus.lines_file(box.inputs)
        output = producers[0].by_role("output")[0]
        run = baseline(producers[0], box, {output.name})
        prefix.parent.mkdir(exist_ok=True)
        run.values[output.name] = str(prefix)
        CliRunner().invoke(main, run.argv(), env=_env(box))
        made = sorted(prefix.parent.glob(f"{prefix.name}.*"))
    for suffix in re.findall(r"\.(key|pub|pem|crt|der)\b", param.help):
        for path in made:
            if path.suffix == f".{suffix}":
                return path
    return made[0] if made else corpus.lines_file(box.inputs)


def baseline_output(param: Param, box: Sandbox) -> Path:
    name = param.name.strip("_") or "output"
    return box.out / (f"{name}_dir" if param.kind == "dir" else f"{name}.out")


def baseline(leaf: Leaf, box: Sandbox, attacked: set[str], *, optional_input: bool = True) -> Invocation:
    """An invocation with plausible values for every required parameter not in ``attacked``.

    An optional input (``check --file``) is given too unless the run attacks a ``values`` argument or
    another input (they are alternatives); optional outputs are left to their defaults.
    """
    run = Invocation(leaf)
    attacks_alternative = any(leaf.param(name).role in ("values", "input") for name in attacked)
    gave_input = False
    for param in leaf.params:
        if param.name in attacked:
            continue
        if param.role == "input" and (
            param.required or (optional_input and not attacks_alternative and not gave_input)
        ):
            path = baseline_input(leaf, param, box)
            run.values[param.name] = str(path)
            run.inputs.append(path)
            gave_input = True
        elif param.role == "output" and param.required:
            path = baseline_output(param, box)
            run.values[param.name] = str(path)
            run.outputs.append((path, param))
        elif not param.required:
            continue
        elif param.role == "class":
            run.values[param.name] = _valid_class()
        elif param.role == "uscc":
            run.values[param.name] = corpus.USCC
        elif param.role == "mapping":
            run.values[param.name] = corpus.EXPORT_MAPPING
        elif param.role == "choice":
            run.values[param.name] = param.choices[0]
        elif param.role == "date":
            run.values[param.name] = "2024-06-01"
        elif param.role in ("int", "float"):
            run.values[param.name] = "1"
        elif param.role == "encoding":
            run.values[param.name] = "utf-8"
        elif param.role == "values":
            run.values[param.name] = [corpus.USCC]
        elif param.role == "string":
            run.values[param.name] = "某市市场监督管理局" if "department" in param.name else "x"
    return run


# ==================================================================================================
# Running


_OPENED: list[tuple[str, int]] | None = None  # (absolute path, flags) of every open() while a run is recorded


def _audit(event: str, args: tuple) -> None:
    if _OPENED is None or event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path, mode, flags = args
    if isinstance(mode, str) and any(char in mode for char in "wax+"):
        return  # a write: the snapshot judges writes
    if isinstance(flags, int) and flags & os.O_ACCMODE != os.O_RDONLY:
        return
    _OPENED.append((os.path.abspath(os.fsdecode(path)), flags if isinstance(flags, int) else 0))


sys.addaudithook(_audit)


@contextlib.contextmanager
def _recording_reads() -> Iterator[list[tuple[str, int]]]:
    global _OPENED
    _OPENED = opened = []
    try:
        yield opened
    finally:
        _OPENED = None


@dataclass
class Outcome:
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    exception: BaseException | None = None
    unraisable: list[str] = field(default_factory=list)
    opened: list[tuple[str, int]] = field(default_factory=list)  # files read (in-process runs only)
    hung: bool = False
    seconds: float = 0.0
    where: str = ""  # where an uncaught exception was raised (the last frame in creditstd)


class Hang(BaseException):
    """Raised by the alarm in a run that takes too long (a BaseException: click's runner lets it through)."""


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _env(box: Sandbox) -> dict[str, str]:
    return {**ENV, "HOME": str(box.home), "TMPDIR": str(box.systmp), "XDG_CACHE_HOME": str(box.home / ".cache")}


def run_in_process(run: Invocation, box: Sandbox) -> Outcome:
    unraisable: list[str] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda info: unraisable.append(
        f"{info.exc_type.__name__}: {info.exc_value} (in {info.object!r})"
    )
    start = time.monotonic()
    gc.freeze()  # what exists before the run is not garbage of the run: the collection below stays cheap
    try:
        with _alarm(run.timeout), _recording_reads() as opened:
            try:
                # CREDITSTD_DEBUG: a bug surfaces as the exception itself (type, message, where), not exit code 3
                result = CliRunner().invoke(
                    run.cli, run.argv(), input=run.stdin, env={**_env(box), "CREDITSTD_DEBUG": "1"}
                )
            except Hang as error:
                return Outcome(None, b"", b"", error, hung=True, seconds=time.monotonic() - start)
        gc.collect()  # a generator left half-read reports its errors now, not in another test
    finally:
        gc.unfreeze()
        sys.unraisablehook = previous_hook
    where = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit) and result.exc_info:
        frames = traceback.extract_tb(result.exc_info[2])
        ours = [
            frame
            for frame in frames
            if "/creditstd/" in frame.filename or "/cli/" in frame.filename or "/catalogue/" in frame.filename
        ]
        frame = (ours or frames)[-1]
        where = f"{Path(frame.filename).parent.name}/{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
    return Outcome(
        result.exit_code,
        result.stdout_bytes,
        result.stderr_bytes or b"",
        result.exception,
        unraisable,
        opened,
        seconds=time.monotonic() - start,
        where=where,
    )


_LAUNCH = "import sys; del sys.path[0]; from creditstd.cli import main; sys.exit(main())"


def _feed(path: Path, data: bytes, stop: threading.Event) -> None:
    """Write ``data`` into the FIFO at ``path`` once a reader opens it (give up when ``stop`` is set)."""
    while not stop.is_set():
        try:
            handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno == errno.ENXIO:  # no reader yet
                time.sleep(0.01)
                continue
            return
        try:
            os.set_blocking(handle, True)
            with contextlib.suppress(BrokenPipeError):
                os.write(handle, data)
        finally:
            os.close(handle)
        return


def run_subprocess(run: Invocation, box: Sandbox) -> Outcome:
    stop = threading.Event()
    feeders = [
        threading.Thread(target=_feed, args=(path, data, stop), daemon=True) for path, data in run.fifo_feed.items()
    ]
    for feeder in feeders:
        feeder.start()
    argv = [sys.executable, "-c", _LAUNCH, *(os.fsencode(arg) for arg in run.argv())]
    start = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=box.cwd,
        env={**os.environ, **_env(box)},
        stdin=subprocess.PIPE if run.stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        stdout, stderr = process.communicate(run.stdin, timeout=run.timeout)
        hung = False
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        hung = True
    finally:
        stop.set()
        for feeder in feeders:
            feeder.join(5)
    return Outcome(None if hung else process.returncode, stdout, stderr, hung=hung, seconds=time.monotonic() - start)


def _feed_and_hold(path: Path, data: bytes, stop: threading.Event, fed: threading.Event) -> None:
    """Write ``data`` into the FIFO once a reader opens it, then keep it open (more may come) until ``stop``."""
    while not stop.is_set():
        try:
            handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno == errno.ENXIO:
                time.sleep(0.01)
                continue
            return
        try:
            os.set_blocking(handle, True)
            with contextlib.suppress(BrokenPipeError):
                os.write(handle, data)
            fed.set()
            stop.wait()
        finally:
            os.close(handle)
        return


def run_interrupted(run: Invocation, box: Sandbox, signum: int, fifo: Path | None) -> Outcome:
    """Start ``run``, interrupt it with ``signum`` mid-way (while it waits on ``fifo``, or while it works)."""
    stop, fed = threading.Event(), threading.Event()
    feeder = None
    if fifo is not None:
        feeder = threading.Thread(
            target=_feed_and_hold, args=(fifo, run.fifo_feed.get(fifo, b""), stop, fed), daemon=True
        )
        feeder.start()
    argv = [sys.executable, "-c", _LAUNCH, *(os.fsencode(arg) for arg in run.argv())]
    start = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=box.cwd,
        env={**os.environ, **_env(box)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        head = _wait_until_busy(process, box, fed if fifo is not None else None)
        time.sleep(0.3)  # well inside the command now: its signal handling is in place
        process.send_signal(signum)
        try:
            stdout, stderr = process.communicate(timeout=run.timeout)
            stdout = head + stdout
            hung = False
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            hung = True
    finally:
        stop.set()
        if feeder is not None:
            feeder.join(5)
    return Outcome(None if hung else process.returncode, stdout, stderr, hung=hung, seconds=time.monotonic() - start)


def _wait_until_busy(process: subprocess.Popen, box: Sandbox, fed: threading.Event | None) -> bytes:
    """Wait (up to 30 s, however slow the machine) until the command is at work: it opened its FIFO,
    printed something, or began an output file.  Returns what it printed meanwhile."""
    assert process.stdout is not None
    before = {path for path in box.root.rglob("*") if _under(str(path), str(box.out))}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if fed is not None and fed.is_set():
            return b""
        if fed is None and select.select([process.stdout], [], [], 0.05)[0]:
            return os.read(process.stdout.fileno(), 65536)
        if fed is None and {path for path in box.out.rglob("*")} - before:
            return b""
        time.sleep(0.02)
    return b""


def run_reader_goes_away(run: Invocation, box: Sandbox) -> Outcome:
    """Start ``run``, read a little of its stdout, then close the pipe (``creditstd ... | head -c 100``)."""
    argv = [sys.executable, "-c", _LAUNCH, *(os.fsencode(arg) for arg in run.argv())]
    start = time.monotonic()
    process = subprocess.Popen(
        argv,
        cwd=box.cwd,
        env={**os.environ, **_env(box)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
    reader.start()
    head = process.stdout.read(100)
    process.stdout.close()
    try:
        process.wait(timeout=run.timeout)
        hung = False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        hung = True
    reader.join(10)
    return Outcome(
        None if hung else process.returncode, head, b"".join(errors), hung=hung, seconds=time.monotonic() - start
    )


# ==================================================================================================
# Invariants


@dataclass(frozen=True)
class Entry:
    kind: str  # file, dir, link, fifo, other
    digest: str = ""
    mode: int = 0


def _digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def snapshot(root: Path) -> dict[str, Entry]:
    """Every entry under ``root`` (symlinks not followed; FIFOs never opened)."""
    entries: dict[str, Entry] = {}
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            children = list(os.scandir(folder))
        except OSError:
            continue
        for child in children:
            info = child.stat(follow_symlinks=False)
            mode = info.st_mode
            if stat.S_ISLNK(mode):
                entry = Entry("link", os.readlink(child.path))
            elif stat.S_ISDIR(mode):
                entry = Entry("dir", mode=stat.S_IMODE(mode))
                stack.append(child.path)
            elif stat.S_ISREG(mode):
                entry = Entry("file", _digest(child.path), stat.S_IMODE(mode))
            elif stat.S_ISFIFO(mode):
                entry = Entry("fifo")
            else:
                entry = Entry("other")
            entries[child.path] = entry
    return entries


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _abs(path: Path | str) -> str:
    return os.path.normpath(os.path.abspath(os.fspath(path)))


def _input_entries(run: Invocation, before: dict[str, Entry]) -> set[str]:
    """Entries that belong to the run's inputs (the input itself, a folder's content, a symlink's target)."""
    inputs: set[str] = set()
    for path in run.inputs:
        for candidate in {_abs(path), os.path.realpath(path)}:
            inputs |= {name for name in before if _under(name, candidate)}
    return inputs


def _input_bytes(path: Path, limit: int = 32 << 20) -> Iterator[bytes]:
    """The bytes of an input (a folder's files; symlinks followed; FIFOs and devices skipped)."""
    try:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                yield from _input_bytes(child, limit) if not child.is_dir() else ()
            return
        if path.is_file() and path.stat().st_size <= limit:
            yield path.read_bytes()
    except OSError:
        return


def collect_secrets(run: Invocation) -> dict[str, str]:
    """The valid ID numbers the run was given, and where: its files and stdin, or its command-line values."""
    found = set(run.secrets)
    for path in [*run.inputs, *run.secret_sources]:
        for data in _input_bytes(Path(path)):
            found |= corpus.ids_in_bytes(data)
    if run.stdin:
        found |= corpus.ids_in_bytes(run.stdin)
    secrets = dict.fromkeys(found, INPUT_DATA)
    for arg in run.argv():  # a value typed on the command line: that is where an echo of it comes from
        secrets.update(dict.fromkeys(corpus.find_ids(arg), COMMAND_LINE))
    return secrets


def declared_outputs(run: Invocation) -> list[tuple[Path, Param | None]]:
    """The run's output paths, and the files its help says it writes into an input folder (``sign``)."""
    outputs = list(run.outputs)
    for param in run.leaf.params:
        value = run.values.get(param.name)
        if not param.writes_into or not isinstance(value, str) or value == "-":
            continue
        folder = Path(value) if Path(value).is_dir() else Path(value).parent
        outputs += [(folder / name, None) for name in param.writes_into]
    return outputs


def _raw_data_file(path: str, run: Invocation) -> bool:
    """Whether ``path`` is an output that holds the input's data by design (the batch payload, rejects)."""
    has_records_input = any(param.role == "input" and param.kind in ("records", "export") for param in run.leaf.params)
    given = {param.name for _, param in run.outputs if param is not None}
    for output, param in run.outputs:
        target = _abs(output)
        if param is not None and param.raw_private and _under(path, target):
            return True
        if (
            param is not None
            and param.kind == "dir"
            and has_records_input
            and _under(path, target)
            and path.endswith((".jsonl", ".csv", ".xml"))
        ):
            return True
        default_private = any(other.raw_private and other.name not in given for other in run.leaf.params)
        if default_private and _sibling_of(path, target):
            return True
    return False


def _sibling_of(path: str, output: str) -> bool:
    """A file written beside an output, named after it (``batch`` -> ``batch.rejects.jsonl``)."""
    return os.path.dirname(path) == os.path.dirname(output) and os.path.basename(path).startswith(
        os.path.basename(output) + "."
    )


@dataclass
class Before:
    """What the invariants need from before a run: the files, and the ID numbers and keys it is given."""

    entries: dict[str, Entry]
    secrets: dict[str, str]
    key_lines: set[str]


def prepare(run: Invocation, box: Sandbox) -> Before:
    return Before(snapshot(box.root), collect_secrets(run), _private_key_lines(run))


def violations(
    run: Invocation,
    outcome: Outcome,
    prior: Before,
    after: dict[str, Entry],
    box: Sandbox,
    exits: frozenset[int] = EXIT_CODES,
) -> list[str]:
    """What the run broke, one line each (empty: every invariant holds)."""
    before = prior.entries
    found: list[str] = []
    failed = outcome.exit_code in (2, 128 + signal.SIGINT, 128 + signal.SIGTERM)  # must leave no output
    stdout = outcome.stdout.decode("utf-8", "replace")
    stderr = outcome.stderr.decode("utf-8", "replace")
    if outcome.hung:
        found.append(f"hang: no exit after {run.timeout} s")
    elif outcome.exit_code == 3:
        found.append("exit code 3: an internal error, a bug in creditstd by the README's own definition")
    elif outcome.exit_code not in exits:
        found.append(f"exit code {outcome.exit_code} is not one of {', '.join(map(str, sorted(exits)))}")
    if outcome.exception is not None and not isinstance(outcome.exception, (SystemExit, Hang)):
        found.append(
            f"uncaught exception {type(outcome.exception).__name__}: {str(outcome.exception)[:300]} "
            f"(at {outcome.where})"
        )
    for name, text in (("stdout", stdout), ("stderr", stderr)):
        if "Traceback (most recent call last)" in text or "Exception ignored in" in text:
            found.append(f"traceback on {name}")
    found += [f"exception ignored (unraisable): {message[:300]}" for message in outcome.unraisable]
    if outcome.exit_code == 0 and run.must_not_pass:
        found.append(f"exit code 0 (intact and valid) for a damaged batch: {run.must_not_pass}")
    if outcome.exit_code == 2 and not outcome.stderr.strip():
        found.append("exit code 2 without a message on stderr")

    # inputs are byte-identical; nothing is written outside the outputs
    outputs = [(_abs(path), param) for path, param in declared_outputs(run)]
    inputs = {
        name
        for name in _input_entries(run, before)
        if not any(param is None and _under(name, path) for path, param in outputs)
    }
    output_paths = [path for path, _ in outputs]
    for name in sorted(inputs):
        if after.get(name) != before[name]:
            change = "removed" if name not in after else "changed"
            found.append(f"input {_short(name, box)} {change}")
    for name, entry in sorted(after.items()):
        was = before.get(name)
        if name in inputs or was == entry:
            continue
        if was is not None and was.kind == "dir" and entry.kind == "dir":
            continue  # a folder's own times and mode do not matter, its entries are checked one by one
        at_output = any(_under(name, path) or _sibling_of(name, path) for path in output_paths)
        ancestor = entry.kind == "dir" and was is None and any(_under(path, name) for path in output_paths)
        short = _short(name, box)
        if TEMPORARY.search(os.path.basename(name)):
            found.append(f"temporary file left behind: {short}")
        elif not at_output and not ancestor:
            found.append(f"wrote outside the output paths: {short} ({'new' if was is None else 'changed'})")
        elif failed and entry.kind != "dir":
            found.append(f"exit code {outcome.exit_code} but output {'written' if was is None else 'changed'}: {short}")
    for name in sorted(set(before) - set(after) - inputs):
        if not any(_under(name, path) for path in output_paths):
            found.append(f"removed outside the output paths: {_short(name, box)}")
        elif failed:
            found.append(f"exit code {outcome.exit_code} but output removed: {_short(name, box)}")

    # nothing is read outside the inputs: not through a symlink in a batch, not where a manifest points
    # a mapping names a file to read (or a built-in mapping): whatever it names is an input of the run
    mappings = [str(box.cwd / value) for param in run.leaf.by_role("mapping")
                if isinstance(value := run.values.get(param.name), str) and value and "\0" not in value]
    allowed = (
        [_abs(path) for path in run.inputs]
        + [os.path.realpath(path) for path in run.inputs]
        + [os.path.normpath(path) for path in mappings]
        + output_paths
        + [str(box.home), str(box.systmp)]
    )
    for path, flags in outcome.opened:
        if flags & getattr(os, "O_NOFOLLOW", 0) and os.path.islink(path):
            continue  # opened so that a symlink is refused
        real = os.path.realpath(path)
        inside = _under(real, str(box.root)) or _under(path, str(box.root))
        if (real in FORBIDDEN_READS or inside) and not any(_under(real, a) or _under(path, a) for a in allowed):
            found.append(
                f"read outside its inputs: {_short(path, box)}" + (f" (-> {_short(real, box)})" if real != path else "")
            )

    # private key material that was given never shows (messages name a key file, never quote it)
    for body in sorted(prior.key_lines):
        for name, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            if body.encode() in text:
                found.append(f"private key material on {name}: {body[:12]}...")

    # a private key that was written is readable by its owner only
    for name, entry in sorted(after.items()):
        written = entry.kind == "file" and before.get(name) != entry and name not in inputs
        if written and entry.mode & 0o077 and (name.endswith(".key") or b"PRIVATE KEY-----" in _head(name)):
            found.append(f"private key {_short(name, box)} is not owner-only (mode {entry.mode:o})")

    # no full ID number from the input, anywhere, unless asked for
    if not run.reveal:
        secrets = prior.secrets
        for name, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            for secret in sorted(corpus.leaked(secrets, text)):
                found.append(f"ID number {secret} ({secrets[secret]}) in full on {name}: {_context(text, secret)}")
        for name, entry in sorted(after.items()):
            if entry.kind != "file" or name in inputs or before.get(name) == entry:
                continue
            if _raw_data_file(name, run):
                if entry.mode & 0o077:
                    found.append(f"raw-data output {_short(name, box)} is not owner-only (mode {entry.mode:o})")
                continue
            with open(name, "rb") as stream:
                data = stream.read()
            # a value typed on the command line may be recorded as asked (a department, a signer's name)
            for secret in sorted(corpus.leaked([s for s, origin in secrets.items() if origin == INPUT_DATA], data)):
                found.append(
                    f"ID number {secret} ({secrets[secret]}) in full in written file {_short(name, box)}: "
                    f"{_context(data, secret)}"
                )
    return found


def _private_key_lines(run: Invocation) -> set[str]:
    """The base64 lines of every private key among the run's inputs."""
    lines: set[str] = set()
    for path in run.inputs:
        for data in _input_bytes(Path(path), limit=1 << 20):
            if b"PRIVATE KEY-----" not in data:
                continue
            text = data.decode("ascii", "replace")
            for block in re.findall(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END", text, re.S):
                lines |= {line.strip() for line in block.splitlines() if len(line.strip()) >= 16}
    return lines


def _head(name: str) -> bytes:
    with open(name, "rb") as stream:
        return stream.read(200)


def _short(name: str, box: Sandbox) -> str:
    return name.replace(str(box.root) + "/", "$TMP/")


def _context(data: bytes, secret: str) -> str:
    text = data.decode("utf-8", "replace")
    for line in text.splitlines():
        if secret in corpus.compact_output(line.encode("utf-8", "surrogatepass")):
            at = unicodedata.normalize("NFKC", line).find(secret[:6])
            start = max(0, at - 60) if at >= 0 else 0
            return ("..." if start else "") + repr(line[start : start + 160])
    return "(across lines)"


def check(run: Invocation, box: Sandbox) -> Outcome:
    """Run ``run`` and fail the test with every invariant it breaks."""
    before = prepare(run, box)
    outcome = run_subprocess(run, box) if run.subprocess else run_in_process(run, box)
    after = snapshot(box.root)
    _fail_on(run, outcome, violations(run, outcome, before, after, box), box)
    return outcome


def _fail_on(run: Invocation, outcome: Outcome, found: list[str], box: Sandbox) -> None:
    log = os.environ.get("CREDITSTD_ADVERSARIAL_LOG")  # where each attack ended: is the hostile part reached?
    if log:
        with open(log, "a", encoding="utf-8") as stream:
            test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" ", 1)[0]
            first = outcome.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            stream.write(f"{test}\t{outcome.exit_code}\t{first[0][:200]!r}\n")
    if found:
        detail = "\n  ".join(found)
        stderr = outcome.stderr.decode("utf-8", "replace")[-1500:]
        pytest.fail(
            f"{run.shell(box.root)}\nexit code {outcome.exit_code}\n  {detail}\n--- stderr (end) ---\n{stderr}",
            pytrace=False,
        )


# ==================================================================================================
# The parametrisation: derived from the tree walk


def _input_params(leaf: Leaf, kinds: tuple[str, ...] = ("lines", "records", "export", "dir", "key")) -> list[Param]:
    return [param for param in leaf.by_role("input") if param.kind in kinds]


def _file_cases(param: Param) -> dict[str, corpus.FileCase]:
    return {**corpus.FILE_CASES, **corpus.KEY_CASES} if param.kind == "key" else corpus.FILE_CASES


def _cases_input_files() -> Iterator[object]:
    for leaf in LEAVES.values():
        for param in _input_params(leaf):
            for case in _file_cases(param).values():
                yield pytest.param(leaf.id, param.name, case.name, id=f"{leaf.id} {param.label} {case.name}")


def _variants(leaf: Leaf) -> list[tuple[str, dict[str, object]]]:
    """Each flag on its own, and each value of each choice option (the default run is the baseline)."""
    variants: list[tuple[str, dict[str, object]]] = []
    for param in leaf.params:
        if param.role == "flag":
            variants.append((param.label, {param.name: True}))
        elif param.role == "choice":
            variants += [(f"{param.label}={choice}", {param.name: choice}) for choice in param.choices]
    return variants


def _required_choice_arguments(leaf: Leaf) -> list[tuple[str, dict[str, object]]]:
    """Runs of a leaf that takes a required choice argument (``generate KIND``): one per choice."""
    for param in leaf.params:
        if param.is_argument and param.role == "choice" and param.required:
            return [(choice, {param.name: choice}) for choice in param.choices]
    return [("", {})]


CORPUS_PUBLIC_KEY = "@corpus-public-key"


def _cases_batches() -> Iterator[object]:
    """Every batch case with the default options; the cases about records and signatures also with each
    flag, with JSON output, and with the corpus's public key for a key option (``verify --key``)."""
    for leaf in LEAVES.values():
        for param in _input_params(leaf, ("dir",)):
            variants = [
                (label, values)
                for label, values in _variants(leaf)
                if any(value is True or str(value).lower() == "json" for value in values.values())
            ]
            keys = [
                (key.label, {key.name: CORPUS_PUBLIC_KEY})
                for key in leaf.by_role("input")
                if key.kind == "key" and not key.required
            ]
            for case in corpus.BATCH_CASES.values():
                chosen = [("", {})]
                if case.name.startswith(("valid", "records_", "signed")) and not case.subprocess:
                    chosen += variants
                if case.name.startswith(("valid", "records_", "signed", "signature_")):
                    chosen += keys
                for label, values in chosen:
                    yield pytest.param(
                        leaf.id,
                        param.name,
                        case.name,
                        values,
                        id=f"{leaf.id} {param.label} {case.name}{' ' + label if label else ''}",
                    )


def _cases_stdin() -> Iterator[object]:
    for leaf in LEAVES.values():
        targets: list[Param | None] = [None, *_input_params(leaf, ("lines", "records"))]
        for param in targets:
            for name in corpus.STDIN_CASES:
                label = f"{param.label}=-" if param else "implicit stdin"
                yield pytest.param(leaf.id, param.name if param else None, name, id=f"{leaf.id} {label} {name}")


def _cases_per_input() -> Iterator[object]:
    for leaf in LEAVES.values():
        for param in _input_params(leaf):
            yield pytest.param(leaf.id, param.name, id=f"{leaf.id} {param.label}")


OUTPUT_CASES = (
    "fresh",
    "fresh_nested",
    "relative",
    "dot",
    "empty_string",
    "existing_file",
    "existing_dir",
    "existing_complete_batch",
    "existing_then_failing_input",
    "existing_derived_files",
    "same_as_input",
    "input_folder",
    "input_at_derived_name",
    "same_as_other_output",
    "inside_other_output",
    "symlink_to_outside_file",
    "fifo",
    "name_250_chars",
    "name_too_long",
    "non_utf8_name",
    "trailing_slash",
    "parent_is_a_file",
    "unwritable_folder",
    "unwritable_existing_file",
    "root_folder",
    "dev_full",
)


def _derived_suffixes(leaf: Leaf) -> list[str]:
    """Names the help says are written beside an output: ``<folder>.rejects.jsonl``, ``PREFIX.key``."""
    found: list[str] = []
    for param in leaf.params:
        for suffix in re.findall(r"(?:<[^>\s]+>|\b[A-Z]{3,})(\.[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*)", param.help):
            if suffix not in found:
                found.append(suffix)
    return found


def _applicable(leaf: Leaf, param: Param, case: str) -> bool:
    """Whether an output case means anything for this command (the others are not generated at all)."""
    file_inputs = [p for p in leaf.by_role("input") if p.kind in ("lines", "records", "export")]
    others = [p for p in leaf.by_role("output") if p.name != param.name and p.required]  # in every run
    if case in ("existing_then_failing_input", "input_at_derived_name") and not file_inputs:
        return False
    if case in ("same_as_input", "input_folder") and not leaf.by_role("input"):
        return False
    if case in ("existing_derived_files", "input_at_derived_name") and not _derived_suffixes(leaf):
        return False
    if case == "same_as_other_output" and not others:
        return False
    if case == "inside_other_output" and not any(other.kind == "dir" for other in others):
        return False
    return not (case == "existing_complete_batch" and param.kind != "dir")


def _cases_outputs() -> Iterator[object]:
    for leaf in LEAVES.values():
        for param in leaf.by_role("output"):
            for case in OUTPUT_CASES:
                if _applicable(leaf, param, case):
                    yield pytest.param(leaf.id, param.name, case, id=f"{leaf.id} {param.label} {case}")


def _cases_values() -> Iterator[object]:
    for leaf in LEAVES.values():
        for kind_label, kind_values in _required_choice_arguments(leaf):
            for param in leaf.params:
                if param.role in ("input", "output", "flag") or param.name in kind_values:
                    continue
                values = corpus.values_for(param.role, param.choices, count_like=param.count_like)
                for name in values:
                    prefix = f"{leaf.id} {kind_label}".strip()
                    yield pytest.param(leaf.id, kind_values, param.name, name, id=f"{prefix} {param.label} {name}")


def _cases_variants() -> Iterator[object]:
    for leaf in LEAVES.values():
        for kind_label, kind_values in _required_choice_arguments(leaf):
            for label, values in _variants(leaf):
                if set(values) & set(kind_values):
                    continue
                prefix = f"{leaf.id} {kind_label}".strip()
                yield pytest.param(leaf.id, {**kind_values, **values}, id=f"{prefix} {label}")


# ==================================================================================================
# The tests


def test_tree_walk_finds_the_commands() -> None:
    """The walk sees the documented commands and recognises their inputs and outputs (guards the heuristics)."""
    assert {"check", "generate", "fake", "exchange pack", "exchange verify", "catalogue docs"} <= set(LEAVES)
    for leaf in LEAVES.values():
        for param in leaf.params:
            assert param.role, (leaf.id, param.name)
    roles = {
        (leaf_id, param.name): (param.role, param.kind) for leaf_id, leaf in LEAVES.items() for param in leaf.params
    }
    assert roles.get(("check", "path"), ("input", "lines"))[0] == "input"
    assert roles.get(("exchange pack", "source"), ("input", "records")) == ("input", "records")
    assert roles.get(("exchange verify", "path"), ("input", "dir")) == ("input", "dir")
    assert all(
        role == "output"
        for role, _ in (
            roles.get(key, ("output", ""))
            for key in (
                ("exchange pack", "folder"),
                ("exchange pack", "rejects"),
                ("fake", "output"),
                ("catalogue docs", "directory"),
            )
        )
    )


def test_the_corpus_is_what_it_claims(tmp_path: Path) -> None:
    """Planted ID numbers are valid (a leak is a real leak); the "valid" records and batch really are."""
    from creditstd.codes import ric, uscc
    from creditstd.records.exchange import verify_batch
    from creditstd.records.validation import validator

    assert all(ric.is_valid(number) for number in (corpus.ID18, corpus.ID15, corpus.ID18B))
    assert uscc.is_valid(corpus.USCC, strict=True)
    for name, line in corpus.ID_SHAPES.items():
        assert corpus.find_ids(line), name
    strict = validator("administrative_penalty", True)
    assert [list(strict.iter_errors(record)) for record in corpus.valid_records()] == [[]] * 7
    report = verify_batch(corpus.BATCH_CASES["valid"].build(tmp_path), strict=True)
    assert report.ok, report.problems
    assert corpus.leaked({corpus.ID18}, "身份证号：１１０１０５ 19491231-002x".encode())
    assert not corpus.leaked({corpus.ID18}, b"110105********002X")


@pytest.mark.parametrize(
    ("leaf_id", "kind_values"),
    [
        pytest.param(leaf.id, values, id=f"{leaf.id} {label}".strip())
        for leaf in LEAVES.values()
        for label, values in _required_choice_arguments(leaf)
    ],
)
def test_baseline_runs_cleanly(sandbox: Sandbox, leaf_id: str, kind_values: dict) -> None:
    """The plausible invocation every attack starts from works (else the attacks would not reach the code)."""
    leaf = LEAVES[leaf_id]
    run = baseline(leaf, sandbox, set(kind_values))
    run.values.update(kind_values)
    outcome = check(run, sandbox)
    assert outcome.exit_code in (0, 1), (
        f"the suite cannot derive a working invocation of {leaf.id!r} ({run.shell(sandbox.root)} exits "
        f"{outcome.exit_code}): teach baseline() a plausible value for the new parameter\n"
        + outcome.stderr.decode("utf-8", "replace")[-800:]
    )


@pytest.mark.parametrize(("leaf_id", "param_name", "case_name"), list(_cases_input_files()))
def test_hostile_input_file(sandbox: Sandbox, leaf_id: str, param_name: str, case_name: str) -> None:
    leaf = LEAVES[leaf_id]
    case = _file_cases(leaf.param(param_name))[case_name]
    run = baseline(leaf, sandbox, {param_name})
    path = case.build(sandbox.inputs)
    run.values[param_name] = str(path)
    run.inputs.append(path)
    run.secrets |= case.secrets
    if case.subprocess:
        run.subprocess, run.timeout = True, SUBPROCESS_TIMEOUT
        run.fifo_feed[path] = case.fifo_content
    check(run, sandbox)


@pytest.mark.parametrize(("leaf_id", "param_name", "case_name", "variant"), list(_cases_batches()))
def test_hostile_batch(sandbox: Sandbox, leaf_id: str, param_name: str, case_name: str, variant: dict) -> None:
    leaf, case = LEAVES[leaf_id], corpus.BATCH_CASES[case_name]
    run = baseline(leaf, sandbox, {param_name, *variant})
    path = case.build(sandbox.root)
    for name, value in variant.items():
        if value == CORPUS_PUBLIC_KEY:
            value = str(corpus.key_pair(sandbox.root)[1])
            run.inputs.append(Path(value))
        run.values[name] = value
    run.values[param_name] = str(path)
    run.inputs.append(path if path.is_dir() else path.parent)
    run.secret_sources.append(sandbox.outside)  # what a symlink or a manifest in the batch points at
    if case.subprocess:
        run.subprocess, run.timeout = True, 30
    run.must_not_pass = _must_not_pass(leaf, case.name, variant)
    check(run, sandbox)


def _must_not_pass(leaf: Leaf, case: str, variant: dict) -> str:
    """For a command whose exit code 0 means "intact" (``verify``): why this batch must not get it."""
    if "intact" not in leaf.help.lower():
        return ""
    keys = [name for name, value in variant.items() if value == CORPUS_PUBLIC_KEY]
    damage = corpus.damage(case)
    if keys and case not in corpus.TRUSTED_SIGNATURE:
        return "a signature by a trusted key is required, and this batch has none (or a broken one)"
    if damage == "structure":
        return "its manifest, files, count, hash or record ids are wrong"
    no_validate = any(value is True and "no_validate" in name for name, value in variant.items())
    if damage == "content" and not no_validate:
        return "records in it are invalid"
    return ""


@pytest.mark.parametrize(("leaf_id", "param_name", "case_name"), list(_cases_stdin()))
def test_hostile_stdin(sandbox: Sandbox, leaf_id: str, param_name: str | None, case_name: str) -> None:
    leaf = LEAVES[leaf_id]
    path = corpus.FILE_CASES[case_name].build(sandbox.inputs)
    if param_name is None:
        run = baseline(leaf, sandbox, set(), optional_input=False)
    else:
        run = baseline(leaf, sandbox, {param_name})
        run.values[param_name] = "-"
    run.stdin = path.read_bytes()
    check(run, sandbox)


@pytest.mark.parametrize(("leaf_id", "param_name"), list(_cases_per_input()))
def test_hundred_megabyte_line(sandbox: Sandbox, leaf_id: str, param_name: str) -> None:
    """One line of 100 MB of ID numbers: no hang, no memory blow-up into a traceback, nothing leaked."""
    leaf = LEAVES[leaf_id]
    param = leaf.param(param_name)
    run = baseline(leaf, sandbox, {param_name})
    path, secrets = corpus.write_big_line(sandbox.inputs)
    if param.kind == "dir":  # the big line as the batch's records file (the manifest agrees with it)
        folder = corpus.BATCH_CASES["valid"].build(sandbox.root)
        (folder / "records.jsonl").unlink()
        path.replace(folder / "records.jsonl")
        corpus._rehash(folder)
        path = folder
    run.values[param_name] = str(path)
    run.inputs.append(path)
    run.secrets |= secrets
    run.subprocess, run.timeout = True, SUBPROCESS_TIMEOUT
    check(run, sandbox)


@pytest.mark.parametrize(("leaf_id", "param_name", "case"), list(_cases_outputs()))
def test_hostile_output(sandbox: Sandbox, leaf_id: str, param_name: str, case: str) -> None:
    leaf = LEAVES[leaf_id]
    param = leaf.param(param_name)
    run = baseline(leaf, sandbox, {param_name})
    run.outputs = [(path, other) for path, other in run.outputs if other is None or other.name != param_name]
    others = [(path, other) for path, other in run.outputs if other is not None]
    first_input = next((Path(str(run.values[p.name])) for p in leaf.by_role("input") if p.name in run.values), None)
    target: Path | str
    name = "target" if param.kind == "dir" else "target.txt"
    if case == "fresh":
        target = sandbox.out / name
    elif case == "fresh_nested":
        target = sandbox.out / "a" / "b" / "c" / name
    elif case == "relative":
        target = Path("rel") / name
    elif case == "dot":
        target = "."
    elif case == "empty_string":
        target = ""
    elif case == "existing_file":
        target = sandbox.out / name
        target.write_text("previous content\n", encoding="utf-8")
    elif case == "existing_dir":
        target = sandbox.out / name
        target.mkdir()
        (target / "keep.txt").write_text("keep me\n", encoding="utf-8")
    elif case == "existing_complete_batch":
        target = corpus.build_batch(sandbox.out / name)
    elif case == "existing_then_failing_input":
        inputs = [p for p in leaf.by_role("input") if p.kind in ("lines", "records", "export")]
        if not inputs:
            pytest.skip(f"{leaf.id} reads no file input that could fail half way")
        target = corpus.build_batch(sandbox.out / name) if param.kind == "dir" else sandbox.out / name
        if param.kind != "dir":
            target.write_text("previous content\n", encoding="utf-8")
        bad = corpus.FILE_CASES["late_bad_byte"].build(sandbox.inputs)
        run.inputs = [path for path in run.inputs if str(path) != str(run.values.get(inputs[0].name))]
        run.values[inputs[0].name] = str(bad)
        run.inputs.append(bad)
    elif case == "input_at_derived_name":
        derived = _derived_suffixes(leaf)
        file_inputs = [p for p in leaf.by_role("input")
                       if p.kind in ("lines", "records", "export") and p.name in run.values]
        if not derived or not file_inputs:
            pytest.skip(f"{leaf.id} documents no file it writes beside {param.label}, or reads no input file")
        target = sandbox.out / name
        moved = Path(f"{target}{derived[0]}")
        Path(str(run.values[file_inputs[0].name])).replace(moved)
        run.inputs = [path for path in run.inputs if str(path) != str(run.values[file_inputs[0].name])] + [moved]
        run.values[file_inputs[0].name] = str(moved)
    elif case == "existing_derived_files":
        derived = _derived_suffixes(leaf)
        if not derived:
            pytest.skip(f"{leaf.id} documents no file it writes beside {param.label}")
        target = sandbox.out / name
        for suffix in derived:
            Path(f"{target}{suffix}").write_text("previous content\n", encoding="utf-8")
    elif case == "same_as_input":
        if first_input is None:
            pytest.skip(f"{leaf.id} takes no input file")
        target = first_input
    elif case == "input_folder":
        if first_input is None:
            pytest.skip(f"{leaf.id} takes no input file")
        target = first_input if first_input.is_dir() else first_input.parent
    elif case == "same_as_other_output":
        if not others:
            pytest.skip(f"{leaf.id} has one output")
        target = others[0][0]
    elif case == "inside_other_output":
        if not any(other.kind == "dir" for _, other in others):
            pytest.skip(f"{leaf.id} has no other folder output")
        target = next(path for path, other in others if other.kind == "dir") / name
    elif case == "symlink_to_outside_file":
        target = sandbox.out / name
        target.symlink_to(sandbox.sentinel)
    elif case == "fifo":
        target = sandbox.out / name
        os.mkfifo(target)
        run.subprocess, run.timeout = True, 30
    elif case == "name_250_chars":
        target = sandbox.out / ("n" * 250)
    elif case == "name_too_long":
        target = sandbox.out / ("n" * 300)
    elif case == "non_utf8_name":
        target = Path(os.fsdecode(os.fsencode(str(sandbox.out)) + b"/\xff\xfe-out"))
    elif case == "trailing_slash":
        target = f"{sandbox.out / name}/"
    elif case == "parent_is_a_file":
        blocker = sandbox.out / "blocker"
        blocker.write_text("a file\n", encoding="utf-8")
        target = blocker / name
    elif case == "unwritable_folder":
        locked = sandbox.out / "locked"
        locked.mkdir()
        _lock(sandbox, locked)
        target = locked / name
    elif case == "unwritable_existing_file":
        target = sandbox.out / name
        if param.kind == "dir":
            target = corpus.build_batch(target)
        else:
            target.write_text("previous content\n", encoding="utf-8")
        _lock(sandbox, target)
    elif case in ("root_folder", "dev_full"):
        if IS_ROOT or os.access("/", os.W_OK):
            pytest.skip("unsafe as root: a defect would write into / or replace /dev/full")
        target = Path("/") if case == "root_folder" else Path("/dev/full")
    else:
        raise AssertionError(case)
    run.values[param_name] = str(target) if isinstance(target, Path) else target
    run.outputs.append((Path(_abs(sandbox.cwd / target)), param))
    check(run, sandbox)


@pytest.mark.parametrize(("leaf_id", "kind_values", "param_name", "value_name"), list(_cases_values()))
def test_hostile_value(sandbox: Sandbox, leaf_id: str, kind_values: dict, param_name: str, value_name: str) -> None:
    leaf = LEAVES[leaf_id]
    param = leaf.param(param_name)
    run = baseline(leaf, sandbox, {param_name, *kind_values})
    run.values.update(kind_values)
    value = corpus.values_for(param.role, param.choices, count_like=param.count_like)[value_name]
    run.values[param_name] = [value] if param.role == "values" else value
    check(run, sandbox)


@pytest.mark.parametrize(("leaf_id", "values"), list(_cases_variants()))
def test_flags_and_choices_over_leaky_input(sandbox: Sandbox, leaf_id: str, values: dict) -> None:
    """Each flag and each choice, over input holding every ID shape known to leak."""
    leaf = LEAVES[leaf_id]
    inputs = [param for param in _input_params(leaf) if param.name not in values]
    run = baseline(leaf, sandbox, set(values) | {param.name for param in inputs[:1]})
    run.values.update(values)
    for param in inputs[:1]:  # the first input (the others are alternatives, or get their baseline)
        if param.kind == "lines":
            path = corpus.id_shapes_file(sandbox.inputs)
        elif param.kind == "records":
            path = corpus.FILE_CASES["json_duplicates_and_rejects"].build(sandbox.inputs)
        else:
            path = corpus.BATCH_CASES["records_data_with_ids_everywhere"].build(sandbox.root)
        run.values[param.name] = str(path)
        run.inputs.append(path)
    check(run, sandbox)


def _long_running(leaf: Leaf) -> tuple[str, str] | None:
    """How to keep ``leaf`` busy: read a FIFO that stays open, or make a great many things."""
    inputs = _input_params(leaf, ("lines", "records"))
    if inputs:
        return "fifo", inputs[0].name
    counts = [param for param in leaf.params if param.role == "int" and param.count_like]
    return ("count", counts[0].name) if counts else None


def _busy(leaf: Leaf, box: Sandbox, how: str, name: str) -> tuple[Invocation, Path | None]:
    """A run of ``leaf`` that takes long, writing to its outputs (the first optional one too)."""
    run = baseline(leaf, box, {name})
    optional = [param for param in leaf.by_role("output") if not param.required and param.name not in run.values]
    for param in optional[:1]:
        path = baseline_output(param, box)
        run.values[param.name] = str(path)
        run.outputs.append((path, param))
    run.timeout = 30
    if how == "count":
        run.values[name] = str(min(10_000_000, leaf.param(name).maximum or 10_000_000))
        return run, None
    fifo = box.inputs / "slow_fifo"
    os.mkfifo(fifo)
    param = leaf.param(name)
    source = (
        corpus.records_file(box.outside, "feed.jsonl")
        if param.kind == "records"
        else corpus.id_shapes_file(box.outside, "feed.txt")
    )
    run.values[name] = str(fifo)
    run.inputs.append(fifo)
    run.fifo_feed[fifo] = source.read_bytes()
    return run, fifo


@pytest.mark.parametrize(
    ("leaf_id", "how", "signame"),
    [
        pytest.param(leaf.id, _long_running(leaf), signame, id=f"{leaf.id} {signame}")
        for leaf in LEAVES.values()
        if _long_running(leaf)
        for signame in ("SIGINT", "SIGTERM")
    ],
)
def test_interrupted(sandbox: Sandbox, leaf_id: str, how: tuple[str, str], signame: str) -> None:
    """Interrupted mid-way: exit code 130 / 143, no traceback, and no output left that looks complete."""
    leaf, signum = LEAVES[leaf_id], getattr(signal, signame)
    run, fifo = _busy(leaf, sandbox, *how)
    before = prepare(run, sandbox)
    outcome = run_interrupted(run, sandbox, signum, fifo)
    after = snapshot(sandbox.root)
    _fail_on(run, outcome, violations(run, outcome, before, after, sandbox, frozenset({128 + signum})), sandbox)


def _pipe_runs() -> Iterator[object]:
    for leaf in LEAVES.values():
        how = _long_running(leaf)
        if how is None or any(param.required for param in leaf.by_role("output")):
            continue  # its data goes to files: nothing much on stdout
        yield pytest.param(leaf.id, how, id=leaf.id)


@pytest.mark.parametrize(("leaf_id", "how"), list(_pipe_runs()))
def test_reader_goes_away(sandbox: Sandbox, leaf_id: str, how: tuple[str, str]) -> None:
    """``creditstd ... | head -c 100``: exit code 141 (or 0), no traceback, no "Exception ignored" noise."""
    leaf = LEAVES[leaf_id]
    kind, name = how
    run = baseline(leaf, sandbox, {name})
    run.timeout = 60
    if kind == "count":
        run.values[name] = str(min(1_000_000, leaf.param(name).maximum or 1_000_000))
    else:
        path = sandbox.inputs / "many.txt"  # a list of numbers, and an export a class can be inferred from
        path.write_text("CF_XDR_MC,CF_XDR_ZJHM,CF_XDR_SHXYM\n" + f"张三,{corpus.ID18},{corpus.USCC}\n" * 100_000,
                        encoding="utf-8")
        run.values[name] = str(path)
        run.inputs.append(path)
    before = prepare(run, sandbox)
    outcome = run_reader_goes_away(run, sandbox)
    after = snapshot(sandbox.root)
    # 141 when the reader left first; 0 or 1 when the command finished (a short report fits in the pipe)
    _fail_on(run, outcome, violations(run, outcome, before, after, sandbox, frozenset({0, 1, 141})), sandbox)


# ==================================================================================================
# The suite checks itself: a command that breaks each invariant is caught


@click.group()
def _broken() -> None:
    """A deliberately broken command line."""


@_broken.command("leak")
@click.option("--file", "path")
def _leak(path: str) -> None:
    click.echo(Path(path).read_text(encoding="utf-8"))


@_broken.command("clobber")
@click.option("--file", "path")
def _clobber(path: str) -> None:
    Path(path).write_text("gone\n", encoding="utf-8")


@_broken.command("stray")
@click.option("--file", "path")
@click.option("-o", "--output", "output")
def _stray(path: str, output: str) -> None:
    Path(output).write_text("ok\n", encoding="utf-8")
    (Path(output).parent / ".out.x1y2.tmp").write_text("left\n", encoding="utf-8")
    (Path(path).parent.parent / "elsewhere.txt").write_text("stray\n", encoding="utf-8")


@_broken.command("peek")
@click.option("--file", "path")
def _peek(path: str) -> None:
    (Path(path).parent.parent / "outside" / "sentinel.txt").read_bytes()


@_broken.command("half")
@click.option("-o", "--output", "output")
def _half(output: str) -> None:
    Path(output).write_text("looks complete\n", encoding="utf-8")
    raise click.UsageError("failed after writing")


@_broken.command("crash")
def _crash() -> None:
    raise ValueError("unforeseen")


@pytest.mark.parametrize(
    ("command", "given", "expected"),
    [
        ("leak", "numbers", "in full on stdout"),
        ("leak", "key_ed25519_private", "private key material on stdout"),
        ("clobber", "numbers", "input $TMP/in/numbers.txt changed"),
        ("stray", "numbers", "temporary file left behind"),
        ("stray", "numbers", "wrote outside the output paths: $TMP/elsewhere.txt"),
        ("peek", "numbers", "read outside its inputs: $TMP/outside/sentinel.txt"),
        ("half", "", "exit code 2 but output written"),
        ("crash", "", "uncaught exception ValueError"),
    ],
)
def test_the_suite_catches_a_broken_command(sandbox: Sandbox, command: str, given: str, expected: str) -> None:
    if given.startswith("key_") and given not in corpus.KEY_CASES:
        pytest.skip("no signing extra: no key cases")
    leaf = Leaf(
        (command,), "", tuple(classify(param, _broken.commands[command]) for param in _broken.commands[command].params)
    )
    run = Invocation(leaf, cli=_broken)
    if leaf.by_role("input"):
        path = (
            corpus.KEY_CASES[given].build(sandbox.inputs)
            if given.startswith("key_")
            else corpus.lines_file(sandbox.inputs)
        )
        run.values["path"] = str(path)
        run.inputs.append(path)
    for param in leaf.by_role("output"):
        run.values[param.name] = str(sandbox.out / "out.txt")
        run.outputs.append((sandbox.out / "out.txt", param))
    before = prepare(run, sandbox)
    outcome = run_in_process(run, sandbox)
    found = violations(run, outcome, before, snapshot(sandbox.root), sandbox)
    assert any(expected in line for line in found), found

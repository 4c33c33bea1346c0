"""The ``creditstd`` command: one click group, one module per command.

Exit codes, the same for every command:

* ``0``: everything checked is valid (or the command did its job);
* ``1``: some input is invalid (findings are on stdout);
* ``2``: usage error, or input that cannot be read (message on stderr);
* ``3``: an internal error, a bug in creditstd (a bilingual message names the kind of error, never the data;
  set ``CREDITSTD_DEBUG=1`` for the traceback);
* ``130`` / ``143``: interrupted by SIGINT (Ctrl-C) / SIGTERM: every output file being written is removed, so an
  interrupted run never leaves a partial output that looks complete;
* ``141``: whoever read the output stopped reading (``creditstd check ... | head``).

Findings go to stdout, progress and summaries to stderr.  Messages for
people come in Chinese and English (``CREDITSTD_LANG=zh|en|both``).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import click

from creditstd import __version__
from creditstd.cli._io import InputError, shown_message, signals_handled_by, stand_in_for_closed_streams
from creditstd.exceptions import CreditstdError, bilingual

__all__ = ["COMMANDS", "main"]

#: Command name -> (module, attribute, the short help ``creditstd --help`` lists).  A command's module is
#: imported only when the command runs (or its own help is asked for), so ``creditstd --help`` and
#: ``creditstd check`` never pay for Arrow, Faker or the docs generator.  A test keeps the short help here
#: equal to each command's own.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": ("creditstd.cli.check", "check_command", "识别并校验代码 / Identify, validate and explain identifiers."),
    "validate": ("creditstd.cli.validate", "validate_command",
                 "校验部门导出的数据文件 / Validate departmental exports against a catalogue class."),
    "generate": ("creditstd.cli.generate", "generate_command",
                 "生成有效的合成代码 / Print valid synthetic identifiers, one per line."),
    "catalogue": ("creditstd.cli.catalogue", "catalogue_group",
                  "信用信息目录：记录类、分类标准、参考文档 / The credit information catalogue: classes, taxonomy, "
                  "reference docs."),
    "fake": ("creditstd.cli.fake", "fake_command",
             "生成某记录类的合成记录 / Write synthetic records of a catalogue class."),
    "convert": ("creditstd.cli.convert", "convert_command",
                "按映射把部门导出转为交换批次 / Convert departmental exports into an exchange batch."),
    "exchange": ("creditstd.cli.exchange", "exchange_group",
                 "交换格式：打包与校验批次 / The exchange format: pack and verify batches."),
    "mapping": ("creditstd.cli.mapping", "mapping_group",
                "映射文件：内置映射与起草 / Mapping files: the built-in ones, and drafting one from a sample."),
}


class _Main(click.Group):
    """The command group: commands loaded on first use, and a last line of defence (a creditstd error never
    becomes a traceback)."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.lazy, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return super().get_command(ctx, name)
        module, attribute, _ = self.lazy[name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][2]))
            elif (command := super().get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> object:
        stand_in_for_closed_streams()
        with _exit_on_signals(), _arrow_without_pandas():
            try:
                return self._invoke(ctx)
            except click.ClickException as error:
                # messages quote what was typed ("Invalid value for '--kind': '1101…'"): an ID number typed
                # into the wrong option is masked like any other echo
                # click's annotations declare ``message`` Final, yet it is a plain attribute that format_message()
                # reads when the error is shown: replacing it is how the shown text gets masked
                error.message = shown_message(error.message)  # type: ignore[misc]
                raise

    def _invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CreditstdError as error:  # a constraint or catalogue request a command did not foresee
            raise InputError(f"{error.code}：{error.message_zh}", f"{error.code}: {error.message_en}") from None
        except BrokenPipeError:
            with contextlib.suppress(OSError):  # nobody reads stdout any more: say nothing more there
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except OSError as error:  # a file the command could not read or write: the input or the machine, not a bug
            where = f" {error.filename}" if error.filename else ""
            raise InputError(f"无法读写{where}：{error.strerror}", f"cannot read or write{where}: {error.strerror}") \
                from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:
            if os.environ.get("CREDITSTD_DEBUG"):
                raise
            # the message of an unforeseen error may quote input data: only its kind is shown
            click.echo(bilingual(f"内部错误（creditstd 的缺陷，请报告）：{type(error).__name__}",
                                 f"internal error (a bug in creditstd, please report it): {type(error).__name__}; "
                                 "CREDITSTD_DEBUG=1 shows the traceback"), err=True)
            sys.exit(3)


class _PandasHiddenFromArrowProbe(importlib.abc.MetaPathFinder):
    """Imports pyarrow as usual, then answers its pandas probe with pandas hidden (:func:`_arrow_without_pandas`)."""

    def __init__(self) -> None:
        self.probing = False

    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if self.probing and name == "pandas":
            raise ModuleNotFoundError("hidden from pyarrow's probe", name=name)
        if name != "pyarrow" or self.probing:
            return None
        self.probing = True  # from here on, this finder only hides pandas, once
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            run(module)
            try:
                if "pandas" not in sys.modules:  # both of pyarrow's looks for pandas, answered: none
                    module.lib._pandas_api.have_pandas  # noqa: B018  # its Python layer's
                    module.scalar(False)  # its C++ converter's
            finally:
                with contextlib.suppress(ValueError):
                    sys.meta_path.remove(self)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


@contextlib.contextmanager
def _arrow_without_pandas() -> Iterator[None]:
    """pyarrow imports pandas (about 35 MB and 0.2 s) the first time it turns Python values into Arrow, only to
    ask whether they are pandas objects (its Python layer once, its C++ converter once).  The commands never
    hand it any, so while a command runs, the first import of pyarrow is followed by both questions, asked with
    pandas hidden.  pandas stays importable: ``to_pandas()`` and the like import it when they need it."""
    finder = _PandasHiddenFromArrowProbe()
    if "pyarrow" not in sys.modules:
        sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)


@contextlib.contextmanager
def _exit_on_signals() -> Iterator[None]:
    """While a command runs, SIGINT and SIGTERM make an orderly exit (130, 143) in which every output being
    written is removed; the handlers before are restored afterwards (for programs that embed the CLI)."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    with signals_handled_by(leave):
        yield


@click.group(cls=_Main, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="creditstd")
def main() -> None:
    """creditstd：社会信用信息标准工具 / China's social credit information standards, executable."""



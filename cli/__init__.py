"""The ``creditstd`` command: one click group, one module per command.

Exit codes, the same for every command:

* ``0``: everything checked is valid (or the command did its job);
* ``1``: some input is invalid (findings are on stdout);
* ``2``: usage error, or input that cannot be read (message on stderr).

Findings go to stdout, progress and summaries to stderr.  Messages for
people come in Chinese and English (``CREDITSTD_LANG=zh|en|both``).
"""

from __future__ import annotations

import click

from creditstd import __version__
from creditstd.cli._io import InputError
from creditstd.cli.catalogue import catalogue_group
from creditstd.cli.check import check_command
from creditstd.cli.exchange import exchange_group
from creditstd.cli.fake import fake_command
from creditstd.cli.generate import generate_command
from creditstd.exceptions import CreditstdError

__all__ = ["main"]


class _Main(click.Group):
    """The command group, with a last line of defence: a creditstd error never becomes a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except CreditstdError as error:  # a constraint or catalogue request a command did not foresee
            raise InputError(f"{error.code}：{error.message_zh}", f"{error.code}: {error.message_en}") from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="creditstd")
def main() -> None:
    """creditstd：社会信用信息标准工具 / China's social credit information standards, executable."""


main.add_command(check_command)
main.add_command(generate_command)
main.add_command(catalogue_group)
main.add_command(fake_command)
main.add_command(exchange_group)

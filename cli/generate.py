"""``creditstd generate``: valid synthetic identifiers for tests, demos and benchmarks.

Every refusal is a usage error (exit code 2) with a message in Chinese and
English on stderr, and no option's value is ever repeated in it: an ID number
typed into the wrong option must not be echoed back.  Constraints no valid
number meets (an unknown region, an empty birth-date range, a region that
does not fit the kind) are refused before anything is printed.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import click

from creditstd.codes import orgcode, regno, ric, uscc
from creditstd.exceptions import bilingual

__all__ = ["MAX_COUNT", "Count", "generate_command"]

#: The most numbers one run prints (a larger -n is refused rather than streaming for hours).
MAX_COUNT = 1_000_000


class Count(click.IntRange):
    """How many: ``low`` to ``high``; the refusal, bilingual, does not quote the value."""

    def __init__(self, low: int = 1, high: int = MAX_COUNT) -> None:
        super().__init__(min=low, max=high)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(bilingual(f"应为{self.min}到{self.max}之间的整数", f"must be a whole number from {self.min} to "
                                f"{self.max}"), param, ctx)


class _Seed(click.types.IntParamType):
    """Any integer; the refusal does not quote the value."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(bilingual("应为整数", "must be a whole number"), param, ctx)


class _Date(click.DateTime):
    """A date written YYYY-MM-DD; the refusal does not quote the value."""

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(bilingual("应为YYYY-MM-DD格式的有效日期", "must be a real date written YYYY-MM-DD"), param, ctx)


class _Choice(click.Choice):
    """One of a fixed list; the refusal lists the choices and does not quote the value."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            choices = ", ".join(str(choice) for choice in self.choices)
            self.fail(bilingual(f"应为以下之一：{choices}", f"must be one of: {choices}"), param, ctx)


@click.command("generate")
@click.argument("kind", type=_Choice(["uscc", "ric", "orgcode", "regno"]))
@click.option("-n", "count", type=Count(), default=1, show_default=True,
              help=f"生成数量（1–{MAX_COUNT}） / how many (1 to {MAX_COUNT})")
@click.option("--seed", type=_Seed(), help="随机种子，结果可复现 / seed for reproducible output")
@click.option("--authority", help="uscc：登记管理部门代码 / registration authority (1-9, A, N, Y)")
@click.option("--category", help="uscc：机构类别代码 / organisation category")
@click.option("--region", help="GB/T 2260 行政区划代码 / region code")
@click.option("--id-kind", "id_kind", type=_Choice([kind.value for kind in ric.Kind]),
              default=ric.Kind.CITIZEN.value, show_default=True, help="ric：号码种类 / kind of ID number")
@click.option("--birth-from", type=_Date(),
              help="ric：最早出生日期（不早于1800-01-01） / earliest birth date (1800-01-01 or later)")
@click.option("--birth-to", type=_Date(), help="ric：最晚出生日期 / latest birth date")
@click.option("--sex", type=_Choice(["M", "F"]), help="ric：性别 / sex")
@click.option("--ownership", type=_Choice(sorted({en for _, en in regno.OWNERSHIP.values()})),
              help="regno：主体类型 / kind of entity")
def generate_command(kind: str, count: int, seed: int | None, authority: str | None, category: str | None,
                     region: str | None, id_kind: str, birth_from: datetime | None,
                     birth_to: datetime | None, sex: str | None, ownership: str | None) -> None:
    """生成有效的合成代码 / Print valid synthetic identifiers, one per line.

    \b
    例 / example:  creditstd generate ric -n 3 --region 110105 --sex F --seed 1
    """
    rng = random.Random(seed)
    makers = {
        "uscc": lambda: uscc.generate(authority=authority, category=category, region=region, rng=rng),
        "ric": lambda: ric.generate(kind=id_kind, region=region, sex=sex, rng=rng,
                                    birth_from=birth_from.date() if birth_from else None,
                                    birth_to=birth_to.date() if birth_to else None),
        "orgcode": lambda: orgcode.generate(rng=rng),
        "regno": lambda: regno.generate(region=region, ownership=ownership, rng=rng),
    }
    try:  # the first number meets the constraints or refuses them, before anything is printed
        for _ in range(count):
            click.echo(makers[kind]())
    except ValueError as error:  # constraint errors (ValidationError is a ValueError too)
        raise click.UsageError(str(error)) from None

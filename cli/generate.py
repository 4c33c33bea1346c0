"""``creditstd generate``: valid synthetic identifiers for tests, demos and benchmarks."""

from __future__ import annotations

import random
from datetime import datetime

import click

from creditstd.codes import orgcode, regno, ric, uscc

__all__ = ["generate_command"]


@click.command("generate")
@click.argument("kind", type=click.Choice(["uscc", "ric", "orgcode", "regno"]))
@click.option("-n", "count", type=click.IntRange(min=0), default=1, show_default=True,
              help="生成数量 / how many")
@click.option("--seed", type=int, help="随机种子，结果可复现 / seed for reproducible output")
@click.option("--authority", help="uscc：登记管理部门代码 / registration authority (1-9, A, N, Y)")
@click.option("--category", help="uscc：机构类别代码 / organisation category")
@click.option("--region", help="GB/T 2260 行政区划代码 / region code")
@click.option("--id-kind", "id_kind", type=click.Choice([kind.value for kind in ric.Kind]),
              default=ric.Kind.CITIZEN.value, show_default=True, help="ric：号码种类 / kind of ID number")
@click.option("--birth-from", type=click.DateTime(["%Y-%m-%d"]), help="ric：最早出生日期 / earliest birth date")
@click.option("--birth-to", type=click.DateTime(["%Y-%m-%d"]), help="ric：最晚出生日期 / latest birth date")
@click.option("--sex", type=click.Choice(["M", "F"]), help="ric：性别 / sex")
@click.option("--ownership", type=click.Choice(sorted({en for _, en in regno.OWNERSHIP.values()})),
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
    try:
        for _ in range(count):
            click.echo(makers[kind]())
    except ValueError as error:  # constraint errors (ValidationError is a ValueError too)
        raise click.UsageError(str(error)) from None

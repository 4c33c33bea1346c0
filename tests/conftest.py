"""Test configuration: make the shared example tables importable as ``standard_examples``; the one local Spark
session the Spark tests share (tests/test_spark.py, tests/test_spark_convert.py)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def _spark_missing() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install 'creditstd[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "Java is not installed (PySpark needs a JVM)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """PySpark in ``local[2]``, once per test run; skipped where PySpark or Java is missing, except in CI."""
    missing = _spark_missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Spark tests must run in CI: {missing}")
        pytest.skip(missing)
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("creditstd-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()

"""What ``pdcs`` prints when something is wrong, and the environment file ``pdcs dev up`` leaves for it."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
from pathlib import Path

import pytest

from pdcs.cli import configure_logging, main
from pdcs.settings import read_env_file, write_env_file
from tests.support.cli import REPO, pdcs_argv, pdcs_env

EXAMPLES = str(REPO / "inventory" / "examples")


def _run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        pdcs_argv(*args), env=pdcs_env(**env), cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


def _main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``pdcs ARGS`` in this process (as the console script runs it): the status and stderr."""
    status = main(list(args))
    return status, capsys.readouterr().err


def test_unreachable_influxdb_is_one_line_in_chinese_english_with_lang_and_a_traceback_with_debug(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("supervision", "availability", "--region", "510121", "--inventory", EXAMPLES)
    status, err = _main(capsys, *args, "--influx-url", "http://127.0.0.1:9")
    assert status == 1
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "无法连接时序数据库" in err and "127.0.0.1:9" in err
    status, err = _main(capsys, *args, "--influx-url", "http://127.0.0.1:9", "--lang", "en")
    assert status == 1 and err.startswith("InfluxDB is unreachable")
    debug = _run(*args, "--influx-url", "http://127.0.0.1:9", "--debug")  # the console script, as users run it
    assert debug.returncode == 1 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("supervision", "availability", "--regio", "5"), "没有选项 --regio；是否应为 --region？"),
        (("assessment", "--region", "51"), "缺少选项 --year"),
        (("assessment", "--year", "abc"), "--year 的值无效"),
        (("nope",), "没有子命令 nope"),
        (("supervision", "availability", "--inventory", EXAMPLES), "请给出 --region 或 --facility 之一"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    status, err = _main(capsys, *args)
    assert status == 2, err
    assert words in err and err.strip().count("\n") == 0, err


def test_report_takes_the_influx_options(capsys: pytest.CaptureFixture[str]) -> None:
    status, err = _main(
        capsys,
        "report", "--region", "510121", "--start", "2026-10-01T00:00:00+08:00", "--end", "2026-10-02T00:00:00+08:00",
        "--inventory", EXAMPLES, "--influx-url", "http://127.0.0.1:9", "-o", "/dev/null", "--format", "json",
    )  # fmt: skip
    assert status == 1 and "127.0.0.1:9" in err and "Traceback" not in err


def test_the_dev_env_file_is_read_by_default_from_the_current_folder(tmp_path: Path) -> None:
    """`pdcs users add` writes the database the dev stack's API reads; figures go to its InfluxDB."""
    db = tmp_path / "var" / "dev" / "pdcs.sqlite"
    db.parent.mkdir(parents=True)
    write_env_file(
        db.parent / "env",
        {"PDCS_DATABASE_URL": f"sqlite:///{db}", "PDCS_INFLUX_URL": "http://127.0.0.1:9", "PDCS_INVENTORY": EXAMPLES},
    )
    env = pdcs_env()
    env.pop("PDCS_ENV_FILE", None)
    for name in ("PDCS_DATABASE_URL", "PDCS_INFLUX_URL", "PDCS_INVENTORY"):
        env.pop(name, None)
    done = subprocess.run(
        pdcs_argv("users", "add", "wang", "--role", "province_inspector", "--scope", "51"),
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select name from users").fetchall() == [("wang",)]
    figures = subprocess.run(
        pdcs_argv("supervision", "availability", "--region", "510121"),
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert figures.returncode == 1 and "127.0.0.1:9" in figures.stderr


def test_env_file_round_trip_with_shell_quoting(tmp_path: Path) -> None:
    values = {"PDCS_INVENTORY": "/srv/清单 with space", "PDCS_API_URL": "http://127.0.0.1:8000"}
    write_env_file(tmp_path / "env", values)
    assert read_env_file(tmp_path / "env") == values
    shell = subprocess.run(
        ["bash", "-c", f'. {tmp_path / "env"} && printf %s "$PDCS_INVENTORY"'], capture_output=True, text=True
    )
    assert shell.stdout == values["PDCS_INVENTORY"]


def test_third_party_info_logs_are_off_by_default(caplog: pytest.LogCaptureFixture) -> None:
    root = logging.getLogger()
    saved = list(root.handlers)
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        configure_logging("INFO")
        [flt] = handler.filters
        assert isinstance(flt, logging.Filter)
        record = logging.LogRecord("fontTools.subset", logging.INFO, __file__, 1, "Glyph names: …", None, None)
        assert not flt.filter(record)
        record = logging.LogRecord("paramiko.transport", logging.WARNING, __file__, 1, "host key", None, None)
        assert flt.filter(record)
        record = logging.LogRecord("collectors.service", logging.INFO, __file__, 1, "cycle", None, None)
        assert flt.filter(record)
    finally:
        root.handlers[:] = saved

"""What ``pdcs`` prints when a command fails: one line in the user's language, never a traceback.

An unreachable server (InfluxDB, the API, Alerta, Grafana, the database) or a bad
argument becomes one line on stderr and a non-zero exit status (2 for usage
errors, 1 otherwise). ``--debug`` anywhere on the command line (or
``PDCS_DEBUG=1``) prints the traceback as well. The language is ``--lang`` when
the command line gives it, else ``PDCS_LANGUAGE``, else Chinese.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import httpx
import typer
from typer._click import exceptions as ce  # Typer 0.29 carries its own click; its errors live here

from pdcs.i18n import Lang, normalise, register, text

register(
    {
        "cli.usage": (
            "参数错误：{detail}（查看用法：{command} --help）",
            "usage error: {detail} (see {command} --help)",
        ),
        "cli.no_such_option": ("没有选项 {option}{hint}", "no such option {option}{hint}"),
        "cli.did_you_mean": ("；是否应为 {options}？", "; did you mean {options}?"),
        "cli.missing": ("缺少{what} {name}", "missing {what} {name}"),
        "cli.what.option": ("选项", "option"),
        "cli.what.argument": ("参数", "argument"),
        "cli.bad_value": ("{name} 的值无效：{detail}", "invalid value for {name}: {detail}"),
        "cli.no_such_command": ("没有子命令 {name}", "no such command {name}"),
        "cli.influx_unreachable": (
            "无法连接时序数据库 InfluxDB（{detail}）。请检查 --influx-url 或 PDCS_INFLUX_URL；"
            "本机开发环境请先运行 pdcs dev up",
            "InfluxDB is unreachable ({detail}). Check --influx-url or PDCS_INFLUX_URL; for the local stack run"
            " pdcs dev up first",
        ),
        "cli.influx_refused": ("InfluxDB 拒绝了请求：{detail}", "InfluxDB refused the request: {detail}"),
        "cli.unreachable": ("无法连接 {url}（{detail}）", "cannot reach {url} ({detail})"),
        "cli.http_status": ("{url} 返回 HTTP {status}", "{url} answered HTTP {status}"),
        "cli.database": (
            "数据库错误（{url}）：{detail}。请检查 PDCS_DATABASE_URL",
            "database error ({url}): {detail}. Check PDCS_DATABASE_URL",
        ),
        "cli.file": ("{path}：{detail}", "{path}: {detail}"),
        "cli.settings": ("设置无效：{detail}", "invalid settings: {detail}"),
        "cli.interrupted": ("已中断", "interrupted"),
        "cli.internal": (
            "内部错误：{kind}：{detail}（加 --debug 显示详情）",
            "internal error: {kind}: {detail} (add --debug for the traceback)",
        ),
    }
)


@runtime_checkable
class Speaks(Protocol):
    """An exception with its own message per language (``supervision_api.db.migrate.SchemaTooNew``)."""

    def text(self, lang: Lang = "zh") -> str: ...


def wants_debug(argv: Sequence[str]) -> bool:
    return "--debug" in argv or os.environ.get("PDCS_DEBUG", "") not in ("", "0")


def language(argv: Sequence[str]) -> Lang:
    """``--lang X`` / ``--lang=X`` from the command line, else PDCS_LANGUAGE, else zh."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalise(argv[i + 1]) or "zh"
        if arg.startswith("--lang="):
            return normalise(arg.split("=", 1)[1]) or "zh"
    return normalise(os.environ.get("PDCS_LANGUAGE")) or "zh"


def _param_name(param: object, hint: object = None) -> str:
    if isinstance(hint, str) and hint:
        return hint
    if param is None:
        return ""
    opts = getattr(param, "opts", None) or [str(getattr(param, "name", ""))]
    return " / ".join(opts)


def _usage_line(exc: ce.UsageError, lang: Lang) -> str:
    command = exc.ctx.command_path if exc.ctx is not None else "pdcs"
    if isinstance(exc, ce.NoSuchOption):
        hint = text("cli.did_you_mean", lang, options=", ".join(exc.possibilities)) if exc.possibilities else ""
        detail = text("cli.no_such_option", lang, option=exc.option_name, hint=hint)
    elif isinstance(exc, ce.MissingParameter):
        kind = "cli.what.option" if getattr(exc.param, "opts", [""])[0].startswith("-") else "cli.what.argument"
        detail = text("cli.missing", lang, what=text(kind, lang), name=_param_name(exc.param, exc.param_hint))
    elif isinstance(exc, ce.BadParameter):
        detail = text("cli.bad_value", lang, name=_param_name(exc.param, exc.param_hint), detail=exc.message)
    else:
        detail = exc.message
        if detail.startswith("No such command"):
            detail = text("cli.no_such_command", lang, name=detail.split("'")[1] if "'" in detail else detail)
    return text("cli.usage", lang, detail=detail, command=command)


def describe(exc: BaseException, lang: Lang) -> tuple[str, int]:
    """The one line to print for ``exc`` and the exit status."""
    from pdcs.storage.influx import InfluxError, InfluxUnavailable

    if isinstance(exc, ce.UsageError):
        return _usage_line(exc, lang), 2
    settings = _settings_error(exc)
    if settings is not None:
        return text("cli.settings", lang, detail=settings), 2
    if isinstance(exc, (KeyboardInterrupt, typer.Abort)):
        return text("cli.interrupted", lang), 130
    if isinstance(exc, InfluxUnavailable):
        return text("cli.influx_unreachable", lang, detail=str(exc)), 1
    if isinstance(exc, InfluxError):
        return text("cli.influx_refused", lang, detail=str(exc)), 1
    if isinstance(exc, httpx.TransportError):
        url = str(exc.request.url) if _has_request(exc) else "?"
        return text("cli.unreachable", lang, url=url, detail=f"{type(exc).__name__}: {exc}"), 1
    if isinstance(exc, httpx.HTTPStatusError):
        return text("cli.http_status", lang, url=str(exc.request.url), status=exc.response.status_code), 1
    database = _database_error(exc, lang)
    if database is not None:
        return database, 1
    if isinstance(exc, OSError) and exc.filename is not None:
        return text("cli.file", lang, path=exc.filename, detail=exc.strerror or str(exc)), 1
    if isinstance(exc, Speaks):  # an error that says itself in both languages (a database newer than the code)
        return exc.text(lang), 1
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return text("cli.internal", lang, kind=type(exc).__name__, detail=detail), 1


def _settings_error(exc: BaseException) -> str | None:
    """``PDCS_X: message`` for each bad setting of ``pdcs.settings.Settings`` (names and messages only: the value
    given could be a secret)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError) or exc.title != "Settings":
        return None
    return "; ".join(f"PDCS_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 — raises RuntimeError when the error carries no request
    except RuntimeError:
        return False
    return True


def _database_error(exc: BaseException, lang: Lang) -> str | None:
    from sqlalchemy.exc import DBAPIError, OperationalError  # a dependency: imported when an error is shown

    if not isinstance(exc, (OperationalError, DBAPIError)):
        return None
    url = os.environ.get("PDCS_DATABASE_URL", "sqlite:///var/pdcs.sqlite")
    safe = url.split("@", 1)[-1] if "@" in url else url  # never print a password
    detail = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
    return text("cli.database", lang, url=safe, detail=detail)

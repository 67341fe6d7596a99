"""``pdcs notify check FILE`` and ``pdcs notify test CHANNEL``.

Heavy imports stay inside the functions so ``pdcs --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from notify.config import NotifyConfig

app = typer.Typer(no_args_is_help=True, help="Notifications: validate the configuration, test a channel.")


def _load(path: Path | None) -> NotifyConfig:
    from notify.config import CONFIG_ENV, NotifyConfigError, config_path, load_config

    chosen = config_path(path)
    if chosen is None:
        typer.echo(f"give --config FILE or set {CONFIG_ENV} / 请用 --config 指定通知配置文件", err=True)
        raise typer.Exit(2)
    try:
        return load_config(chosen)
    except NotifyConfigError as exc:
        for p in exc.problems:
            typer.echo(p, err=True)
        typer.echo(f"{len(exc.problems)} problem(s) / 发现 {len(exc.problems)} 个问题", err=True)
        raise typer.Exit(1) from None


@app.command("check")
def check(
    path: Path = typer.Argument(..., help="The notification configuration (YAML)."),
    resolve_secrets: bool = typer.Option(
        False, "--resolve-secrets", help="Also check that every secret reference resolves here (values never shown)."
    ),
) -> None:
    """Validate the file; exit 1 listing every problem as file:line: field: message."""
    from notify.channels.build import build_channel, per_minute

    config = _load(path)
    problems = []
    for name, entry in config.channels.items():
        typer.echo(f"channel {name:16} {entry.type:9} ≤ {per_minute(entry)}/min")
        if resolve_secrets:
            try:
                build_channel(name, config)
            except LookupError as exc:
                problems.append(f"{path}: channels.{name}: {exc}")
    for r in config.routes:
        esc = " → ".join(f"{s.after_s / 60:.0f} min: {','.join(s.channels)}" for s in r.escalate)
        typer.echo(f"route   {r.name:16} → {','.join(r.channels)}{'  escalate ' + esc if esc else ''}")
    for p in problems:
        typer.echo(p, err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{len(config.channels)} channel(s), {len(config.routes)} route(s) OK / 通知配置检查通过")


@app.command("test")
def test(
    channel: str = typer.Argument(..., help="A channel name from the configuration."),
    config_file: Path | None = typer.Option(None, "--config", help="The configuration (default: PDCS_NOTIFY_CONFIG)."),
) -> None:
    """Send a test message through one channel; print what the service answered; exit 1 when it refused."""
    import datetime as dt
    import socket

    from notify.channels.base import Outgoing
    from notify.channels.build import build_channel

    config = _load(config_file)
    if channel not in config.channels:
        typer.echo(f"no channel {channel!r}; configured: {', '.join(config.channels)}", err=True)
        raise typer.Exit(2)
    try:
        ch = build_channel(channel, config)
    except LookupError as exc:
        typer.echo(f"channel {channel}: {exc}", err=True)
        raise typer.Exit(2) from None
    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
    msg = Outgoing(
        "【测试】pdcs 告警通知通道测试",
        f"这是一条测试消息，说明通道 **{channel}** 可以送达。\n\n发送自 {socket.gethostname()}，{now}。",
        "informational",
        ({"action": "test", "channel": channel},),
    )
    answer = ch.send(msg)
    typer.echo(f"{channel}: {answer.describe()}")
    if not answer.ok:
        raise typer.Exit(1)

"""``pdcs dev``: the local platform with simulated devices (what scripts/run.sh runs)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)

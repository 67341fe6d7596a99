"""How one collector process runs (``pdcs collect``'s options); kept light so ``pdcs --help`` reads it cheaply."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ServiceConfig:
    name: str = "pdcs-collector"
    regions: tuple[str, ...] = ()
    period_s: float | None = None  # cycle period and SNMP poll interval; default: shortest profile interval_s
    max_in_flight: int = 256
    spread: float = 0.5
    flush_s: float = 0.2
    flush_points: int = 5000
    batch_size: int = 5000
    spool_max_points: int = 2_000_000  # beyond it the oldest points are dropped (counted)
    trap_host: str = "0.0.0.0"
    trap_port: int | None = None  # None: no trap receiver
    trap_engine_ids: tuple[str, ...] = ()

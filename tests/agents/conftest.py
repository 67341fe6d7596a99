"""Helpers for agent tests: recorded command output and seeded filesystem roots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agents.checks.base import CommandMissing, CommandResult, Context
from inventory.models import Device, DeviceKind, Facility, FacilityKind, Inventory, Region

DATA = Path(__file__).parent / "data"
WINDOWS = DATA / "windows"
NOW = 1795564800.0  # 2026-11-25 00:00 UTC


class Recorded:
    """A command runner answering from recorded output: {argv prefix: (rc, file or text)}."""

    def __init__(self, answers: Mapping[tuple[str, ...], tuple[int, str]]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], timeout_s: float) -> CommandResult:
        key = tuple(argv)
        self.calls.append(key)
        for prefix, (rc, source) in sorted(self.answers.items(), key=lambda kv: -len(kv[0])):
            if key[: len(prefix)] == prefix:
                path = WINDOWS / source
                text = path.read_text(encoding="utf-8") if path.suffix and path.exists() else source
                return CommandResult(rc, text, "")
        raise CommandMissing(f"{argv[0]} not installed")


def ctx_for(
    root: Path | None = None, answers: Mapping[Any, tuple[int, str]] | None = None, **params: object
) -> Context:
    kw: dict[str, object] = {"now": lambda: NOW, "params": params}
    if root is not None:
        kw["root"] = root
    if answers is not None:
        kw["run"] = Recorded(answers)
    return Context(**kw)  # type: ignore[arg-type]


def seed(root: Path, files: Mapping[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def kiosk_inventory(devices: dict[str, str]) -> Inventory:
    """One county (金堂县 510121), one e-reading room, and kiosks {device id: agent_url}."""
    fac = Facility(id="jt-ert", name="金堂县公共电子阅览室", kind=FacilityKind.E_READING_ROOM, county="510121")
    devs = {
        d: Device(id=d, kind=DeviceKind.KIOSK, facility=fac.id, agent_url=url or None) for d, url in devices.items()
    }
    return Inventory(
        regions={
            "51": Region(code="51", name="四川省"),
            "5101": Region(code="5101", name="成都市"),
            "510121": Region(code="510121", name="金堂县"),
        },
        facilities={fac.id: fac},
        devices=devs,
    )

"""``pdcs discover --subnet 10.1.2.0/24 --profile county-v2c``: what answers on a network, as a register to review.

Prints every answering address (ICMP, SNMP facts, the guessed kind, LLDP/CDP
neighbours) and whether the inventory knows it; ``--out FILE`` writes the
addresses the inventory does not know as a devices register (CSV, the
loader's own columns: id, name, kind, facility, address, snmp_profile,
vendor) — ``facility`` is left for the county to fill in (or ``--facility``).
Exit 0; 2 for usage (no such profile, a range too large or not IPv4).
"""

from __future__ import annotations

import asyncio
import csv
import re
from pathlib import Path

import typer

from pdcs.cli_context import open_context


def _device_id(found_name: str, address: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", found_name).strip("-.")
    return name[:60] if name else "dev-" + address.replace(".", "-")


def discover(
    subnet: list[str] = typer.Option(..., "--subnet", "-s", help="A subnet or address to sweep (repeatable)."),
    profile: str = typer.Option(None, "--profile", "-p", help="SNMP profile of the inventory to ask with."),
    inventory: Path = typer.Option(None, "--inventory", "-i", help="Inventory folder or file (PDCS_INVENTORY)."),
    rate: float = typer.Option(100.0, "--rate", min=1, max=5000, help="Addresses probed per second at most."),
    timeout: float = typer.Option(1.0, "--timeout", min=0.1, max=10, help="ICMP timeout (s)."),
    out: Path = typer.Option(None, "--out", help="Write the devices not in the inventory as a CSV register."),
    facility: str = typer.Option("", "--facility", help="Facility id to put in the register's rows."),
) -> None:
    """Sweep subnets (ICMP, then SNMP system facts and LLDP/CDP neighbours) and propose inventory rows."""
    from collectors.discovery.sweep import RangeError, sweep

    _, inv = open_context(inventory, None, None, exit_code=2)
    snmp = None
    if profile:
        snmp = inv.snmp_profiles.get(profile)
        if snmp is None:
            typer.echo(f"unknown SNMP profile {profile!r} (known: {', '.join(sorted(inv.snmp_profiles))})", err=True)
            raise typer.Exit(2)
    try:
        found = asyncio.run(sweep(subnet, snmp, secrets_dir=inv.base_dir, rate=rate, timeout_s=timeout))
    except RangeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    known = {d.host_port(0)[0]: d.id for d in inv.devices.values() if d.address}
    rows = []
    for f in found:
        where = f"清单中：{known[f.address]}" if f.address in known else "不在清单中"
        facts = f"{f.sys_name or '-'} {f.vendor or '?'} {f.kind.value if f.kind else '?'}" if f.snmp else "仅 ICMP"
        typer.echo(f"{f.address:<15} {facts}  [{where}]")
        for name, addr in f.neighbours:
            typer.echo(f"    邻居 {name} {addr}")
        if f.address not in known:
            rows.append(
                {
                    "id": _device_id(f.sys_name, f.address),
                    "name": f.sys_name,
                    "kind": (f.kind.value if f.kind else "switch"),
                    "facility": facility,
                    "address": f.address,
                    "snmp_profile": profile if f.snmp and profile else "",
                    "vendor": f.vendor or "",
                }
            )
    typer.echo(f"共 {len(found)} 个地址应答，其中 {len(rows)} 个不在清单中", err=True)
    if out is not None:
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["id", "name", "kind", "facility", "address", "snmp_profile", "vendor"])
            w.writeheader()
            w.writerows(rows)

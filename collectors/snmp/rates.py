"""Octet-counter deltas to rates, with wrap and reboot handling (pure logic).

A rate is only ever written when it is believable: the previous sample is
from the same boot of the device (sysUpTime moved forward by about the wall
time that passed), the counter moved forward (or wrapped once, for 32-bit
counters), and the result does not exceed the interface speed by more than a
small margin (or 400 Gbit/s when the speed is unknown).  Anything else yields
``None`` — no rate this poll — rather than a negative or absurd figure.
"""

from __future__ import annotations

from typing import NamedTuple

WRAP32 = 1 << 32
MAX_BPS_UNKNOWN_SPEED = 400e9
SPEED_MARGIN = 1.10  # tolerated overshoot over ifSpeed (bursts, rounding of ifHighSpeed)
UPTIME_SLACK_S = 5.0  # device clock vs our clock


class CounterSample(NamedTuple):
    time_s: float  # our wall clock at the poll
    uptime_s: float | None  # device sysUpTime at the poll (None: the agent has none)
    octets: int
    bits: int  # 64 (ifHC*) or 32 (ifIn/OutOctets)


def same_boot(prev: CounterSample, cur: CounterSample) -> bool:
    """True when the device did not restart between the two samples."""
    elapsed = cur.time_s - prev.time_s
    if cur.uptime_s is None or prev.uptime_s is None:
        return True  # nothing to tell by; the counter checks still apply
    if cur.uptime_s < prev.uptime_s:
        return False  # sysUpTime went backwards: reboot (or its 497-day wrap)
    # Up for less time than has passed since the last poll: it restarted in between.
    return not cur.uptime_s + UPTIME_SLACK_S < elapsed


def octet_delta(prev: CounterSample, cur: CounterSample) -> int | None:
    """Octets counted between two samples of one counter, or None when unknowable."""
    if prev.bits != cur.bits:
        return None  # the device switched between 64- and 32-bit counters
    delta = cur.octets - prev.octets
    if delta >= 0:
        return delta
    if cur.bits == 32 and 0 <= prev.octets < WRAP32:
        return delta + WRAP32  # one 32-bit wrap
    return None  # a 64-bit counter going backwards is a reset, not a wrap


def rate_bps(prev: CounterSample | None, cur: CounterSample, speed_bps: int | None) -> float | None:
    """Bits per second between two samples, or None when no believable rate exists."""
    if prev is None:
        return None
    elapsed = cur.time_s - prev.time_s
    if elapsed <= 0 or not same_boot(prev, cur):
        return None
    delta = octet_delta(prev, cur)
    if delta is None:
        return None
    bps = delta * 8 / elapsed
    ceiling = speed_bps * SPEED_MARGIN if speed_bps else MAX_BPS_UNKNOWN_SPEED
    if bps > ceiling:
        return None
    return bps


def utilisation_pct(bps: float | None, speed_bps: int | None) -> float | None:
    """Share of the interface speed in use, 0-100 (None without a rate or a speed)."""
    if bps is None or not speed_bps:
        return None
    return min(100.0, max(0.0, bps * 100.0 / speed_bps))

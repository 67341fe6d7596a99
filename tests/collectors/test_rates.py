"""Counter deltas → rates: wraps, resets, reboots, absurd values (pure logic)."""

from __future__ import annotations

from collectors.snmp.rates import WRAP32, CounterSample, octet_delta, rate_bps, same_boot, utilisation_pct


def s(t: float, up: float, octets: int, bits: int = 64) -> CounterSample:
    return CounterSample(t, up, octets, bits)


def test_plain_rate() -> None:
    assert rate_bps(s(0, 100, 1000), s(10, 110, 11_000), 1_000_000) == 8000.0


def test_first_sample_has_no_rate() -> None:
    assert rate_bps(None, s(10, 110, 11_000), None) is None


def test_32bit_wrap_counts_once_around() -> None:
    prev, cur = s(0, 100, WRAP32 - 1000, 32), s(10, 110, 1000, 32)
    assert octet_delta(prev, cur) == 2000
    assert rate_bps(prev, cur, 100_000_000) == 1600.0


def test_64bit_going_backwards_is_a_reset_not_a_wrap() -> None:
    assert rate_bps(s(0, 100, 5_000_000), s(10, 110, 1000), None) is None


def test_reboot_uptime_backwards_gives_no_rate() -> None:
    prev, cur = s(0, 1_000_000, 900, 32), s(60, 30, 100, 32)
    assert not same_boot(prev, cur)
    assert rate_bps(prev, cur, 1_000_000_000) is None


def test_reboot_between_polls_detected_by_short_uptime() -> None:
    # Uptime went forward (10 → 40 s) but only 40 s of uptime after 300 s of wall time: it restarted.
    prev, cur = s(0, 10, 1000), s(300, 40, 2000)
    assert not same_boot(prev, cur)
    assert rate_bps(prev, cur, None) is None


def test_absurd_rate_over_speed_dropped() -> None:
    # 10 GB in 10 s on a 100 Mbit/s port: a counter glitch, not traffic.
    assert rate_bps(s(0, 100, 0), s(10, 110, 10_000_000_000), 100_000_000) is None
    # Unknown speed: still capped.
    assert rate_bps(s(0, 100, 0), s(1, 101, 10**15), None) is None


def test_counter_width_change_gives_no_rate() -> None:
    assert rate_bps(s(0, 100, 10, 32), s(10, 110, 20, 64), None) is None


def test_zero_or_negative_elapsed() -> None:
    assert rate_bps(s(10, 100, 0), s(10, 100, 10), None) is None
    assert rate_bps(s(10, 100, 0), s(5, 100, 10), None) is None


def test_utilisation_bounds() -> None:
    assert utilisation_pct(50_000_000.0, 100_000_000) == 50.0
    assert utilisation_pct(105_000_000.0, 100_000_000) == 100.0
    assert utilisation_pct(1.0, 0) is None
    assert utilisation_pct(None, 100) is None


def test_agent_without_uptime_still_gets_checked_rates() -> None:
    assert rate_bps(CounterSample(0, None, 0, 64), CounterSample(10, None, 1000, 64), None) == 800.0
    assert rate_bps(CounterSample(0, None, 1000, 64), CounterSample(10, None, 10, 64), None) is None

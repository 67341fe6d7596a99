"""Fixtures for the notification tests: the service stand-ins on a free port, with a settable clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devstack.robots import RobotServer, start_robots


class FakeClock:
    """Time that moves only when a test says so (no real waiting)."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def robots(clock: FakeClock) -> Iterator[RobotServer]:
    server = start_robots(clock=clock)
    yield server
    server.stop()

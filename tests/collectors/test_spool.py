"""The durable spool: order, acknowledgement, bound with counted drops, reopening."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from collectors.spool import Spool


def test_order_and_ack(tmp_path: Path) -> None:
    sp = Spool(tmp_path / "s.sqlite")
    sp.append([f"m v={i}i {i}" for i in range(10)])
    batch = sp.peek(4)
    assert [line for _, line in batch] == [f"m v={i}i {i}" for i in range(4)]
    assert sp.peek(4) == batch  # nothing leaves before ack
    sp.ack(batch[-1][0], sent=4)
    assert [line for _, line in sp.peek(100)] == [f"m v={i}i {i}" for i in range(4, 10)]
    assert sp.depth == 6 and sp.sent == 4
    sp.close()


def test_bound_drops_oldest_counted_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sp = Spool(tmp_path / "s.sqlite", max_points=5)
    sp.append([f"a{i}" for i in range(3)])
    with caplog.at_level(logging.WARNING):
        sp.append([f"b{i}" for i in range(4)])
    assert [line for _, line in sp.peek(10)] == ["a2", "b0", "b1", "b2", "b3"]
    assert sp.dropped == 2 and sp.depth == 5
    assert "dropped the 2 oldest" in caplog.text
    sp.close()


def test_survives_reopen(tmp_path: Path) -> None:
    sp = Spool(tmp_path / "s.sqlite", max_points=3)
    sp.append(["x1", "x2", "x3", "x4"])
    sp.close()
    again = Spool(tmp_path / "s.sqlite", max_points=3)
    assert again.depth == 3 and again.dropped == 1
    assert [line for _, line in again.peek(10)] == ["x2", "x3", "x4"]
    again.close()

"""Device timelines from polls: the run-based replay against the rule painted millisecond by millisecond."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.timeline import DOWN, UNKNOWN, UP, PollSeries, Segment, device_timeline, run_starts


def painted(polls: list[tuple[int, int]], start: int, end: int, gap: int) -> list[Segment]:
    """The rule itself: poll k holds over [t_k, min(t_k+1, t_k + gap)); the rest is unknown."""
    ordered = sorted(polls, key=lambda p: p[0])
    state = [UNKNOWN] * (end - start)
    for k, (t, up) in enumerate(ordered):
        until = t + gap if k + 1 == len(ordered) else min(ordered[k + 1][0], t + gap)
        for ms in range(max(t, start), min(until, end)):
            state[ms - start] = UP if up else DOWN
    out: list[Segment] = []
    for i, s in enumerate(state):
        if out and out[-1].state == s:
            out[-1] = Segment(out[-1].start, start + i + 1, s)
        else:
            out.append(Segment(start + i, start + i + 1, s))
    return out


polls_st = st.lists(st.tuples(st.integers(-30, 130), st.integers(0, 1)), max_size=40)


@settings(max_examples=400, deadline=None)
@given(polls=polls_st, gap=st.integers(1, 25), start=st.integers(-10, 40), length=st.integers(1, 80))
def test_timeline_is_the_painted_rule(polls: list[tuple[int, int]], gap: int, start: int, length: int) -> None:
    assert device_timeline(PollSeries.of(polls), start, start + length, gap) == painted(
        polls, start, start + length, gap
    )


def test_steady_day_is_one_run() -> None:
    m = 60_000
    day = PollSeries.of((i * m, 1) for i in range(1440))
    assert run_starts(day, 3 * m) == [0]
    assert device_timeline(day, 0, 1440 * m, 3 * m) == [Segment(0, 1440 * m, UP)]
    # A 10-minute silence and one down answer: runs start after the silence, at the change and after it.
    times = [i * m for i in range(1440) if not 600 <= i < 610]
    bumpy = PollSeries.of((t, 0 if t == 700 * m else 1) for t in times)
    assert [bumpy.times[i] // m for i in run_starts(bumpy, 3 * m)] == [0, 610, 700, 701]


def test_series_window_counts_and_tail() -> None:
    s = PollSeries.of([(30, 0), (10, 1), (20, 1), (40, 1)])
    assert list(s.times) == [10, 20, 30, 40]
    assert s.window(15, 40) == PollSeries.of([(20, 1), (30, 0)])
    assert s.counts(0, 35) == (3, 2)
    assert s.counts(50, 60) == (0, 0)
    s.replace_from(30, PollSeries.of([(30, 1), (35, 0)]))
    assert s == PollSeries.of([(10, 1), (20, 1), (30, 1), (35, 0)])

"""Work dealt among forked processes (fanout): the same results in the same order as one process,
a failed child's share done again here, and no fork while another thread runs."""

from __future__ import annotations

import os
import threading

import pytest

from hotfix_tui.core.reports import fanout

PARENT = os.getpid()


def square_and_where(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@pytest.fixture
def few(monkeypatch):
    """Shares of 2 items are worth a fork here (the real threshold is a few dozen items)."""
    monkeypatch.setattr(fanout, "MIN_ITEMS", 4)


pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")


def test_results_are_in_order_and_come_from_several_processes(few) -> None:
    got = fanout.fan_out(square_and_where, list(range(40)), 3)
    assert [r for r, _pid in got] == [x * x for x in range(40)]
    pids = {pid for _r, pid in got}
    assert PARENT in pids and len(pids) == 3


def test_a_failed_child_has_its_share_done_here(few) -> None:
    def fails_in_children(x: int) -> tuple[int, int]:
        if os.getpid() != PARENT:
            raise RuntimeError("a child fails")
        return square_and_where(x)

    got = fanout.fan_out(fails_in_children, list(range(12)), 2)
    assert got == [(x * x, PARENT) for x in range(12)]


def test_a_result_that_does_not_pickle_is_made_here(few) -> None:
    def unpicklable(x: int) -> object:
        return (lambda: x) if os.getpid() != PARENT else x

    got = fanout.fan_out(unpicklable, list(range(12)), 2)
    assert got == list(range(12))


def test_no_fork_while_another_thread_runs(few) -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        got = fanout.fan_out(square_and_where, list(range(12)), 3)
    finally:
        stop.set()
        other.join()
    assert {pid for _r, pid in got} == {PARENT}


def test_few_items_stay_in_this_process() -> None:
    got = fanout.fan_out(square_and_where, list(range(fanout.MIN_ITEMS - 1)), 4)
    assert {pid for _r, pid in got} == {PARENT}


def test_each_process_gets_its_share_in_one_call(few) -> None:
    def share_of(xs: list[int]) -> list[tuple[int, int, int]]:
        return [(x * x, os.getpid(), len(xs)) for x in xs]  # one call: the share's size each

    got = fanout.fan_out_shares(share_of, list(range(30)), 3)
    assert [r for r, _pid, _n in got] == [x * x for x in range(30)]
    assert {pid for _r, pid, _n in got} >= {PARENT} and len({pid for _r, pid, _n in got}) == 3
    assert {n for _r, _pid, n in got} == {10}


def test_a_share_that_gives_too_few_results_is_an_error_here(few) -> None:
    with pytest.raises(ValueError, match="results for"):
        fanout.fan_out_shares(lambda xs: xs[1:], list(range(12)), 2)

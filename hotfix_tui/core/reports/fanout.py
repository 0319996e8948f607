"""A function over many items, split among processes forked from this one (results pickled back).

Used where each item costs CPU and nothing is shared; in this process alone where forking is unsafe.
"""

# Forking is safe here only while this process runs one thread (a fork copies no other thread,
# and a lock another thread holds would stay held in the child). A child that fails (an error, a
# kill, a result that does not pickle) is not fatal: its items are done again in this process.

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 48  # fewer items than this are not worth a fork (a few ms each)
MAX_WORKERS = 4


def workers() -> int:
    """How many processes may share the work: the CPUs this process may run on, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def can_fork() -> bool:
    """True where a fork is possible and safe: POSIX, and this process runs one thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


def fan_out(fn: Callable[[T], R], items: Sequence[T], count: int | None = None) -> list[R]:
    """`[fn(x) for x in items]`, the items dealt among `count` processes (default: workers()).

    This process takes one share; a child that fails has its share done here again."""
    return fan_out_shares(lambda share: [fn(x) for x in share], items, count)


def fan_out_shares(
    fn: Callable[[list[T]], list[R]], items: Sequence[T], count: int | None = None
) -> list[R]:
    """As `fan_out`, with `fn` called once per process on its whole share (a list of items) and
    giving one result per item: work a share does once (a read of its inputs) is done once."""
    n = min(count or workers(), len(items) // max(1, MIN_ITEMS // 2) or 1, len(items))
    if n <= 1 or len(items) < MIN_ITEMS or not can_fork():
        return _checked(fn, list(items))
    shares = [list(range(i, len(items), n)) for i in range(n)]
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int, list[int]]] = []
    out: list[R | None] = [None] * len(items)
    try:
        for share in shares[1:]:
            children.append(_spawn(fn, items, share))
        for i, r in zip(shares[0], _checked(fn, [items[i] for i in shares[0]]), strict=True):
            out[i] = r
    finally:
        got = [(share, _collect(pid, fd)) for pid, fd, share in children]
    for share, results in got:
        mine: list[R] = (
            cast("list[R]", results)
            if results is not None and len(results) == len(share)
            else _checked(fn, [items[i] for i in share])
        )
        for i, r in zip(share, mine, strict=True):
            out[i] = r
    return cast("list[R]", out)


def _checked(fn: Callable[[list[T]], list[R]], share: list[T]) -> list[R]:
    results = fn(share)
    if len(results) != len(share):
        raise ValueError(f"{len(results)} results for {len(share)} items")
    return results


def _spawn(
    fn: Callable[[list[T]], list[R]], items: Sequence[T], share: list[int]
) -> tuple[int, int, list[int]]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its share, pickled into the pipe, then gone without cleanup
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(fn([items[i] for i in share]), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r, share


def _collect(pid: int, fd: int) -> list[object] | None:
    """The child's results, or None when it failed."""
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    try:
        results = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a truncated or foreign result: do the share here
        return None
    return results if isinstance(results, list) else None

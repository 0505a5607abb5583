"""Worker processes with limits: a job's crash, hang or memory hog costs that job only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from monitor.errors import ParseError, WorkerError
from monitor.workers import WorkerLimits, Workers
from tests import jobs

LIMITS = WorkerLimits(processes=2, memory=512 * 1024**2, timeout=3.0)


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    pool = Workers(LIMITS)
    yield pool
    pool.close()


def run(workers: Workers, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    return asyncio.run(workers.run(fn, *args, **kw))


def failure(workers: Workers, fn: Callable[..., Any], *args: Any) -> WorkerError:
    with pytest.raises(WorkerError) as caught:
        run(workers, fn, *args)
    return caught.value


def test_result_comes_back(workers: Workers) -> None:
    """Positional and keyword arguments reach the job; its result comes back."""
    assert run(workers, jobs.add, 2, b=3) == 5


def test_job_runs_in_another_process(workers: Workers) -> None:
    """The job does not run in the daemon's process."""
    import os

    assert run(workers, jobs.pid) != os.getpid()


def test_monitor_errors_pass_through(workers: Workers) -> None:
    """A job's own ParseError reaches the caller as it was raised."""
    with pytest.raises(ParseError, match="not a feed") as caught:
        run(workers, jobs.refuse)
    assert not isinstance(caught.value, WorkerError)


def test_unexpected_exception_is_failed(workers: Workers) -> None:
    """Any other exception is one WorkerError of kind ``failed`` naming its type."""
    error = failure(workers, jobs.divide, 1, 0)
    assert (error.kind, str(error)) == ("failed", "failed: ZeroDivisionError")


@pytest.mark.parametrize(
    ("job", "args", "kind"),
    [
        (jobs.die, (), "crashed"),
        (jobs.segfault, (), "crashed"),
        (jobs.recurse, (), "failed"),
        (jobs.hog_memory, (2048,), "memory"),
        (jobs.sleep_then, (30, "late"), "timeout"),
    ],
    ids=["exit", "segfault", "recursion", "memory", "hang"],
)
def test_bad_job_is_classified_and_the_next_job_runs(
    workers: Workers, job: Callable[..., Any], args: tuple[Any, ...], kind: str
) -> None:
    """Each way a job can fail is one classified error, and the pool keeps working."""
    started = time.monotonic()
    assert failure(workers, job, *args).kind == kind
    assert time.monotonic() - started < LIMITS.timeout + 5
    assert run(workers, jobs.add, 1, 1) == 2


def test_cpu_limit_kills_a_spinning_job() -> None:
    """A job that burns CPU past its budget is killed by the kernel even before the wall clock
    would stop it (budget 1 s of CPU, wall clock 30 s)."""
    pool = Workers(WorkerLimits(processes=1, memory=LIMITS.memory, timeout=1.0))
    try:
        assert run(pool, jobs.spin, 0.1) > 0  # the budget is per job, not per process
        assert run(pool, jobs.spin, 0.1) > 0
        started = time.monotonic()
        assert failure(pool, jobs.spin, 30).kind in ("timeout", "crashed")
        assert time.monotonic() - started < 10
    finally:
        pool.close()


def test_a_crash_does_not_cost_the_jobs_beside_it(workers: Workers) -> None:
    """Jobs running next to one that kills its worker still return their results."""

    async def together() -> list[Any]:
        calls: list[Awaitable[Any]] = [
            workers.run(jobs.sleep_then, 0.5, f"ok{i}") for i in range(3)
        ]
        calls.append(workers.run(jobs.die))
        return await asyncio.gather(*calls, return_exceptions=True)

    *fine, crashed = asyncio.run(together())
    assert fine == ["ok0", "ok1", "ok2"]
    assert isinstance(crashed, WorkerError) and crashed.kind == "crashed"


def test_a_timeout_does_not_cost_the_jobs_beside_it(workers: Workers) -> None:
    """Killing a hung job's worker re-runs the bystander that shared the pool."""

    async def together() -> list[Any]:
        return await asyncio.gather(
            workers.run(jobs.sleep_then, 30, "never"),
            workers.run(jobs.sleep_then, 2.5, "bystander"),
            return_exceptions=True,
        )

    hung, bystander = asyncio.run(together())
    assert isinstance(hung, WorkerError) and hung.kind == "timeout"
    assert bystander == "bystander"


def test_queued_jobs_survive_a_timeout_and_their_wait_is_not_counted(workers: Workers) -> None:
    """A hung job's timeout never cancels the jobs queued behind it (issue 11, finding 5), and
    time spent waiting for a free worker does not count toward a job's timeout: eight jobs of
    1 s on two workers wait up to 4 s, more than the 3 s limit, and all of them succeed."""

    async def together() -> list[Any]:
        calls: list[Awaitable[Any]] = [workers.run(jobs.sleep_then, 30, "never")]
        calls += [workers.run(jobs.sleep_then, 1.0, f"ok{i}") for i in range(8)]
        return await asyncio.gather(*calls, return_exceptions=True)

    hung, *queued = asyncio.run(together())
    assert isinstance(hung, WorkerError) and hung.kind == "timeout"
    assert queued == [f"ok{i}" for i in range(8)]

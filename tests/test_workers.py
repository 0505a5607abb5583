"""Worker processes with limits: a job's crash, hang or memory hog costs that job only.

No test here judges the machine's speed: a pool's timeout is generous unless the test is about
timeouts, and those use jobs that would never end by themselves."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ParseError, WorkerError
from monitor.workers import WorkerLimits, Workers
from tests import jobs
from tests.processes import live

#: no job here comes near this timeout unless it hangs on purpose
LIMITS = WorkerLimits(processes=2, memory=512 * 1024**2, timeout=120.0)
#: for the hang tests: their jobs never end by themselves (the others here take milliseconds)
SHORT = WorkerLimits(processes=2, memory=LIMITS.memory, timeout=3.0)


# one xdist worker runs this module: its worker pools (module fixtures) are built once
pytestmark = pytest.mark.xdist_group("workers")


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    pool = Workers(LIMITS)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def impatient() -> Iterator[Workers]:
    pool = Workers(SHORT)
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
    ],
    ids=["exit", "segfault", "recursion", "memory"],
)
def test_bad_job_is_classified_and_the_next_job_runs(
    workers: Workers, job: Callable[..., Any], args: tuple[Any, ...], kind: str
) -> None:
    """Each way a job can fail is one classified error, and the pool keeps working."""
    assert failure(workers, job, *args).kind == kind
    assert run(workers, jobs.add, 1, 1) == 2


def test_hung_job_times_out_and_the_next_job_runs(impatient: Workers) -> None:
    """A job that never returns is killed at its timeout; the next job runs in a fresh worker
    (whose start, however slow, does not count against that job's timeout)."""
    assert failure(impatient, jobs.sleep_then, 3600, "never").kind == "timeout"
    assert run(impatient, jobs.add, 1, 1) == 2


def test_waiting_for_a_worker_does_not_count_against_the_timeout() -> None:
    """Jobs queued behind others in a one-process pool each get their full timeout: ten jobs of
    0.3 s take 3 s in all, past the 2 s timeout of each."""
    pool = Workers(WorkerLimits(processes=1, memory=LIMITS.memory, timeout=2.0))

    async def queued() -> list[Any]:
        return await asyncio.gather(*(pool.run(jobs.sleep_then, 0.3, f"ok{i}") for i in range(10)))

    try:
        assert asyncio.run(queued()) == [f"ok{i}" for i in range(10)]
    finally:
        pool.close()


def test_cpu_limit_kills_a_spinning_job() -> None:
    """A job that burns CPU past its budget is stopped: by the kernel (its CPU limit) or by the
    wall clock, whichever comes first on this machine (budget 1 s of both, the job wants 30 s)."""
    pool = Workers(WorkerLimits(processes=1, memory=LIMITS.memory, timeout=1.0))
    try:
        assert run(pool, jobs.spin, 0.1) > 0  # the budget is per job, not per process
        assert run(pool, jobs.spin, 0.1) > 0
        assert failure(pool, jobs.spin, 30).kind in ("timeout", "crashed")
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


def test_a_timeout_does_not_cost_the_jobs_beside_it(tmp_path: Path) -> None:
    """Killing a hung job's worker re-runs the bystander that shared the pool. The bystander
    cannot finish before the kill: it waits for a file the test creates only after it."""
    flag, running = tmp_path / "go", tmp_path / "running"
    pool = Workers(WorkerLimits(processes=2, memory=LIMITS.memory, timeout=4.0))

    async def together() -> tuple[BaseException | None, str]:
        hung = asyncio.ensure_future(pool.run(jobs.touch_then_sleep, str(running), 3600))
        while not running.exists():
            await asyncio.sleep(0.01)
        # Then a head start, not a wait for anything: the bystander's own 4-second clock must
        # end well after the hung job's, or on a busy machine both fire in one turn of the loop
        # and the bystander times out itself (each clock starts when its job does).
        await asyncio.sleep(3.0)
        bystander = asyncio.ensure_future(pool.run(jobs.wait_for_file, str(flag), "by"))
        [error] = await asyncio.gather(hung, return_exceptions=True)
        flag.touch()
        return error, await bystander

    try:
        hung, bystander = asyncio.run(together())
    finally:
        pool.close()
    assert isinstance(hung, WorkerError) and hung.kind == "timeout"
    assert bystander == "by"


def test_close_kills_a_running_job(tmp_path: Path) -> None:
    """A job that would never end by itself does not keep its worker alive past ``close``
    (issue 11, finding 19: the pool forgot its processes on shutdown and killed none)."""
    before = set(multiprocessing.active_children())  # the module's pools, if they run
    pool = Workers(LIMITS)

    async def started() -> int:
        task = asyncio.ensure_future(pool.run(jobs.wait_for_file, str(tmp_path / "never"), "x"))
        worker = await pool.run(jobs.pid)  # the other worker: the first one is busy
        task.cancel()  # nobody waits for the job any more; it still runs in its worker
        return worker

    asyncio.run(started())
    processes = [p for p in multiprocessing.active_children() if p not in before]  # this pool's
    pids = [p.pid for p in processes if p.pid is not None]
    pool.close(grace=0.1)
    for process in processes:
        process.join(60)  # bounds a failing run only: a killed process ends at once
    # judged through /proc: is_alive() says True when the pool's manager thread reaped it first
    assert len(pids) == 2 and [pid for pid in pids if live(pid)] == []

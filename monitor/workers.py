"""Worker processes for CPU work on untrusted input (feed parsing, article extraction).

Owns: a pool of spawned processes in which each job runs under limits: an address-space cap
(``RLIMIT_AS``: a job that allocates past it gets ``MemoryError``), a CPU-time budget per job
(``RLIMIT_CPU``: the kernel kills a worker that spins past it) and a wall-clock timeout (the
worker is killed). Whatever happens, a job ends in its result, its own ``MonitorError``, or one
``WorkerError`` whose ``kind`` says how it failed; the pool that broke is replaced, so the next
job runs. A job that was only a bystander when another one broke the pool (killed beside it, or
cancelled while queued) is run again, alone. Jobs wait for a free worker *before* they are
submitted, so the wall-clock timeout counts a job's running time, never its time in a queue;
and a new worker imports the job's module (and runs its ``warm_up()``, if it defines one: the
extractor loads a language model) before the first job's clock starts.
Does not own: what the jobs do. A job is a module-level function with picklable arguments.

    workers = Workers(WorkerLimits(...))
    parsed = await workers.run(parse_feed, body, url=url)
    workers.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import resource
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast

from monitor.errors import MonitorError, WorkerError

log = logging.getLogger("monitor.workers")

#: seconds new worker processes may take to start and import a job's module (not counted as
#: any job's time; far more than a loaded machine needs)
STARTUP = 120.0

_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """How much one job may take."""

    #: worker processes (jobs run side by side up to this many)
    processes: int = 2
    #: address space of a worker process in bytes (the interpreter itself takes ~100 MB)
    memory: int = 1024**3
    #: wall-clock seconds for one job; its CPU budget is the same
    timeout: float = 60.0


class Workers:
    """Runs jobs in worker processes under ``WorkerLimits``; replaces a broken pool."""

    def __init__(self, limits: WorkerLimits = WorkerLimits()) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        # the modules each pool's workers have imported (or are importing)
        self._started: weakref.WeakKeyDictionary[
            ProcessPoolExecutor, dict[str, list[Future[None]]]
        ] = weakref.WeakKeyDictionary()
        # one gate per event loop (a semaphore belongs to the loop it first waits on)
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def close(self, grace: float = 5.0) -> None:
        """End the worker processes: queued jobs are cancelled, a running one gets ``grace``
        seconds; after that its process is killed (a stop must never hang on a stuck job)."""
        with self._lock:
            pool = self._pool
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        _kill(pool)

    async def run(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``fn(*args, **kwargs)`` in a worker; raises what it raised, or ``WorkerError``.

        When the shared pool breaks under a job, the job runs again alone in a fresh process:
        a bystander of another job's crash succeeds there, the culprit fails there again.
        """
        try:
            async with self._gate():
                return await self._attempt(self._pool, fn, args, kwargs, shared=True)
        except _Broken:
            pass
        solo = self._new_pool(processes=1)
        try:
            async with self._gate():
                return await self._attempt(solo, fn, args, kwargs, shared=False)
        except _Broken as e:
            raise WorkerError("crashed", "the worker process died") from e
        finally:
            solo.shutdown(wait=False, cancel_futures=True)

    async def _attempt(
        self,
        pool: ProcessPoolExecutor,
        fn: Callable[..., _T],
        args: Any,
        kwargs: Any,
        *,
        shared: bool,
    ) -> _T:
        # a fresh worker starts and imports the job's module first (seconds on a loaded
        # machine): that is not the job's running time, and does not count toward its timeout
        module = getattr(fn, "func", fn).__module__  # a functools.partial names its function
        warming = self._warm_up(pool, module, shared=shared)
        await self._wait(pool, warming, STARTUP, "the worker processes did not start", shared)
        job = self._submit(pool, shared, _limited, self._limits.timeout, fn, args, kwargs)
        [result] = await self._wait(pool, [job], self._limits.timeout, "no result", shared)
        return cast(_T, result)

    def _warm_up(
        self, pool: ProcessPoolExecutor, module: str, *, shared: bool
    ) -> list[Future[None]]:
        """One import of ``module`` per worker of ``pool``, submitted once per pool."""
        started = self._started.setdefault(pool, {})
        if module not in started:
            count = self._limits.processes if shared else 1
            started[module] = [self._submit(pool, shared, _import, module) for _ in range(count)]
        return started[module]

    def _submit(
        self, pool: ProcessPoolExecutor, shared: bool, fn: Callable[..., Any], *args: Any
    ) -> Future[Any]:
        try:
            return pool.submit(fn, *args)
        # broken, or shut down by another job; OSError: CPython 3.11 can find the pool's pipe
        # already closed when a worker died just before and the pool is not marked broken yet
        except (BrokenProcessPool, RuntimeError, OSError) as e:
            self._retire(pool, shared)
            raise _Broken from e

    async def _wait(
        self,
        pool: ProcessPoolExecutor,
        futures: list[Future[Any]],
        seconds: float,
        what: str,
        shared: bool,
    ) -> list[Any]:
        """The futures' results within ``seconds``; every way of failing classified."""
        try:
            async with asyncio.timeout(seconds):
                return [await asyncio.wrap_future(future) for future in futures]
        except asyncio.CancelledError:
            if any(f.cancelled() for f in futures) and not _cancelling():
                raise _Broken from None  # queued in a pool another job's failure shut down
            raise
        except TimeoutError as e:
            self._retire(pool, shared, kill=True)
            raise WorkerError("timeout", f"{what} in {seconds:g}s") from e
        except BrokenProcessPool as e:
            self._retire(pool, shared)
            raise _Broken from e
        except MemoryError as e:
            raise WorkerError("memory", "over the worker's memory limit") from e
        except MonitorError:
            raise
        except Exception as e:  # the job's own bug on this input: costs this job only
            raise WorkerError("failed", type(e).__name__) from e

    def _gate(self) -> asyncio.Semaphore:
        """Admits as many jobs as there are workers: a job is submitted only when one is free."""
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self._limits.processes)
        return gate

    def _retire(self, pool: ProcessPoolExecutor, shared: bool, *, kill: bool = False) -> None:
        if shared:
            self._replace(pool, kill=kill)
        elif kill:
            _kill(pool)

    def _new_pool(self, processes: int | None = None) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs threads and an event loop is unsafe
        return ProcessPoolExecutor(
            max_workers=processes or self._limits.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_limit_memory,
            initargs=(self._limits.memory,),
        )

    def _replace(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        """Swap in a fresh pool if ``pool`` is still the current one; end the old one."""
        with self._lock:
            if self._pool is not pool:
                return  # another job replaced it already
            self._pool = self._new_pool()
        if kill:
            _kill(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        log.warning("worker pool replaced (%s)", "a job timed out" if kill else "a worker died")


def _cancelling() -> bool:
    """Whether the calling task itself is being cancelled (a stop), not only its job."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class _Broken(Exception):
    """The pool a job ran in broke (its worker, or another job's, died)."""


def _kill(pool: ProcessPoolExecutor) -> None:
    """A running job cannot be cancelled: only killing its process stops it. (``_processes``
    is private; Python 3.14 adds ``terminate_workers`` for this.)"""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()


def _import(module: str) -> None:
    """Runs in a new worker before the module's first job's clock starts: the module imported,
    and its ``warm_up()`` run if it has one (best effort: a job that needs what failed here
    fails on its own, and is classified then)."""
    loaded = importlib.import_module(module)
    warm_up = getattr(loaded, "warm_up", None)
    if callable(warm_up):
        with contextlib.suppress(Exception):
            warm_up()


def _limit_memory(memory: int) -> None:
    """Runs once in each new worker process."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def _limited(cpu_seconds: float, fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """Runs in the worker: ``fn`` with a CPU budget counted from now (the limit is cumulative
    per process, so each job moves it to what has been used plus its own budget)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    budget = int(used + cpu_seconds) + 1
    if hard == resource.RLIM_INFINITY or budget <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (budget, hard))
    return fn(*args, **kwargs)

"""Worker processes for CPU work on untrusted input (feed parsing, article extraction).

Owns: a pool of spawned processes in which each job runs under limits: an address-space cap
(``RLIMIT_AS``: a job that allocates past it gets ``MemoryError``), a CPU-time budget per job
(``RLIMIT_CPU``: the kernel kills a worker that spins past it) and a wall-clock timeout (the
worker is killed). Whatever happens, a job ends in its result, its own ``MonitorError``, or one
``WorkerError`` whose ``kind`` says how it failed; the pool that broke is replaced, so the next
job runs. A job that was only a bystander when another one broke the pool is run again, alone.
The wall-clock timeout counts from the moment the job starts in a worker: waiting for a free
worker, or for a fresh one to start (seconds on a busy machine), costs a job nothing. Workers die
with the daemon, however it ends (``PR_SET_PDEATHSIG`` on Linux, a thread watching the parent
elsewhere): a SIGKILL or an OOM kill of the daemon leaves no worker behind. (On Linux the signal
comes when the *thread* that started the worker ends: use a pool from one long-lived thread, as
the daemon's event loop does.)
Does not own: what the jobs do. A job is a module-level function with picklable arguments.

    workers = Workers(WorkerLimits(...))
    parsed = await workers.run(parse_feed, body, url=url)
    workers.close()
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, ParamSpec, TypeVar

from monitor.errors import MonitorError, WorkerError

log = logging.getLogger("monitor.workers")

_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """How much one job may take."""

    #: worker processes (jobs run side by side up to this many)
    processes: int = 2
    #: address space of a worker process in bytes (the interpreter itself takes ~100 MB)
    memory: int = 1024**3
    #: wall-clock seconds for one job from its start in a worker; its CPU budget is the same
    timeout: float = 60.0


class Workers:
    """Runs jobs in worker processes under ``WorkerLimits``; replaces a broken pool."""

    def __init__(self, limits: WorkerLimits = WorkerLimits()) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        # each worker writes a job's number here when the job starts (its clock starts then)
        self._starts, self._started = self._context.Pipe(duplex=False)
        self._waiting: dict[int, Callable[[], None]] = {}
        self._numbers = itertools.count()
        self._listener = threading.Thread(target=self._listen, name="workers-starts", daemon=True)
        self._listener.start()
        self._pool = self._new_pool()

    def close(self, grace: float = 5.0) -> None:
        """End the worker processes: queued jobs are cancelled, a running one gets ``grace``
        seconds; after that its process is killed (a stop must never hang on a stuck job)."""
        with self._lock:
            pool = self._pool
        # taken before the shutdown, which forgets them (``_processes`` becomes None): killing
        # "the pool's processes" afterwards killed none, and a stop waited for a running job
        processes = _processes(pool)
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + grace
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            process.kill()
        with contextlib.suppress(OSError):  # closed before
            self._started.send_bytes(b"")  # ends the listener
        self._listener.join(grace)
        self._started.close()
        self._starts.close()

    async def run(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``fn(*args, **kwargs)`` in a worker; raises what it raised, or ``WorkerError``.

        When the shared pool breaks under a job, the job runs again alone in a fresh process:
        a bystander of another job's crash succeeds there, the culprit fails there again.
        """
        try:
            return await self._attempt(self._pool, fn, args, kwargs, shared=True)
        except _Broken:
            pass
        solo = self._new_pool(processes=1)
        try:
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
        number = next(self._numbers)
        loop = asyncio.get_running_loop()
        started: asyncio.Future[None] = loop.create_future()
        self._waiting[number] = _announcer(loop, started)
        try:
            future = self._submit(pool, number, fn, args, kwargs, shared=shared)
            return await self._outcome(pool, future, started, shared=shared)
        finally:
            self._waiting.pop(number, None)
            started.cancel()

    def _submit(
        self,
        pool: ProcessPoolExecutor,
        number: int,
        fn: Callable[..., _T],
        args: Any,
        kwargs: Any,
        *,
        shared: bool,
    ) -> Future[_T]:
        try:
            return pool.submit(_limited, number, self._limits.timeout, fn, args, kwargs)
        # broken, or shut down by another job; OSError: CPython 3.11 can find the pool's pipe
        # already closed when a worker died just before and the pool is not marked broken yet
        except (BrokenProcessPool, RuntimeError, OSError) as e:
            self._retire(pool, shared)
            raise _Broken from e

    async def _outcome(
        self,
        pool: ProcessPoolExecutor,
        future: Future[_T],
        started: asyncio.Future[None],
        *,
        shared: bool,
    ) -> _T:
        result = asyncio.wrap_future(future)
        try:
            # the clock starts when the job does: queueing and a worker's start are free
            await asyncio.wait((result, started), return_when=asyncio.FIRST_COMPLETED)
            async with asyncio.timeout(self._limits.timeout):
                return await result
        except TimeoutError as e:
            self._retire(pool, shared, kill=True)
            raise WorkerError("timeout", f"no result in {self._limits.timeout:g}s") from e
        except BrokenProcessPool as e:
            self._retire(pool, shared)
            raise _Broken from e
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if not future.cancelled() or (task is not None and task.cancelling()):
                raise
            # not our cancellation: another job's failure shut the pool down under this one
            raise _Broken from None
        except MemoryError as e:
            raise WorkerError("memory", "over the worker's memory limit") from e
        except MonitorError:
            raise
        except Exception as e:  # the job's own bug on this input: costs this job only
            raise WorkerError("failed", type(e).__name__) from e
        finally:
            result.cancel()  # a no-op once done; else the job must not start any more

    def _listen(self) -> None:
        """Runs in a thread: tells each waiting job that it started in a worker."""
        while True:
            try:
                message = self._starts.recv_bytes()
            except (EOFError, OSError):
                return
            if not message:
                return  # ``close``
            announce = self._waiting.get(int.from_bytes(message, "big"))
            if announce is not None:
                announce()

    def _retire(self, pool: ProcessPoolExecutor, shared: bool, *, kill: bool = False) -> None:
        if shared:
            self._replace(pool, kill=kill)
        elif kill:
            _kill(pool)

    def _new_pool(self, processes: int | None = None) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs threads and an event loop is unsafe
        return ProcessPoolExecutor(
            max_workers=processes or self._limits.processes,
            mp_context=self._context,
            initializer=_start_worker,
            initargs=(self._limits.memory, os.getpid(), self._started),
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


class _Broken(Exception):
    """The pool a job ran in broke (its worker, or another job's, died)."""


def _kill(pool: ProcessPoolExecutor) -> None:
    """A running job cannot be cancelled: only killing its process stops it. (``_processes``
    is private; Python 3.14 adds ``terminate_workers`` for this.)"""
    for process in _processes(pool):
        process.kill()


def _processes(pool: ProcessPoolExecutor) -> list[Any]:
    """The worker processes of ``pool`` (none once it was shut down: it forgets them)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _announcer(
    loop: asyncio.AbstractEventLoop, started: asyncio.Future[None]
) -> Callable[[], None]:
    """A callable for the listener thread that marks ``started`` done on its own loop."""

    def announce() -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(_resolve, started)

    return announce


def _resolve(started: asyncio.Future[None]) -> None:
    if not started.done():
        started.set_result(None)


# --- in the worker process ----------------------------------------------------------------------

#: where this worker announces each job's start; set once by ``_start_worker`` (a worker's only
#: state: ProcessPoolExecutor passes nothing else from the initializer to the jobs)
_announce_to: Connection | None = None

#: prctl(2) option: the signal a process gets when its parent dies
_PR_SET_PDEATHSIG = 1


def _start_worker(memory: int, parent: int, announce_to: Connection) -> None:
    """Runs once in each new worker process."""
    global _announce_to
    _die_with(parent)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _announce_to = announce_to


def _die_with(parent: int) -> None:
    """End this worker when ``parent`` ends, however it ends (SIGKILL and OOM kills included)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before prctl took effect
                os._exit(1)
            return
    watch = threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True)
    watch.start()


def _watch(parent: int) -> None:
    """Elsewhere: a worker re-parented away from the daemon has outlived it."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _limited(
    number: int, cpu_seconds: float, fn: Callable[..., Any], args: Any, kwargs: Any
) -> Any:
    """Runs in the worker: announces the job's start, then ``fn`` with a CPU budget counted
    from now (the limit is cumulative per process, so each job moves it to what has been used
    plus its own budget)."""
    if _announce_to is not None:
        with contextlib.suppress(OSError):  # the daemon is gone: this worker dies with it
            _announce_to.send_bytes(number.to_bytes(8, "big"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    budget = int(used + cpu_seconds) + 1
    if hard == resource.RLIM_INFINITY or budget <= hard:
        resource.setrlimit(resource.RLIMIT_CPU, (budget, hard))
    return fn(*args, **kwargs)

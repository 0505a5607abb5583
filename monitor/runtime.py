"""What the pipeline's parts share at run time, and the one place a hot reload swaps it.

Owns: ``Loaded``, the settings in use and the notifier for their channels (what a hot reload
replaces, as one frozen value), and ``Runtime``: the store, clock, random source, crash
checkpoint, metrics and database watch the pipeline was given (fixed for its life), plus the
``Loaded`` in use.
``Pipeline`` builds one ``Runtime`` and hands the same object to ``SourceHealth`` and
``Deliverer``; ``Runtime.reload`` replaces the ``Loaded`` whole. That is one reference
assignment, so a part that takes ``runtime.loaded`` once per operation (a poll's report, a
delivery round) uses one configuration's settings with that configuration's notifier, never a mix.
Does not own: building the clients (``monitor.cli.daemon``), reading the configuration
(``monitor.config``), deciding when to reload (``monitor.scheduler``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.database_watch import DatabaseWatch
from monitor.deliver.crash import Checkpoint, unchecked
from monitor.metrics import NO_METRICS, Metrics

if TYPE_CHECKING:  # types only: importing them here would load the store and apprise
    from monitor.config import Settings
    from monitor.notify import Notifier
    from monitor.store import Store


@dataclass(frozen=True, slots=True)
class Loaded:
    """A loaded configuration as the running parts use it."""

    #: the settings in use
    settings: Settings
    #: the notifier for those settings' channels
    notifier: Notifier


class Runtime:
    """The clients and clock given once, and the configuration in use (swapped by ``reload``)."""

    def __init__(
        self,
        loaded: Loaded,
        *,
        store: Store,
        now: Callable[[], datetime],
        rng: random.Random | None = None,
        checkpoint: Checkpoint = unchecked,
        metrics: Metrics = NO_METRICS,
        database: DatabaseWatch | None = None,
    ) -> None:
        """``database``: the daemon's one record of its database (shared with the node and the
        scheduler); a pipeline of its own keeps one for itself."""
        self.store = store
        self.now = now
        self.rng = rng or random.Random()
        self.checkpoint = checkpoint
        self.metrics = metrics
        self.database = database or DatabaseWatch(now, metrics)
        self._loaded = loaded

    @property
    def loaded(self) -> Loaded:
        """The configuration in use; take it once per operation."""
        return self._loaded

    def reload(self, loaded: Loaded) -> None:
        """Use a newly loaded configuration from now on (hot reload); the old one was valid too.
        Operations under way finish with the one they took."""
        self._loaded = loaded

"""The daemon's web side: a dashboard, Atom feeds of matches, Prometheus metrics, a health check.

``monitor run`` serves it on its own event loop (Starlette on uvicorn, one more task beside the
scheduler's jobs) at ``web.listen`` (default ``127.0.0.1:8080``; ``off`` disables it). Reads go
to the store in threads, so page traffic never blocks a poll.

    server.py    bind the socket at start-up (errors and the taken default port), run uvicorn
    app.py       routes and the handlers behind them; the gate as middleware
    context.py   WebContext: the store, settings, clock and caches the handlers use
    budget.py    the share of the daemon's time page traffic may take
    guard.py     token, CSRF and security headers: pure decisions
    pages.py     HTML (Jinja2, autoescaped): values in, text out
    present.py   highlights, charts, safe links, filters: values in, values out (the snippet
                 itself is ``monitor.snippet``'s, shared with alerts)
    atom.py      Atom 1.0 feeds: values in, bytes out
    metrics.py   the ``monitor.metrics`` hooks counted for Prometheus

Owns: everything HTTP the daemon answers. Does not own: the queries (``monitor.store``), the
matcher (``monitor.match``), or when the daemon runs and stops (``monitor.scheduler``).
"""

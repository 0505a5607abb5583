# A non-root image that runs the monitor daemon (README, "Docker").
#   docker build -t news-monitor .
#   docker run -d --name monitor -v "$PWD/config:/config:ro" -v monitor-data:/data \
#     -e MONITOR_ALERT_URL='json://hooks.example.org/monitor' news-monitor
# PYTHON_IMAGE lets a machine without Docker Hub build on a local stand-in of the same Python.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MONITOR_CONFIG=/config/monitor.yaml \
    MONITOR_DATABASE_URL=sqlite:////data/monitor.db

RUN useradd --create-home --uid 10001 monitor
WORKDIR /app

# Dependencies first, in their own layer, pinned by the constraints file: a code change
# rebuilds only the small layer below.
COPY pyproject.toml contrib/constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt -c constraints.txt

COPY README.md ./
COPY monitor ./monitor
RUN pip install --no-deps . && rm -rf /app/build /root/.cache

# The shipped configuration is the default; mount your own at /config to replace it.
COPY --chown=monitor:monitor config /config
RUN mkdir -p /data && chown monitor:monitor /data
VOLUME ["/config", "/data"]

USER monitor
# The compiled lexicon cache (~/.cache/news-monitor) built once here, so no container start pays
# for building it (it would be lost with the container's writable layer anyway).
RUN python -c "from monitor.match.lexicon_files import default_lexicon; default_lexicon()"
# /healthz answers 200 while the scheduler loop runs and the database answers (README, "The web side").
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status != 200)"]
# SIGTERM stops the daemon cleanly within about 8 s, inside docker stop's default 10 s; give a
# loaded host more with `docker stop -t 30` / `docker run --stop-timeout 30` (compose:
# stop_grace_period, as contrib/compose.yaml sets it).
STOPSIGNAL SIGTERM
ENTRYPOINT ["monitor"]
CMD ["run"]

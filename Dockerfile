# A non-root image that runs the monitor daemon.
#   docker build -t news-monitor .
#   docker run -d --name monitor -v "$PWD/config:/config:ro" -v monitor-data:/data \
#     -e MONITOR_ALERT_URL='json://hooks.example.org/monitor' news-monitor
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MONITOR_CONFIG=/config/monitor.yaml \
    MONITOR_DATABASE_URL=sqlite:////data/monitor.db

RUN useradd --create-home --uid 10001 monitor
WORKDIR /app
COPY pyproject.toml README.md ./
COPY monitor ./monitor
RUN pip install . && rm -rf /root/.cache

# The shipped configuration is the default; mount your own at /config to replace it.
COPY --chown=monitor:monitor config /config
RUN mkdir -p /data && chown monitor:monitor /data
VOLUME ["/config", "/data"]

USER monitor
# SIGTERM stops the daemon cleanly within 10 s (docker stop's default grace period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["monitor"]
CMD ["run"]

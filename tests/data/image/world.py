"""The image test's sibling container: a feed on 127.0.0.1:8000 and a webhook on :8001.

Runs inside the container with the monitor image's Python (stdlib only). Every POST to the
webhook is appended, one JSON line, to /out/hooks.jsonl, which the test reads from the host.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FEED = Path("/world/feed.xml").read_bytes()
OUT = Path("/out/hooks.jsonl")


class Feed(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with OUT.open("a") as out:
            out.write(json.dumps({"path": self.path, "body": body.decode()}) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


servers = [
    ThreadingHTTPServer(("127.0.0.1", 8000), Feed),
    ThreadingHTTPServer(("127.0.0.1", 8001), Hook),
]
for server in servers[1:]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
servers[0].serve_forever()

"""How the web side's stack was chosen: Starlette on uvicorn against aiohttp, same page.

Both serve, on one asyncio loop in this process, a page rendered from the same Jinja2 template
(50 rows of escaped text, ~40 KB), and a tiny JSON answer; a client in another process sends
``--requests`` requests one after another to each and the requests per second are printed, with
the time the daemon's loop was blocked (the longest gap between ticks of a 10 ms heartbeat).
aiohttp is not a dependency: install it in a scratch virtualenv to run this
(``pip install aiohttp starlette uvicorn jinja2 httpx``).

    python benchmarks/web_stack_bench.py [--requests 400]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import socket
import time

import httpx
import jinja2

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    "<ol>{% for r in rows %}<li><a href='{{ r.url }}'>{{ r.title }}</a> <p>{{ r.text }}</p>"
    "</li>{% endfor %}</ol>"
)
ROWS = [
    {"url": f"https://news.example/{n}", "title": f"<b>Headline</b> number {n} & more",
     "text": "Russia and ASEAN in a snippet of an article. " * 15}
    for n in range(50)
]  # fmt: skip


def page() -> str:
    return TEMPLATE.render(rows=ROWS)


def client(port: int, count: int, result: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        for path in ("/", "/json"):
            http.get(path)
            started = time.perf_counter()
            for _ in range(count):
                http.get(path)
            result.put((path, count / (time.perf_counter() - started)))


async def measure(name: str, serve, count: int) -> None:
    # proto TCP, as getaddrinfo gives it (``monitor.web.server``): asyncio sets TCP_NODELAY only
    # on such sockets, and without it every keep-alive response waits ~40 ms (delayed ACK)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    stop = await serve(sock)
    worst = 0.0
    done = asyncio.Event()

    async def heartbeat() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            worst = max(worst, now - last - 0.01)
            last = now

    beat = asyncio.create_task(heartbeat())
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    process = multiprocessing.Process(target=client, args=(sock.getsockname()[1], count, queue))
    process.start()
    await asyncio.to_thread(process.join)
    done.set()
    await beat
    await stop()
    sock.close()
    for _ in range(2):
        path, rate = queue.get()
        print(f"  {name:22} {path:6} {rate:7.0f} requests/s")
    print(f"  {name:22} loop blocked at most {worst * 1000:.1f} ms")


async def starlette_uvicorn(sock: socket.socket):
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, JSONResponse
    from starlette.routing import Route

    async def html(request):
        return HTMLResponse(page())

    async def json_(request):
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[Route("/", html), Route("/json", json_)])
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning",
                                           lifespan="off"))  # fmt: skip
    task = asyncio.create_task(server._serve(sockets=[sock]))  # no signal capture here

    async def stop() -> None:
        server.should_exit = True
        await task

    return stop


async def aiohttp_web(sock: socket.socket):
    from aiohttp import web

    async def html(request):
        return web.Response(text=page(), content_type="text/html")

    async def json_(request):
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.add_routes([web.get("/", html), web.get("/json", json_)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner.cleanup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    for name, serve in (("starlette + uvicorn", starlette_uvicorn), ("aiohttp", aiohttp_web)):
        asyncio.run(measure(name, serve, args.requests))


if __name__ == "__main__":
    main()

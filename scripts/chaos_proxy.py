"""A TCP proxy for fault injection (issue 13): the gateways reach PostgreSQL through it.

It forwards bytes both ways and, on command, delays every chunk it forwards (a slow
network), or cuts the link: every open connection is aborted (RST) and new ones are
refused for a while (an unplugged cable, a failed-over load balancer).

Used in-process by scripts/chaos.py (Proxy runs its asyncio loop in a thread of its own;
the commands are thread-safe), or alone for manual experiments:

    python3 scripts/chaos_proxy.py LISTEN_PORT TARGET_HOST TARGET_PORT [CONTROL_PORT]

where the control port takes one command per line: `delay MIN_MS MAX_MS`, `nodelay`,
`cut SECONDS`, `stats`. Standard library only.
"""

import asyncio
import random
import sys
import threading
import time

CHUNK = 65536


class Proxy:
    def __init__(self, target_host, target_port, listen_host="127.0.0.1", listen_port=0, seed=0):
        self.target = (target_host, target_port)
        self.listen = (listen_host, listen_port)
        self.port = None
        self.delay = None  # (min_s, max_s) while a slow-network episode runs
        self.refuse_until = 0.0  # monotonic time until which new connections are reset
        self.rng = random.Random(seed)
        self.links = set()  # (client_writer, upstream_writer) of open connections
        self.stats = {"connections": 0, "refused": 0, "cut": 0, "delayed_chunks": 0}
        self.loop = None
        self._ready = threading.Event()
        self._thread = None
        self._server = None

    # ---- lifecycle (from another thread) ----

    def start(self):
        self._thread = threading.Thread(target=self._run, name="chaos-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10) or self.port is None:
            raise RuntimeError("proxy did not start")
        return self.port

    def stop(self):
        if self.loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop)
        try:
            fut.result(10)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def _run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            self._server = self.loop.run_until_complete(
                asyncio.start_server(self._accept, self.listen[0], self.listen[1]))
            self.port = self._server.sockets[0].getsockname()[1]
        finally:
            self._ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _shutdown(self):
        self._server.close()
        self._abort_all()

    # ---- commands (thread-safe) ----

    def set_delay(self, min_ms, max_ms):
        self._call(lambda: setattr(self, "delay", (min_ms / 1000.0, max_ms / 1000.0)))

    def clear_delay(self):
        self._call(lambda: setattr(self, "delay", None))

    def cut(self, refuse_seconds):
        """Aborts every open connection and refuses new ones for refuse_seconds."""
        def do():
            self.refuse_until = time.monotonic() + refuse_seconds
            self._abort_all()
        self._call(do)

    def _call(self, fn):
        done = threading.Event()

        def wrapped():
            try:
                fn()
            finally:
                done.set()
        self.loop.call_soon_threadsafe(wrapped)
        done.wait(5)

    # ---- forwarding ----

    def _abort_all(self):
        for cw, uw in list(self.links):
            for w in (cw, uw):
                if w is not None:
                    w.transport.abort()
            self.stats["cut"] += 1
        self.links.clear()

    async def _accept(self, creader, cwriter):
        if time.monotonic() < self.refuse_until:
            self.stats["refused"] += 1
            cwriter.transport.abort()
            return
        try:
            ureader, uwriter = await asyncio.open_connection(*self.target)
        except OSError:
            cwriter.transport.abort()
            return
        self.stats["connections"] += 1
        link = (cwriter, uwriter)
        self.links.add(link)
        try:
            await asyncio.gather(self._pump(creader, uwriter), self._pump(ureader, cwriter))
        finally:
            self.links.discard(link)
            for w in link:
                w.transport.abort()

    async def _pump(self, reader, writer):
        # One direction, in order: a delayed chunk holds back the ones behind it, as on a
        # slow link. Any error ends both directions (gather cancels nothing, but the
        # caller aborts both transports, which ends the other pump's read).
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if self.delay is not None:
                    self.stats["delayed_chunks"] += 1
                    await asyncio.sleep(self.rng.uniform(*self.delay))
                if writer.transport.is_closing():
                    break
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.transport.abort()


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    proxy = Proxy(argv[2], int(argv[3]), listen_port=int(argv[1]))
    port = proxy.start()
    print(f"chaos_proxy: 127.0.0.1:{port} -> {argv[2]}:{argv[3]}", flush=True)
    if len(argv) == 4:
        threading.Event().wait()
        return 0
    import socketserver

    class Control(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                words = line.decode().split()
                if not words:
                    continue
                if words[0] == "delay" and len(words) == 3:
                    proxy.set_delay(int(words[1]), int(words[2]))
                elif words[0] == "nodelay":
                    proxy.clear_delay()
                elif words[0] == "cut" and len(words) == 2:
                    proxy.cut(float(words[1]))
                elif words[0] != "stats":
                    self.wfile.write(b"? delay MIN_MS MAX_MS | nodelay | cut SECONDS | stats\n")
                    continue
                self.wfile.write(f"ok {proxy.stats}\n".encode())

    with socketserver.TCPServer(("127.0.0.1", int(argv[4])), Control) as control:
        control.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

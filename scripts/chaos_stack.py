"""The processes of one fault-injection seed (scripts/chaos.py): the PostgreSQL cluster
that scripts/chaos.sh started, gateways behind the chaos proxy, expiry workers.

Each process logs to its own file per incarnation (gw0.1.log, gw0.2.log after a restart),
so a kill -9 never mixes two lives in one file.
"""

import json
import os
import signal
import subprocess
import threading
import time

QR_KEY_ID = "t1"  # the test key ring of Tests/GatewayEndToEndTests/Stack.swift
QR_SECRET = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
DURABLE = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}


def psql(url, query, timeout=60):
    """Runs one statement; returns its unaligned output. Raises on an error."""
    r = subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", query],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed: {r.stderr.strip()}")
    return r.stdout.strip()


def psql_json(url, query):
    """The rows of a SELECT as a list of dicts (json_agg on the server)."""
    out = psql(url, f"SELECT coalesce(json_agg(t), '[]') FROM ({query}) t")
    return json.loads(out)


class Cluster:
    """The private PostgreSQL of the run, as scripts/chaos.sh describes it in CHAOS_PG_*."""

    def __init__(self, server_url):
        self.server = server_url  # postgresql://postgres@127.0.0.1:PORT/postgres
        self.base = server_url.rsplit("/", 1)[0]
        self.data = os.environ["CHAOS_PG_DATA"]
        self.pg_ctl = os.path.join(os.environ["CHAOS_PG_BIN"], "pg_ctl")
        user = os.environ.get("CHAOS_PG_USER", "")
        self.as_pg = ["runuser", "-u", user, "--"] if user else []

    def url(self, database):
        return f"{self.base}/{database}"

    def port(self):
        return int(self.base.rsplit(":", 1)[1])

    def restart_immediate(self):
        """pg_ctl restart -m immediate: a crash (no checkpoint, recovery from WAL at start);
        the server comes back with the options it ran with (postmaster.opts)."""
        r = subprocess.run(self.as_pg + [self.pg_ctl, "-D", self.data, "-w", "-t", "90",
                                         "-l", os.path.join(self.data, "server.log"), "restart", "-m", "immediate"],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"pg_ctl restart failed: {r.stdout} {r.stderr}")

    def not_durable(self):
        """The durability settings that are not on (empty when the server is durable)."""
        bad = []
        for name, want in DURABLE.items():
            got = psql(self.server, f"SHOW {name}")
            if got != want:
                bad.append(f"{name}={got}")
        return bad


class Process:
    """One gateway or worker; restartable; knows whether its death was ordered."""

    def __init__(self, name, argv, env, logdir):
        self.name = name
        self.argv = argv
        self.env = env
        self.logdir = logdir
        self.proc = None
        self.life = 0
        self.log_path = None
        self.expected_exit = False

    def start(self):
        self.life += 1
        self.log_path = os.path.join(self.logdir, f"{self.name}.{self.life}.log")
        self.expected_exit = False
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        self.expected_exit = True
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, wait=15):
        """SIGTERM (a clean drain), SIGKILL past the deadline. True when it exited cleanly."""
        self.expected_exit = True
        if not self.alive():
            return True
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(wait) == 0
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            return False

    def tail(self, lines=15):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""


class Gateway(Process):
    def __init__(self, index, bin_dir, database_url, logdir):
        env = dict(os.environ, OTA_DATABASE_URL=database_url, OTA_HTTP_HOST="127.0.0.1", OTA_HTTP_PORT="0",
                   OTA_WORKERS="4", OTA_RATE_LIMITS="off", OTA_REQUEST_LOG="1",
                   OTA_QR_ACTIVE_KEY_ID=QR_KEY_ID, OTA_QR_KEYS=f"{QR_KEY_ID}:{QR_SECRET}")
        super().__init__(f"gw{index}", [os.path.join(bin_dir, "ota-gateway")], env, logdir)
        self.index = index
        self.port = None

    def start(self):
        """Starts it and waits for its "gateway.listening" line; returns the port."""
        super().start()
        self.port = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with open(self.log_path, "rb") as f:
                    for line in f:
                        if b'"gateway.listening"' in line:
                            self.port = int(json.loads(line)["port"])
                            return self.port
            except (OSError, ValueError, KeyError):
                pass
            if not self.alive():
                break
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start:\n{self.tail()}")


class Worker(Process):
    def __init__(self, index, bin_dir, database_url, logdir):
        env = dict(os.environ, OTA_DATABASE_URL=database_url, OTA_WORKER_POLL_SECONDS="5")
        super().__init__(f"worker{index}", [os.path.join(bin_dir, "ota-expiry-worker")], env, logdir)


class Watchdog(threading.Thread):
    """Notices a process that died without being told to (a crash: a violation) and
    restarts it so the run goes on."""

    def __init__(self, run, processes, on_gateway_port):
        super().__init__(name="watchdog", daemon=True)
        self.run_state = run
        self.processes = processes
        self.on_gateway_port = on_gateway_port
        self.stopped = threading.Event()
        self.lock = threading.Lock()  # held by the fault injector around an ordered kill

    def run(self):
        while not self.stopped.wait(0.5):
            with self.lock:
                for p in self.processes:
                    if p.proc is not None and not p.alive() and not p.expected_exit:
                        self.run_state.violation("process_died", f"{p.name} exited by itself with status "
                                                                 f"{p.proc.returncode}; log {p.log_path}:\n{p.tail()}")
                        try:
                            port = p.start()
                            if isinstance(p, Gateway):
                                self.on_gateway_port(p.index, port)
                        except RuntimeError as e:
                            self.run_state.violation("process_died", str(e))

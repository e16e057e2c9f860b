"""The faults of a chaos seed (scripts/chaos.py): the injector thread that runs the
seed's schedule against the stack, and ota-admin against the seed's database."""

import os
import subprocess
import threading
import time


class Injector(threading.Thread):
    """Runs the seed's fault schedule: each kind once (cuts one to three times), in a
    seeded order at seeded times between 15% and 80% of the run, a few seconds apart."""

    def __init__(self, run, duration, cluster, proxy, gateways, workers, watchdog):
        super().__init__(name="injector", daemon=True)
        self.run_state, self.cluster, self.proxy = run, cluster, proxy
        self.gateways, self.workers, self.watchdog = gateways, workers, watchdog
        rng = run.rng_for("faults")
        # Cuts are cheap and hit commits in flight (outcome unknown to the gateway): one to three.
        kinds = ["kill_gateway", "kill_worker", "restart_postgres", "slow_link", "restripe"] + ["cut_link"] * rng.randint(1, 3)
        rng.shuffle(kinds)
        start, end = 0.15 * duration, 0.8 * duration
        slot = (end - start) / len(kinds)
        self.schedule = [(start + i * slot + rng.uniform(0, slot * 0.5), k) for i, k in enumerate(kinds)]
        self.rng = rng
        self.allow_not_durable = False
        self.admin = None  # runs ota-admin against the seed's database (set by seed_run)
        self.query = None  # one psql query against it

    def run(self):
        for at, kind in self.schedule:
            wait = self.run_state.started + at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                getattr(self, kind)()
            except Exception as e:
                self.run_state.violation("fault_failed", f"{kind}: {type(e).__name__}: {e}")

    def kill_gateway(self):
        gw = self.rng.choice(self.gateways)
        with self.watchdog.lock:
            self.run_state.set_port(gw.index, None)
            pid = gw.proc.pid
            gw.kill9()
            self.run_state.fault(f"kill -9 {gw.name} (pid {pid})")
            time.sleep(self.rng.uniform(0.2, 1.5))
            self.run_state.set_port(gw.index, gw.start())
        self.run_state.fault(f"{gw.name} restarted on port {gw.port}")

    def kill_worker(self):
        w = self.rng.choice(self.workers)
        with self.watchdog.lock:
            pid = w.proc.pid
            w.kill9()
            self.run_state.fault(f"kill -9 {w.name} (pid {pid})")
            time.sleep(self.rng.uniform(0.5, 2.0))
            w.start()
        self.run_state.fault(f"{w.name} restarted")

    def restart_postgres(self):
        self.run_state.fault("pg_ctl restart -m immediate")
        t = time.monotonic()
        self.cluster.restart_immediate()
        bad = self.cluster.not_durable()
        if bad and not self.allow_not_durable:
            self.run_state.violation("not_durable", f"PostgreSQL came back without durable settings: {bad}")
        self.run_state.fault(f"PostgreSQL back after {time.monotonic() - t:.1f}s")

    def slow_link(self):
        lo = self.rng.randint(200, 300)
        hi = self.rng.randint(400, 500)
        length = self.rng.uniform(3, 6)
        self.proxy.set_delay(lo, hi)
        self.run_state.fault(f"proxy delays {lo}-{hi} ms per chunk for {length:.1f}s")
        time.sleep(length)
        self.proxy.clear_delay()

    def restripe(self):
        """A DBA re-splits a pool while holds are taken from it (every client holds on
        every product): `ota-admin allocation stripes` with another K (closed slots keep
        their holds' units until they end)."""
        product = self.rng.choice(self.run_state.products)
        try:
            now = int(self.query(f"SELECT stripes FROM channel_pools WHERE product_id = {product} AND channel = 'ota'"))
        except Exception:
            now = None  # the database is restarting: any K but a guess is still a change most times
        k = self.rng.choice([x for x in (1, 2, 3, 6, 8) if x != now])
        self.admin("allocation", "stripes", str(product), str(k))
        self.run_state.fault(f"ota-admin allocation stripes {product} {k}")

    def cut_link(self):
        refuse = self.rng.uniform(0.5, 2.5)
        self.proxy.cut(refuse)
        self.run_state.fault(f"proxy cuts every connection, refuses new ones for {refuse:.1f}s")


def run_admin(bin_dir, url, *argv):
    """ota-admin with the seed's database; tried again for a while when the database is
    not reachable (a fault may just have restarted it)."""
    deadline = time.monotonic() + 30
    while True:
        r = subprocess.run([os.path.join(bin_dir, "ota-admin"), *argv], capture_output=True, text=True,
                           timeout=60, env={**os.environ, "OTA_DATABASE_URL": url})
        if r.returncode == 0:
            return r.stdout
        # 2 is a usage error: no retry makes it work.
        if r.returncode == 2 or time.monotonic() > deadline:
            raise RuntimeError(f"ota-admin {' '.join(argv)} exited {r.returncode}: {r.stderr.strip()}")
        time.sleep(1)

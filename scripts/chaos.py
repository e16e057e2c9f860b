"""The fault-injection run (issue 13), driven by scripts/chaos.sh (`make chaos`).

Per seed: a fresh database cloned from the migrated and seeded template, two gateways
reaching PostgreSQL through the chaos proxy, two expiry workers, and seeded randomized
clients of both development partners. While they run, faults scheduled by the seed hit
the stack: kill -9 of a gateway and of a worker (both restarted), `pg_ctl restart -m
immediate` of PostgreSQL, a slow link (200-500 ms per chunk) and a cut link (every
connection reset, new ones refused for a moment), and a restripe (`ota-admin allocation
stripes` with another K for a pool holds are taken from; half the pools start over 4
slots). Afterwards every process stops and
scripts/chaos_checks.py compares the clients' journal of acknowledged changes with the
database. Exit status 1 when any seed found a violation.

    python3 scripts/chaos.py --bin DIR --server URL --template DB [--seeds 1,2,3 | --seed N]
                             [--duration S] [--clients N] [--logs DIR] [--keep-logs] [--self-test]
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chaos_checks  # noqa: E402
from chaos_client import Client  # noqa: E402
from chaos_faults import Injector, run_admin  # noqa: E402
from chaos_proxy import Proxy  # noqa: E402
from chaos_stack import Cluster, Gateway, Watchdog, Worker, psql  # noqa: E402

PARTNERS = [
    {"code": "ota-test-partner", "key": "ota_test_key_12345", "venue": "TEST-PIER-1"},
    {"code": "ota251103", "key": "ota251103_key_67890", "venue": "G251103-GATE-A"},
]


class RunState:
    """What the clients, the fault injector and the checks share during one seed."""

    def __init__(self, seed, duration, catalog):
        self.seed = seed
        self.rng = random.Random(seed)
        self.started = time.monotonic()
        self.stop_at = self.started + duration
        self.retry_budget = 30.0
        self.products = [p["product_id"] for p in catalog["products"]]
        self.functions = {p["product_id"]: [e["function_code"] for e in p["entitlements"]] for p in catalog["products"]}
        self.lock = threading.Lock()
        self.ports = {}
        self.counters = {}
        self.journal = []
        self.unknowns = []
        self.violations = []
        self.scans_sent = set()
        self.faults = []
        self.database = []
        self.seen_500 = set()  # request ids of the 500s the clients saw
        self.left_to_expire = []  # (reservation_id, expiry epoch) no client touches

    def rng_for(self, name):
        return random.Random(f"{self.seed}:{name}")

    def pick_gateway(self, rng):
        with self.lock:
            ports = [p for _, p in sorted(self.ports.items()) if p is not None]
        return rng.choice(ports) if ports else None

    def set_port(self, index, port):
        with self.lock:
            self.ports[index] = port

    def count(self, name, n=1):
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + n

    def acknowledge(self, entry):
        with self.lock:
            self.journal.append(entry)

    def unknown(self, op, key):
        with self.lock:
            self.unknowns.append((op, key))

    def sent_scan(self, partner, scan_id):
        with self.lock:
            self.scans_sent.add((partner, scan_id))

    def violation(self, kind, text):
        with self.lock:
            self.violations.append((kind, text))
        print(f"  VIOLATION [{kind}] seed {self.seed}: {text}", flush=True)

    def saw_500(self, request_id):
        with self.lock:
            self.seen_500.add(request_id)

    def fault(self, text):
        at = time.monotonic() - self.started
        with self.lock:
            self.faults.append(f"{at:6.1f}s {text}")
        print(f"  seed {self.seed} {at:5.1f}s fault: {text}", flush=True)


def setup_partners(run, gateways):
    """One operator per partner, created and logged in before any fault."""
    from chaos_client import NO_ANSWER, exchange
    port = gateways[0].port

    def send(path, body, headers):
        for _ in range(20):  # a fresh gateway may still be connecting to the database
            try:
                a = exchange(port, "POST", path, json.dumps(body).encode(), dict(headers, **{"Content-Type": "application/json"}), 30)
                if a.status not in (502, 503, 504):
                    return a
            except NO_ANSWER:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"POST {path}: no answer during setup")

    for p in PARTNERS:
        name = f"chaos-{run.seed}-{p['code']}"
        password = f"Fault-{run.seed}-Injection!"
        a = send("/api/ota/operators", {"username": name, "password": password, "display_name": f"Chaos {p['code']}",
                                        "venue_ids": [p["venue"]]},
                 {"X-API-Key": p["key"], "Idempotency-Key": f"op-{run.seed}-{p['code']}"})
        if a.status != 201:
            raise RuntimeError(f"creating operator for {p['code']}: {a.status} {a.body[:300]!r}")
        a = send("/operators/login", {"partner": p["code"], "username": name, "password": password}, {})
        if a.status != 200:
            raise RuntimeError(f"operator login for {p['code']}: {a.status} {a.body[:300]!r}")
        p["token"] = a.json()["token"]


def seed_run(args, cluster, catalog, seed):
    """One seed from a fresh database to its checks. Returns the row of the table."""
    db = f"chaos_s{seed}_{os.getpid()}"
    logdir = os.path.join(args.logs, f"seed-{seed}")
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir)
    psql(cluster.server, f"CREATE DATABASE {db} TEMPLATE {args.template}")
    # As a server in service would have had one lately: the crash's recovery replays the
    # seed's own work, not the copy of the template.
    psql(cluster.server, "CHECKPOINT")
    url = cluster.url(db)
    run = RunState(seed, args.duration, catalog)
    proxy = Proxy("127.0.0.1", cluster.port(), seed=seed)
    gateways, workers, watchdog, clients = [], [], None, []
    try:
        proxy_url = f"postgresql://postgres@127.0.0.1:{proxy.start()}/{db}"
        gateways = [Gateway(i, args.bin, proxy_url, logdir) for i in range(2)]
        workers = [Worker(i, args.bin, url, logdir) for i in range(2)]
        for g in gateways:
            run.set_port(g.index, g.start())
        for w in workers:
            w.start()
        setup_partners(run, gateways)
        clients = [Client(run, i, PARTNERS[i % 2]) for i in range(args.clients)]
        # Holds that expire during the run: each client places four, then their expiry is
        # brought forward (the API allows 1 minute at least). Two it races (an activation
        # or cancel sent around the expiry), two it leaves to the workers, one of which is
        # killed on the way: those must end expired.
        run.started = time.monotonic()
        run.stop_at = run.started + args.duration
        for c in clients:
            for i in range(4):
                rid = c.op_hold()
                if rid is None:
                    continue
                at = time.time() + run.rng.uniform(3, max(4, args.duration - 2))
                psql(url, f"UPDATE reservations SET expires_at = to_timestamp({at:.3f}) WHERE reservation_id = '{rid}'")
                hold = c.holds.pop(rid)
                hold["expires_at"] = at
                if i < 2:
                    c.races.append((at + run.rng.uniform(-1.0, 1.5), rid, hold))
                else:
                    run.left_to_expire.append((rid, at))
            c.races.sort()
        psql(url, "NOTIFY ota_hold_created")
        watchdog = Watchdog(run, gateways + workers, run.set_port)
        watchdog.start()
        injector = Injector(run, args.duration, cluster, proxy, gateways, workers, watchdog)
        injector.allow_not_durable = args.not_durable
        injector.admin = lambda *argv: run_admin(args.bin, url, *argv)
        injector.query = lambda sql: psql(url, sql, timeout=10)
        injector.start()
        for c in clients:
            c.start()
        injector.join(args.duration + 120)
        for c in clients:
            c.join(args.duration + run.retry_budget + 30)
            if c.is_alive():
                run.violation("client_stuck", f"{c.name} did not finish")
        watchdog.stopped.set()
        watchdog.join(5)
        # The workers get a while to catch up on holds that fell due while they or the
        # database were down (their reconnect backoff goes up to 10 s, their poll is 5 s).
        stopped = time.time()
        deadline = time.monotonic() + 25
        while chaos_checks.released(url, run.left_to_expire, stopped) and time.monotonic() < deadline:
            time.sleep(0.5)
        # A clean stop of everything before the checks: every acknowledged change is
        # committed by now, and nothing changes under the checks.
        for p in gateways + workers:
            if not p.terminate():
                run.violation("unclean_stop", f"{p.name} did not exit cleanly on SIGTERM:\n{p.tail()}")
        for kind, text in server_errors(logdir, run.seen_500):
            run.violation(kind, text)
        for kind, text in chaos_checks.run_all(url, args.bin, run.journal, run.scans_sent):
            run.violation(kind, text)
        for kind, text in chaos_checks.released(url, run.left_to_expire, stopped):
            run.violation(kind, text)
        run.database = chaos_checks.summary(url)
        if args.self_test and not run.violations:
            for kind, text in chaos_checks.self_test(url, args.bin, run.journal, run.scans_sent,
                                                     os.path.join(logdir, "selftest.txt")):
                run.violation(kind, text)
            print(f"  seed {seed}: self-test of the checks done (database tampered; dropped)", flush=True)
    except Exception as e:
        run.violation("setup", f"{type(e).__name__}: {e}")
    finally:
        if watchdog is not None:
            watchdog.stopped.set()
        for p in gateways + workers:
            if p.alive():
                p.terminate(5)
        proxy.stop()
        write_logs(logdir, run)
        if run.violations:
            # The evidence outlives the cluster: a dump of the seed's database beside its logs.
            dump = os.path.join(logdir, f"{db}.dump")
            r = subprocess.run(["pg_dump", "-Fc", "-f", dump, url], capture_output=True, text=True)
            print(f"  seed {seed}: logs in {logdir}" + (f", database dumped to {dump} (pg_restore)" if r.returncode == 0
                                                        else f"; pg_dump failed: {r.stderr.strip()}"), flush=True)
        else:
            psql(cluster.server, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            if not args.keep_logs:
                shutil.rmtree(logdir, ignore_errors=True)
    return {"seed": seed, "requests": run.counters.get("requests", 0), "acked": len(run.journal),
            "faults": sum(1 for f in run.faults if "restarted" not in f and "back after" not in f),
            "violations": len(run.violations), "no_answer": run.counters.get("no_answer", 0),
            "5xx": sum(v for k, v in run.counters.items() if k.startswith("http_5")),
            "unknown": len(run.unknowns), "replays": run.counters.get("replays", 0)}


def server_errors(logdir, seen):
    """500s in the gateways' request logs that no client saw (their answer was lost)."""
    out = []
    for name in sorted(os.listdir(logdir)):
        if not (name.startswith("gw") and name.endswith(".log")):
            continue
        with open(os.path.join(logdir, name), "rb") as f:
            for line in f:
                if b'"event":"http.request"' not in line or b'"status":500' not in line:
                    continue
                try:
                    rid = json.loads(line).get("request_id")
                except ValueError:
                    rid = None
                if rid not in seen:
                    out.append(("http_500", f"{name}: {line.decode(errors='replace').strip()[:400]}"))
    return out


def write_logs(logdir, run):
    with open(os.path.join(logdir, "journal.jsonl"), "w") as f:
        for e in run.journal:
            f.write(json.dumps(e) + "\n")
    with open(os.path.join(logdir, "summary.txt"), "w") as f:
        f.write("faults:\n" + "".join(f"  {x}\n" for x in run.faults))
        f.write("counters:\n" + "".join(f"  {k}: {v}\n" for k, v in sorted(run.counters.items())))
        f.write("database:\n" + "".join(f"  {r['what']}: {r['n']}\n" for r in run.database))
        f.write(f"unknown outcome (gave up): {run.unknowns}\n")
        f.write("violations:\n" + "".join(f"  [{k}] {t}\n" for k, t in run.violations))


def table(rows):
    cols = ["seed", "requests", "acked", "faults", "violations", "no_answer", "5xx", "unknown", "replays"]
    head = {"acked": "acknowledged", "no_answer": "no answer", "unknown": "gave up"}
    names = [head.get(c, c) for c in cols]
    widths = [max(len(n), *(len(str(r[c])) for r in rows)) for n, c in zip(names, cols)]
    line = lambda vals: "  ".join(str(v).rjust(w) for v, w in zip(vals, widths))  # noqa: E731
    print(line(names))
    for r in rows:
        print(line([r[c] for c in cols]))
    total = {c: sum(r[c] for r in rows) for c in cols[1:]}
    print(line(["all"] + [total[c] for c in cols[1:]]))


def main():
    # A SIGTERM (a timeout, the caller's cleanup) unwinds like Ctrl-C, through the seed's
    # finally: its gateways and workers run in sessions of their own and would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--duration", type=float, default=50)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--logs", default=".local/chaos-logs")
    ap.add_argument("--keep-logs", action="store_true")
    ap.add_argument("--not-durable", action="store_true",
                    help="run on a non-durable server (to see the checks catch lost commits)")
    ap.add_argument("--self-test", action="store_true",
                    help="after a clean seed, tamper with its journal and database: the checks must notice")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    with open("config/catalog.json") as f:
        catalog = json.load(f)
    cluster = Cluster(args.server)
    bad = cluster.not_durable()
    if bad and not args.not_durable:
        print(f"chaos: PostgreSQL is not durable ({', '.join(bad)}); refusing to run", file=sys.stderr)
        return 2
    rows = []
    for seed in seeds:
        t = time.monotonic()
        print(f"== seed {seed} ({args.duration:.0f}s, {args.clients} clients)", flush=True)
        rows.append(seed_run(args, cluster, catalog, seed))
        r = rows[-1]
        print(f"   seed {seed}: {r['requests']} requests, {r['acked']} acknowledged, {r['faults']} faults, "
              f"{r['violations']} violations ({time.monotonic() - t:.0f}s)", flush=True)
    print()
    table(rows)
    return 1 if any(r["violations"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

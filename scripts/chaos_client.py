"""Seeded randomized partner clients for the fault-injection run (scripts/chaos.py).

Each client belongs to one development partner and works only on what it created itself,
so it knows the exact state of every resource it acknowledged. A request that failed
without an answer (timeout, refused or reset connection) or with a 502/503/504 is sent
again with the same Idempotency-Key (scans: the same scan_id) until it gets an answer or
its retry budget runs out; then its outcome is unknown and the client forgets the
resource. Every acknowledged change (a 2xx with its id) goes to the run's journal, which
chaos_checks.py compares with the database afterwards. Standard library only.
"""

import http.client
import json
import random
import socket
import threading
import time

NO_ANSWER = (OSError, http.client.HTTPException, socket.timeout)
RETRY_STATUSES = (502, 503, 504)


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def code(self):
        j = self.json()
        return j.get("code") if isinstance(j, dict) else None

    @property
    def replayed(self):
        return self.headers.get("idempotent-replayed") == "true"


def exchange(port, method, path, body, headers, timeout):
    """One HTTP exchange on a fresh connection; raises one of NO_ANSWER without an answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


class Client(threading.Thread):
    """One partner client. `run` is the shared RunState of scripts/chaos.py."""

    WEIGHTS = [("hold", 30), ("cancel", 8), ("activate", 17), ("bulk", 6), ("ticket_activate", 10),
               ("ticket_cancel", 3), ("scan", 18), ("read", 8)]

    def __init__(self, run, index, partner):
        super().__init__(name=f"client-{index}", daemon=True)
        self.run_state = run
        self.index = index
        self.partner = partner  # {"code", "key", "venue", "token"}
        self.rng = random.Random(f"{run.seed}:{index}")
        self.n = 0
        self.holds = {}  # reservation_id -> {"product_id", "quantity", "expires_at" (epoch or None)}
        self.pregenerated = []  # ticket codes of own batches, PRE_GENERATED
        self.tickets = {}  # ACTIVE ticket code -> function codes not yet scanned
        # Holds whose expiry falls inside the run (set by the driver): (time, rid, hold), an
        # activation or cancel sent around that time, racing the expiry workers.
        self.races = []
        self.timeout = run.rng_for(f"timeout:{index}").uniform(2.5, 5.0)

    # ---- plumbing ----

    def next_id(self, kind):
        self.n += 1
        return f"{kind}-{self.run_state.seed}-{self.index}-{self.n}"

    def request(self, method, path, body=None, key=None, bearer=None, budget=None, tag=None):
        """Sends until answered (retrying on no answer and 502/503/504, and on 409
        idempotency_key_in_use). Returns (Answer or None, attempts). `tag` names the
        request in the gateways' logs (X-Request-ID) when it has no key."""
        run = self.run_state
        raw = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        else:
            headers["X-API-Key"] = self.partner["key"]
        if key:
            headers["Idempotency-Key"] = key
        deadline = time.monotonic() + (budget or run.retry_budget)
        attempt = 0
        pause = 0.1
        while True:
            attempt += 1
            port = run.pick_gateway(self.rng)
            if port is not None:
                headers["X-Request-ID"] = f"{tag or key or f'r-{run.seed}-{self.index}-{self.n}'}.a{attempt}"
                run.count("requests")
                try:
                    a = exchange(port, method, path, raw, headers, self.timeout)
                except NO_ANSWER:
                    run.count("no_answer")
                    a = None
                if a is not None:
                    if a.status == 500:
                        run.saw_500(headers["X-Request-ID"])
                        run.violation("http_500", f"{method} {path} answered 500 (request id {headers['X-Request-ID']}, "
                                                  f"gateway port {port}): {a.body[:300]!r}")
                    if a.status in RETRY_STATUSES:
                        run.count(f"http_{a.status}")
                    elif a.status == 409 and a.code == "idempotency_key_in_use":
                        run.count("key_in_use")
                    elif a.status != 500:
                        if attempt > 1:
                            run.count("answered_after_retry")
                        return a, attempt
            if time.monotonic() + pause > deadline:
                run.count("gave_up")
                return None, attempt
            time.sleep(pause + self.rng.uniform(0, pause))
            pause = min(pause * 1.6, 1.5)

    def ack(self, entry):
        entry["partner"] = self.partner["code"]
        entry["client"] = self.index
        self.run_state.acknowledge(entry)

    def unexpected(self, what, a):
        self.run_state.violation("unexpected_answer", f"client {self.index} ({self.partner['code']}): {what}: "
                                                      f"{a.status} {a.body[:300]!r}")

    def maybe_replay(self, method, path, body, key, first):
        """Sometimes sends an acknowledged request again: it must replay the first answer
        byte for byte."""
        if self.rng.random() >= 0.1:
            return
        a, _ = self.request(method, path, body, key=key, tag=f"{key}.again")
        if a is None:
            return
        self.run_state.count("replays")
        if a.status != first.status or a.body != first.body or not a.replayed:
            self.run_state.violation("replay_differs", f"{method} {path} key {key}: first {first.status} {first.body[:200]!r}, "
                                                       f"replay {a.status} replayed={a.replayed} {a.body[:200]!r}")

    # ---- the loop ----

    def run(self):
        try:
            while time.monotonic() < self.run_state.stop_at:
                if self.races and self.races[0][0] <= time.time():
                    _, rid, hold = self.races.pop(0)
                    self.race(rid, hold)
                    continue
                op = self.rng.choices([w[0] for w in self.WEIGHTS], [w[1] for w in self.WEIGHTS])[0]
                getattr(self, "op_" + op)()
        except Exception as e:  # a bug of the client itself: report it, never hide it
            self.run_state.violation("client_crashed", f"client {self.index}: {type(e).__name__}: {e}")

    def op_hold(self, expires_at=None):
        product = self.rng.choice(self.run_state.products)
        qty = self.rng.randint(1, 3)
        key = self.next_id("hold")
        body = {"product_id": product, "quantity": qty}
        a, _ = self.request("POST", "/api/ota/reserve", body, key=key)
        if a is None:
            self.ack_unknown("hold", key)
            return None
        if a.status == 201:
            j = a.json()
            rid = j["reservation_id"]
            self.holds[rid] = {"product_id": product, "quantity": qty, "expires_at": expires_at}
            self.ack({"op": "hold", "key": key, "reservation_id": rid, "product_id": product, "quantity": qty})
            self.maybe_replay("POST", "/api/ota/reserve", body, key, a)
            return rid
        if a.status == 409 and a.code in ("insufficient_inventory", "allotment_exhausted"):
            self.run_state.count("sold_out")
            return None
        self.unexpected(f"hold {body}", a)
        return None

    def ack_unknown(self, op, key):
        self.run_state.unknown(op, key)

    def pick_hold(self):
        if not self.holds:
            return None
        rid = self.rng.choice(sorted(self.holds))
        return rid, self.holds.pop(rid)

    def hold_ended(self, rid, hold, a, what):
        """A 409 on a hold this client believes active: fine only when it has expired."""
        status = (a.json() or {}).get("reservation_status")
        if status == "expired" and hold["expires_at"] is not None and time.time() >= hold["expires_at"] - 1.0:
            self.run_state.count("expired_hold")
            return
        self.unexpected(f"{what} of acknowledged active hold {rid} (expires {hold['expires_at']})", a)

    def race(self, rid, hold):
        """An activation or cancel of a hold just before or after its expiry: either it
        wins (2xx) or the hold has expired (409). An activation sent well after the expiry
        must never win (SPEC: a hold can never be activated once its expiry has passed); a
        cancel may (it returns the units either way)."""
        sent = time.time()
        activate = self.rng.random() < 0.5
        ok = self.op_activate((rid, hold)) if activate else self.op_cancel((rid, hold))
        self.run_state.count("races")
        if ok and sent > hold["expires_at"] + 0.5:
            if activate:
                self.run_state.violation("after_expiry", f"hold {rid} expired at {hold['expires_at']:.3f} but its "
                                                         f"activation sent at {sent:.3f} was acknowledged")
            else:
                self.run_state.count("cancelled_after_expiry")

    def op_cancel(self, picked=None):
        picked = picked or self.pick_hold()
        if picked is None:
            return self.op_hold()
        rid, hold = picked
        key = self.next_id("cancel")
        path = f"/api/ota/reservations/{rid}/cancel"
        a, _ = self.request("POST", path, None, key=key)
        if a is None:
            return self.ack_unknown("cancel", key)
        if a.status == 200:
            self.ack({"op": "cancel", "key": key, "reservation_id": rid})
            self.maybe_replay("POST", path, None, key, a)
            return True
        if a.status == 409:
            return self.hold_ended(rid, hold, a, "cancel")
        self.unexpected(f"cancel of acknowledged hold {rid}", a)

    def op_activate(self, picked=None):
        picked = picked or self.pick_hold()
        if picked is None:
            return self.op_hold()
        rid, hold = picked
        key = self.next_id("act")
        path = f"/api/ota/reservations/{rid}/activate"
        body = {"customer": {"name": f"Chaos client {self.index}", "email": f"c{self.index}@example.com"},
                "units": [{"customer_type": "adult"} for _ in range(hold["quantity"])]}
        a, _ = self.request("POST", path, body, key=key)
        if a is None:
            return self.ack_unknown("activate", key)
        if a.status == 201:
            j = a.json()
            codes = [t["ticket_code"] for t in j.get("tickets", [])]
            self.ack({"op": "activate", "key": key, "reservation_id": rid, "order_id": j["order_id"],
                      "quantity": hold["quantity"], "ticket_codes": codes})
            functions = self.run_state.functions[hold["product_id"]]
            for c in codes:
                self.tickets[c] = list(functions)
            self.maybe_replay("POST", path, body, key, a)
            return True
        if a.status == 409:
            return self.hold_ended(rid, hold, a, "activation")
        self.unexpected(f"activation of acknowledged hold {rid}", a)

    def op_bulk(self):
        product = self.rng.choice(self.run_state.products)
        qty = self.rng.randint(1, 4)
        key = self.next_id("bulk")
        body = {"product_id": product, "quantity": qty,
                "distribution_mode": self.rng.choice(["direct_sale", "reseller_batch"])}
        if self.rng.random() < 0.5:
            body["batch_id"] = key
        if body["distribution_mode"] == "reseller_batch":
            body["reseller_metadata"] = {"reseller_id": f"r{self.index}", "reseller_name": "Chaos resale",
                                         "commission_rate": 0.1}
        a, _ = self.request("POST", "/api/ota/tickets/bulk-generate", body, key=key)
        if a is None:
            return self.ack_unknown("bulk", key)
        if a.status == 201:
            j = a.json()
            codes = j.get("ticket_codes", [])
            self.ack({"op": "bulk", "key": key, "batch_id": j["batch_id"], "product_id": product, "quantity": qty,
                      "ticket_codes": codes})
            self.pregenerated.extend((c, product) for c in codes)
            return self.maybe_replay("POST", "/api/ota/tickets/bulk-generate", body, key, a)
        if a.status == 409 and a.code in ("insufficient_inventory", "allotment_exhausted"):
            return self.run_state.count("sold_out")
        self.unexpected(f"bulk-generate {body}", a)

    def pop_pregenerated(self):
        if not self.pregenerated:
            return None
        return self.pregenerated.pop(self.rng.randrange(len(self.pregenerated)))

    def op_ticket_activate(self):
        picked = self.pop_pregenerated()
        if picked is None:
            return self.op_bulk()
        code, product = picked
        key = self.next_id("tact")
        path = f"/api/ota/tickets/{code}/activate"
        body = {"customer": {"name": f"Chaos guest {self.n}"}, "customer_type": "adult"}
        a, _ = self.request("POST", path, body, key=key)
        if a is None:
            return self.ack_unknown("ticket_activate", key)
        if a.status == 200:
            self.ack({"op": "ticket_activate", "key": key, "ticket_code": code})
            self.tickets[code] = list(self.run_state.functions[product])
            return self.maybe_replay("POST", path, body, key, a)
        self.unexpected(f"activation of acknowledged pre-generated ticket {code}", a)

    def op_ticket_cancel(self):
        picked = self.pop_pregenerated()
        if picked is None:
            return self.op_bulk()
        code, _ = picked
        key = self.next_id("tcan")
        path = f"/api/ota/tickets/{code}/cancel"
        a, _ = self.request("POST", path, None, key=key)
        if a is None:
            return self.ack_unknown("ticket_cancel", key)
        if a.status == 200:
            self.ack({"op": "ticket_cancel", "key": key, "ticket_code": code})
            return self.maybe_replay("POST", path, None, key, a)
        self.unexpected(f"cancel of acknowledged pre-generated ticket {code}", a)

    def op_scan(self):
        if not self.tickets:
            return self.op_activate()
        code = self.rng.choice(sorted(self.tickets))
        functions = self.tickets[code]
        function = functions.pop(self.rng.randrange(len(functions)))
        if not functions:
            del self.tickets[code]
        scan_id = self.next_id("scan")
        body = {"venue_id": self.partner["venue"], "function_code": function, "scan_id": scan_id}
        if self.rng.random() < 0.3:
            a, _ = self.request("POST", f"/api/ota/tickets/{code}/qr", {"expiry_minutes": 30})
            if a is None or a.status != 200:
                if a is not None:
                    self.unexpected(f"QR of acknowledged active ticket {code}", a)
                return
            body["qr_token"] = a.json()["qr_token"]
        else:
            body["ticket_code"] = code
        self.run_state.sent_scan(self.partner["code"], scan_id)
        a, _ = self.request("POST", "/venue/scan", body, bearer=self.partner["token"], tag=scan_id)
        if a is None:
            return self.ack_unknown("scan", scan_id)
        if a.status == 200:
            r = a.json()["redemption"]
            self.ack({"op": "scan", "scan_id": scan_id, "ticket_code": code, "function_code": function,
                      "venue_id": self.partner["venue"], "redemption_id": int(r["redemption_id"])})
            if self.rng.random() < 0.1:
                b, _ = self.request("POST", "/venue/scan", body, bearer=self.partner["token"], tag=scan_id + ".again")
                if b is not None:
                    self.run_state.count("replays")
                    rb = (b.json() or {}).get("redemption") or {}
                    if b.status != 200 or not b.replayed or int(rb.get("redemption_id", -1)) != int(r["redemption_id"]):
                        self.run_state.violation("replay_differs", f"scan {scan_id}: first redemption {r['redemption_id']}, "
                                                                   f"again {b.status} replayed={b.replayed} {b.body[:200]!r}")
            return
        self.unexpected(f"scan {function} of acknowledged active ticket {code}", a)

    def op_read(self):
        if self.holds and self.rng.random() < 0.7:
            rid = self.rng.choice(sorted(self.holds))
            a, _ = self.request("GET", f"/api/ota/reservations/{rid}")
            if a is None:
                return
            hold = self.holds.get(rid)
            status = (a.json() or {}).get("status")
            if a.status == 200 and (status == "active" or (status == "expired" and hold and hold["expires_at"] is not None
                                                           and time.time() >= hold["expires_at"] - 1.0)):
                return
            self.unexpected(f"read of acknowledged active hold {rid}", a)
            return
        a, _ = self.request("GET", "/api/ota/inventory")
        if a is not None and a.status != 200:
            self.unexpected("inventory", a)

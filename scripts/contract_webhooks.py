#!/usr/bin/env python3
"""Webhooks from the outside, for scripts/contract.sh (run by `make test`).

  contract_webhooks.py BASE DATABASE_URL KEY

BASE is a gateway that allow-lists 127.0.0.1, with an ota-expiry-worker on the same
database (DATABASE_URL, used with psql to let one hold expire at once). The check runs a
receiver on 127.0.0.1, registers an endpoint for every event type, makes each event happen
through the API, and verifies every request that arrives with the `standardwebhooks`
package (the Standard Webhooks reference library, an implementation independent of ours):
every event once, each signature valid, the body's id the webhook-id.

Prints one line; exits non-zero with the reason on any failure.
"""
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook

TYPES = ["reservation.created", "reservation.expired", "reservation.cancelled", "reservation.activated", "ticket.activated",
         "ticket.redeemed", "ticket.used", "ticket.cancelled", "batch.generated"]
received = []
lock = threading.Lock()


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            received.append((dict(self.headers.items()), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def fail(message):
    print(f"FAIL: webhooks: {message}", file=sys.stderr)
    sys.exit(1)


def call(base, method, path, body=None, key=None, headers=None, expect=None):
    h = {"Content-Type": "application/json", **(headers or {})}
    if key:
        h["X-API-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, method=method, data=data, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    if expect is not None and status != expect:
        fail(f"{method} {path} answered {status}: {text[:300]!r}")
    return json.loads(text) if text else {}


def main(base, database_url, key):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hooks"
    endpoint = call(base, "POST", "/api/ota/webhooks", {"url": url, "events": TYPES}, key, expect=201)
    secret = endpoint["secret"]

    holds = [call(base, "POST", "/api/ota/reserve", {"product_id": 106, "quantity": 1}, key, expect=201)["reservation_id"]
             for _ in range(3)]
    call(base, "POST", f"/api/ota/reservations/{holds[0]}/cancel", None, key, expect=200)
    call(base, "POST", f"/api/ota/reservations/{holds[1]}/activate",
         {"customer": {"name": "Contract"}, "units": [{"customer_type": "adult"}]}, key, expect=201)
    subprocess.run(["psql", database_url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c",
                    "UPDATE reservations SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'"
                    f" WHERE reservation_id = '{holds[2]}'"], check=True, stdout=subprocess.DEVNULL)
    batch = call(base, "POST", "/api/ota/tickets/bulk-generate",
                 {"product_id": 107, "quantity": 2, "distribution_mode": "reseller_batch", "batch_id": "contract-wh"}, key, expect=201)
    codes = batch["ticket_codes"]
    call(base, "POST", f"/api/ota/tickets/{codes[0]}/activate", {"customer": {"name": "Contract"}, "customer_type": "adult"},
         key, expect=200)
    call(base, "POST", f"/api/ota/tickets/{codes[1]}/cancel", None, key, expect=200)
    call(base, "POST", "/api/ota/operators", {"username": "contract.webhooks", "password": "correct horse battery",
                                             "display_name": "Contract"}, key, expect=201)
    partner = {"ota_test_key_12345": "ota-test-partner", "ota251103_key_67890": "ota251103"}[key]
    token = call(base, "POST", "/operators/login", {"partner": partner, "username": "contract.webhooks",
                                                   "password": "correct horse battery"},
                 expect=200)["token"]
    for function in ["boarding", "pet_care"]:
        call(base, "POST", "/venue/scan", {"ticket_code": codes[0], "venue_id": "TEST-PIER-1", "function_code": function},
             headers={"Authorization": f"Bearer {token}"}, expect=200)
    call(base, "POST", f"/api/ota/webhooks/{endpoint['endpoint_id']}/test", None, key, expect=202)

    expected = {t: 1 for t in TYPES} | {"reservation.created": 3, "ticket.redeemed": 2, "webhook.test": 1}
    total = sum(expected.values())
    deadline = time.time() + 60
    while time.time() < deadline and len(received) < total:
        time.sleep(0.1)
    time.sleep(0.5)
    with lock:
        got = list(received)
    if len(got) != total:
        fail(f"{len(got)} requests arrived, expected {total}")
    wh = Webhook(secret)
    seen, ids = {}, set()
    for headers, body in got:
        try:
            payload = wh.verify(body, headers)
        except Exception as e:
            fail(f"standardwebhooks refused a delivery ({e}): headers {sorted(headers)}")
        lower = {k.lower(): v for k, v in headers.items()}
        if payload["id"] != lower["webhook-id"]:
            fail(f"body id {payload['id']} is not webhook-id {lower['webhook-id']}")
        ids.add(payload["id"])
        seen[payload["type"]] = seen.get(payload["type"], 0) + 1
    if seen != expected or len(ids) != total:
        fail(f"arrived {seen} ({len(ids)} ids), expected {expected}")
    server.shutdown()
    print(f"webhooks: {total} deliveries of {len(expected)} event types, every signature verified by standardwebhooks")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(*sys.argv[1:])

"""The checks after a fault-injection seed (scripts/chaos.py), straight against the
database with psql, once every gateway and worker has stopped:

- every acknowledged change is there: holds, cancels, activations (order and tickets),
  batches (tickets), ticket activations and cancels, scans (their redemption);
- nothing was applied twice: one reservation, order and batch per Idempotency-Key (every
  client request carries one, and the record commits with the change), one redemption
  per scan_id, uses left = uses - redemptions per entitlement, one billing line per
  redeemed ticket, no stored 5xx answer;
- reserved = the units of active holds and sold = the issued (not cancelled) tickets per
  product and channel, and per slot of a striped pool; `ota-admin verify` exits 0.

Each function returns a list of (kind, text) violations.
"""

import collections
import json
import os
import subprocess

from chaos_stack import psql, psql_json


def load(url):
    q = {
        "reservations": """SELECT r.reservation_id, p.code AS partner, r.product_id, r.quantity, r.status
                             FROM reservations r JOIN partners p USING (partner_id)""",
        "orders": """SELECT o.order_id, o.reservation_id, o.quantity, p.code AS partner
                       FROM orders o JOIN partners p USING (partner_id)""",
        "tickets": """SELECT t.ticket_code, t.order_id, b.batch_id, t.status, p.code AS partner
                        FROM tickets t JOIN partners p ON p.partner_id = t.partner_id
                        LEFT JOIN ticket_batches b ON b.batch_key = t.batch_key""",
        "batches": """SELECT b.batch_id, b.quantity, p.code AS partner
                        FROM ticket_batches b JOIN partners p USING (partner_id)""",
        "redemptions": """SELECT r.redemption_id, r.scan_id, r.ticket_code, r.function_code, r.venue_id, p.code AS partner
                            FROM redemptions r JOIN partners p USING (partner_id)""",
        "entitlements": """SELECT e.ticket_code, e.function_code, e.uses_total, e.uses_left,
                                  (SELECT count(*) FROM redemptions r
                                    WHERE r.ticket_code = e.ticket_code AND r.function_code = e.function_code) AS redeemed
                             FROM ticket_entitlements e""",
        "billing": "SELECT ticket_code FROM billing_lines",
        "records": """SELECT p.code AS partner, i.idempotency_key AS key, i.status_code,
                             convert_from(i.body, 'UTF8') AS body
                        FROM idempotency_records i JOIN partners p USING (partner_id)""",
        "pools": """SELECT c.product_id, c.channel, c.reserved, c.sold,
                           (SELECT coalesce(sum(quantity), 0) FROM reservations r
                             WHERE r.product_id = c.product_id AND r.channel = c.channel AND r.status = 'active') AS holds,
                           (SELECT count(*) FROM tickets t
                             WHERE t.product_id = c.product_id AND t.channel = c.channel AND t.status <> 'CANCELLED') AS issued
                      FROM channel_inventory c""",
        # The same per slot of a striped pool (issue 10): each slot's counters are its own holds and tickets.
        "slots": """SELECT s.product_id, s.channel, s.slot, s.reserved, s.sold,
                           (SELECT coalesce(sum(quantity), 0) FROM reservations r
                             WHERE r.product_id = s.product_id AND r.channel = s.channel AND r.slot = s.slot
                               AND r.status = 'active') AS holds,
                           (SELECT count(*) FROM tickets t
                             WHERE t.product_id = s.product_id AND t.channel = s.channel AND t.slot = s.slot
                               AND t.status <> 'CANCELLED') AS issued
                      FROM inventory_slots s""",
    }
    return {name: psql_json(url, sql) for name, sql in q.items()}


def acknowledged(db, journal):
    """Every acknowledged change is in the database."""
    out = []
    res = {r["reservation_id"]: r for r in db["reservations"]}
    orders = {o["order_id"]: o for o in db["orders"]}
    tickets = {t["ticket_code"]: t for t in db["tickets"]}
    batches = {(b["partner"], b["batch_id"]): b for b in db["batches"]}
    scans = {(r["partner"], r["scan_id"]): r for r in db["redemptions"]}
    by_order = collections.defaultdict(set)
    by_batch = collections.defaultdict(set)
    for t in db["tickets"]:
        if t["order_id"]:
            by_order[t["order_id"]].add(t["ticket_code"])
        if t["batch_id"]:
            by_batch[(t["partner"], t["batch_id"])].add(t["ticket_code"])

    def lost(e, what):
        out.append(("lost_write", f"acknowledged {e['op']} ({e.get('key') or e.get('scan_id')}, {e['partner']}): {what}"))

    for e in journal:
        op = e["op"]
        if op == "hold":
            r = res.get(e["reservation_id"])
            if r is None:
                lost(e, f"reservation {e['reservation_id']} does not exist")
            elif (r["partner"], r["product_id"], r["quantity"]) != (e["partner"], e["product_id"], e["quantity"]):
                lost(e, f"reservation {e['reservation_id']} is {r}, acknowledged {e}")
        elif op == "cancel":
            r = res.get(e["reservation_id"])
            if r is None or r["status"] != "cancelled":
                lost(e, f"reservation {e['reservation_id']} is {r and r['status']}, not cancelled")
        elif op == "activate":
            r, o = res.get(e["reservation_id"]), orders.get(e["order_id"])
            if r is None or r["status"] != "activated":
                lost(e, f"reservation {e['reservation_id']} is {r and r['status']}, not activated")
            if o is None or o["reservation_id"] != e["reservation_id"]:
                lost(e, f"order {e['order_id']} is {o}")
            have = by_order.get(e["order_id"], set())
            if have != set(e["ticket_codes"]) or len(have) != e["quantity"]:
                lost(e, f"order {e['order_id']} has tickets {sorted(have)}, acknowledged {sorted(e['ticket_codes'])}")
        elif op == "bulk":
            b = batches.get((e["partner"], e["batch_id"]))
            have = by_batch.get((e["partner"], e["batch_id"]), set())
            if b is None or b["quantity"] != e["quantity"]:
                lost(e, f"batch {e['batch_id']} is {b}")
            if have != set(e["ticket_codes"]) or len(have) != e["quantity"]:
                lost(e, f"batch {e['batch_id']} has tickets {sorted(have)}, acknowledged {sorted(e['ticket_codes'])}")
        elif op == "ticket_activate":
            t = tickets.get(e["ticket_code"])
            if t is None or t["status"] not in ("ACTIVE", "USED"):
                lost(e, f"ticket {e['ticket_code']} is {t and t['status']}, not ACTIVE or USED")
        elif op == "ticket_cancel":
            t = tickets.get(e["ticket_code"])
            if t is None or t["status"] != "CANCELLED":
                lost(e, f"ticket {e['ticket_code']} is {t and t['status']}, not CANCELLED")
        elif op == "scan":
            r = scans.get((e["partner"], e["scan_id"]))
            want = (e["redemption_id"], e["ticket_code"], e["function_code"], e["venue_id"])
            if r is None:
                lost(e, f"no redemption with scan_id {e['scan_id']}")
            elif (r["redemption_id"], r["ticket_code"], r["function_code"], r["venue_id"]) != want:
                lost(e, f"redemption {r} differs from the acknowledged {want}")
    return out


def _record_ids(db, prefix, status, field):
    """(partner, id) named in the stored 201 answers of the clients' requests of one kind."""
    ids = []
    for rec in db["records"]:
        if rec["key"].startswith(prefix) and rec["status_code"] == status:
            ids.append((rec["partner"], json.loads(rec["body"])[field]))
    return ids


def applied_once(db, sent_scans):
    """Nothing applied twice, and nothing applied that no request asked for."""
    out = []

    def compare(kind, from_records, in_db):
        dup = [k for k, n in collections.Counter(from_records).items() if n > 1]
        if dup:
            out.append(("double_apply", f"{kind}: one id in several idempotency records: {dup[:10]}"))
        extra, missing = set(in_db) - set(from_records), set(from_records) - set(in_db)
        if extra:
            out.append(("double_apply", f"{len(extra)} {kind} without an idempotency record of their own "
                                        f"(applied twice or without a key): {sorted(extra)[:10]}"))
        if missing:
            out.append(("lost_write", f"{len(missing)} {kind} named by a stored answer are missing: {sorted(missing)[:10]}"))

    compare("reservations", _record_ids(db, "hold-", 201, "reservation_id"),
            [(r["partner"], r["reservation_id"]) for r in db["reservations"]])
    compare("orders", _record_ids(db, "act-", 201, "order_id"), [(o["partner"], o["order_id"]) for o in db["orders"]])
    compare("batches", _record_ids(db, "bulk-", 201, "batch_id"), [(b["partner"], b["batch_id"]) for b in db["batches"]])

    stored_5xx = [r["key"] for r in db["records"] if r["status_code"] >= 500]
    if stored_5xx:
        out.append(("double_apply", f"idempotency records keep 5xx answers (a retry would not redo the work): {stored_5xx[:10]}"))

    keys = [(r["partner"], r["scan_id"]) for r in db["redemptions"]]
    if any(k[1] is None for k in keys):
        out.append(("double_apply", "redemptions without scan_id (every client scan sends one)"))
    dup = [k for k, n in collections.Counter(keys).items() if n > 1]
    if dup:
        out.append(("double_apply", f"several redemptions per scan_id: {dup[:10]}"))
    unknown = [k for k in keys if k not in sent_scans]
    if unknown:
        out.append(("double_apply", f"redemptions whose scan_id no client sent: {unknown[:10]}"))
    for e in db["entitlements"]:
        if e["uses_left"] != e["uses_total"] - e["redeemed"]:
            out.append(("double_apply", f"ticket {e['ticket_code']} {e['function_code']}: uses_left {e['uses_left']}, "
                                        f"uses_total {e['uses_total']}, {e['redeemed']} redemptions"))
    redeemed = {r["ticket_code"] for r in db["redemptions"]}
    billed = collections.Counter(b["ticket_code"] for b in db["billing"])
    if set(billed) != redeemed or any(n > 1 for n in billed.values()):
        out.append(("double_apply", f"billing lines {len(billed)} for {len(redeemed)} redeemed tickets: "
                                    f"unbilled {sorted(redeemed - set(billed))[:5]}, unredeemed {sorted(set(billed) - redeemed)[:5]}"))
    left = collections.defaultdict(int)
    for e in db["entitlements"]:
        left[e["ticket_code"]] += e["uses_left"]
    for t in db["tickets"]:
        if t["status"] == "USED" and left[t["ticket_code"]] != 0:
            out.append(("double_apply", f"ticket {t['ticket_code']} is USED with {left[t['ticket_code']]} uses left"))
        if t["status"] == "ACTIVE" and t["ticket_code"] in left and left[t["ticket_code"]] == 0:
            out.append(("double_apply", f"ticket {t['ticket_code']} is ACTIVE with no uses left"))
    return out


def counters(db):
    out = []
    for p in db["pools"]:
        if p["reserved"] != p["holds"]:
            out.append(("counters", f"product {p['product_id']} {p['channel']}: reserved {p['reserved']}, active holds {p['holds']}"))
        if p["sold"] != p["issued"]:
            out.append(("counters", f"product {p['product_id']} {p['channel']}: sold {p['sold']}, issued tickets {p['issued']}"))
    for s in db["slots"]:
        where = f"product {s['product_id']} {s['channel']} slot {s['slot']}"
        if s["reserved"] != s["holds"]:
            out.append(("counters", f"{where}: reserved {s['reserved']}, active holds on the slot {s['holds']}"))
        if s["sold"] != s["issued"]:
            out.append(("counters", f"{where}: sold {s['sold']}, issued tickets on the slot {s['issued']}"))
    return out


def released(url, holds, due_before):
    """Holds left to expire whose expiry lay before the end of the run must have been
    released by the workers (chaos.py gives them 25 s more)."""
    due = [rid for rid, at in holds if at < due_before]
    if not due:
        return []
    rows = psql_json(url, "SELECT reservation_id, status FROM reservations WHERE reservation_id IN (%s)"
                     % ",".join(f"'{r}'" for r in due))
    late = sorted(r["reservation_id"] for r in rows if r["status"] != "expired")
    if late:
        return [("expiry", f"{len(late)} of {len(due)} holds due before the end were not released 25 s later: {late[:10]}")]
    return []


def verify(bin_dir, url):
    r = subprocess.run([os.path.join(bin_dir, "ota-admin"), "verify"], env=dict(os.environ, OTA_DATABASE_URL=url),
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return [("verify", f"ota-admin verify exited {r.returncode}:\n{r.stdout}{r.stderr}")]
    return []


def run_all(url, bin_dir, journal, sent_scans):
    db = load(url)
    return acknowledged(db, journal) + applied_once(db, sent_scans) + counters(db) + verify(bin_dir, url)


def summary(url):
    """What the seed left in the database, for its summary file."""
    return psql_json(url, """
        SELECT 'reservations ' || status AS what, count(*) AS n FROM reservations GROUP BY status
        UNION ALL SELECT 'tickets ' || status, count(*) FROM tickets GROUP BY status
        UNION ALL SELECT 'orders', count(*) FROM orders
        UNION ALL SELECT 'batches', count(*) FROM ticket_batches
        UNION ALL SELECT 'redemptions', count(*) FROM redemptions
        UNION ALL SELECT 'idempotency records', count(*) FROM idempotency_records
        ORDER BY 1""")


# The self-test: the checks must see a lost write, a double application and drifted
# counters. Each tamper is a change the checks must report, found by a piece of its text.
TAMPERS = [
    ("a lost hold", "journal", {"op": "hold", "key": "hold-tamper", "reservation_id": "res_tamperedtamperedtampered",
                                "product_id": 106, "quantity": 1, "partner": "ota-test-partner"},
     "reservation res_tamperedtamperedtampered does not exist"),
    ("a lost cancel", "journal-cancel", None, "not cancelled"),
    ("a hold applied twice", "sql", """
        INSERT INTO reservations (reservation_id, partner_id, product_id, quantity, expires_at, pricing_snapshot)
        SELECT 'res_duplicatedduplicated', partner_id, product_id, quantity, now() + interval '1 hour', pricing_snapshot
          FROM reservations ORDER BY created_at LIMIT 1""", "without an idempotency record"),
    ("a scan applied twice", "sql", """
        WITH e AS (SELECT e.ticket_code, e.function_code, t.partner_id FROM ticket_entitlements e
                     JOIN tickets t USING (ticket_code) WHERE t.status = 'ACTIVE' AND e.uses_left > 0 LIMIT 1)
        INSERT INTO redemptions (partner_id, ticket_code, function_code, venue_id, operator_id, scan_id, uses_left)
        SELECT e.partner_id, e.ticket_code, e.function_code, v.venue_id, o.operator_id, 'scan-tampered', 0
          FROM e JOIN venues v ON v.partner_id = e.partner_id JOIN operators o ON o.partner_id = e.partner_id LIMIT 1""",
     "redemptions whose scan_id no client sent"),
    ("drifted counters", "sql", """
        ALTER TABLE inventory_slots DISABLE TRIGGER USER;
        UPDATE inventory_slots SET sold = sold + 1 WHERE product_id = 106 AND channel = 'ota' AND slot = 0;
        ALTER TABLE inventory_slots ENABLE TRIGGER USER""", "ota-admin verify exited"),
    # Sums per pool unchanged, one slot over and one under: only the per-slot check sees it.
    ("a ticket counted on another slot", "sql", """
        ALTER TABLE tickets DISABLE TRIGGER USER;
        WITH moved AS (
            SELECT t.ticket_code,
                   (SELECT min(s.slot) FROM inventory_slots s
                     WHERE s.product_id = t.product_id AND s.channel = t.channel AND s.slot <> t.slot) AS other
              FROM tickets t
             WHERE t.status <> 'CANCELLED'
               AND EXISTS (SELECT 1 FROM inventory_slots s
                            WHERE s.product_id = t.product_id AND s.channel = t.channel AND s.slot <> t.slot)
             ORDER BY t.ticket_code LIMIT 1)
        UPDATE tickets t SET slot = m.other FROM moved m WHERE t.ticket_code = m.ticket_code;
        ALTER TABLE tickets ENABLE TRIGGER USER""", "issued tickets on the slot"),
]


def self_test(url, bin_dir, journal, sent_scans, report_path):
    """Tampers with a checked seed's journal and database; returns the tampers the checks
    did not notice (as violations). What the checks said goes to report_path."""
    journal = list(journal)
    applied = []
    for name, how, what, needle in TAMPERS:
        applied.append((name, needle))
        if how == "journal":
            journal.append(what)
        elif how == "journal-cancel":
            active = psql_json(url, "SELECT reservation_id FROM reservations WHERE status = 'active' LIMIT 1")
            if not active:
                applied.pop()  # nothing to pretend cancelled
                continue
            journal.append({"op": "cancel", "key": "cancel-tamper", "reservation_id": active[0]["reservation_id"],
                            "partner": "ota-test-partner"})
        else:
            psql(url, what)
    found = "\n".join(f"[{kind}] {text}" for kind, text in run_all(url, bin_dir, journal, sent_scans))
    with open(report_path, "w") as f:
        f.write(f"tampered: {[name for name, _ in applied]}\nthe checks reported:\n{found}\n")
    return [("checks_blind", f"the checks did not notice {name} (no '{needle}' in their report)")
            for name, needle in applied if needle not in found]

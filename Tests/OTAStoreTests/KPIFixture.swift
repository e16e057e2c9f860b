import Postgres

/// Known traffic of January 2026, written with SQL (the triggers keep the pools as for real
/// traffic), whose KPIs KPITests computed by hand. The window the tests read is
/// W = [2026-01-10T00:00Z, 2026-01-12T00:00Z). Partners: A = ota-test-partner, B = the
/// OTA251103 group. Product 108 has no traffic at all.
///
/// | hold | partner | product | units | created              | ended                          |
/// |------|---------|---------|-------|----------------------|--------------------------------|
/// | r1   | A       | 106     | 5     | 01-09 23:59:59       | 01-10 00:00:00 activated (in)  |
/// | r2   | A       | 106     | 3     | 01-10 00:00:00 (in)  | 01-11 10:00 expired            |
/// | r3   | A       | 106     | 2     | 01-11 23:59:59.999999| 01-12 00:00:00 cancelled (out) |
/// | r4   | B       | 107     | 4     | 01-10 12:00          | 01-10 13:00 cancelled          |
/// | r5   | B       | 107     | 1     | 01-12 00:00:00 (out) | active                         |
/// | r6   | A       | 107     | 6     | 01-11 08:00          | 01-11 09:00 activated          |
/// | r7   | B       | 106     | 2     | 01-10 06:00          | active                         |
///
/// Tickets: r1's 5 (01-10 00:00:00, one cancelled 01-11 12:00), r6's 6 (01-11 09:00); batch
/// "a-jan" of A, 3 tickets of 107 (01-09 08:00, before W); batch "b-jan" of B, 4 tickets of
/// 106 (01-11 14:00). Redemptions and billing: B's batch ticket 1 at 01-10 15:00 (100.00,
/// commission 10.00), A's r6 ticket 1 at 01-11 10:00 (288.00), A's r6 ticket 2 at
/// 01-12 00:00:00 (50.00, outside). Partner "late-co" onboarded 01-10 05:00.
enum KPIFixture {
    static let sql = """
        INSERT INTO partners (code, name, created_at) VALUES ('late-co', 'Late Co', '2026-01-10 05:00:00+00');

        CREATE TEMP TABLE fx_partner AS
            SELECT (SELECT partner_id FROM partners WHERE code = 'ota-test-partner') AS a,
                   (SELECT partner_id FROM partners WHERE code <> 'ota-test-partner' AND code <> 'late-co' ORDER BY partner_id LIMIT 1) AS b;

        INSERT INTO reservations (reservation_id, partner_id, product_id, quantity, expires_at, created_at, pricing_snapshot)
        SELECT id, CASE WHEN who = 'a' THEN (SELECT a FROM fx_partner) ELSE (SELECT b FROM fx_partner) END, product, units,
               created::timestamptz + interval '1 day', created::timestamptz, '{}'::jsonb
          FROM (VALUES ('res_r1000000000000000000000', 'a', 106, 5, '2026-01-09 23:59:59+00'),
                       ('res_r2000000000000000000000', 'a', 106, 3, '2026-01-10 00:00:00+00'),
                       ('res_r3000000000000000000000', 'a', 106, 2, '2026-01-11 23:59:59.999999+00'),
                       ('res_r4000000000000000000000', 'b', 107, 4, '2026-01-10 12:00:00+00'),
                       ('res_r5000000000000000000000', 'b', 107, 1, '2026-01-12 00:00:00+00'),
                       ('res_r6000000000000000000000', 'a', 107, 6, '2026-01-11 08:00:00+00'),
                       ('res_r7000000000000000000000', 'b', 106, 2, '2026-01-10 06:00:00+00')) v(id, who, product, units, created);

        UPDATE reservations r SET status = v.status, ended_at = v.ended::timestamptz
          FROM (VALUES ('res_r1000000000000000000000', 'activated', '2026-01-10 00:00:00+00'),
                       ('res_r2000000000000000000000', 'expired', '2026-01-11 10:00:00+00'),
                       ('res_r3000000000000000000000', 'cancelled', '2026-01-12 00:00:00+00'),
                       ('res_r4000000000000000000000', 'cancelled', '2026-01-10 13:00:00+00'),
                       ('res_r6000000000000000000000', 'activated', '2026-01-11 09:00:00+00')) v(id, status, ended)
         WHERE r.reservation_id = v.id;

        INSERT INTO orders (order_id, partner_id, reservation_id, product_id, quantity, total_amount, currency, customer_name, created_at)
        VALUES ('ord_r1000000000000000000000', (SELECT a FROM fx_partner), 'res_r1000000000000000000000', 106, 5, 1440.00, 'CNY', 'R One', '2026-01-10 00:00:00+00'),
               ('ord_r6000000000000000000000', (SELECT a FROM fx_partner), 'res_r6000000000000000000000', 107, 6, 1728.00, 'CNY', 'R Six', '2026-01-11 09:00:00+00');

        INSERT INTO tickets (ticket_code, partner_id, product_id, order_id, status, customer_type, price, created_at)
        SELECT 'TKT-R1000000000000000' || g, (SELECT a FROM fx_partner), 106, 'ord_r1000000000000000000000', 'ACTIVE', 'adult', 288.00,
               '2026-01-10 00:00:00+00' FROM generate_series(1, 5) g;
        INSERT INTO tickets (ticket_code, partner_id, product_id, order_id, status, customer_type, price, created_at)
        SELECT 'TKT-R6000000000000000' || g, (SELECT a FROM fx_partner), 107, 'ord_r6000000000000000000000', 'ACTIVE', 'adult', 288.00,
               '2026-01-11 09:00:00+00' FROM generate_series(1, 6) g;

        INSERT INTO ticket_batches (partner_id, batch_id, product_id, quantity, distribution_mode, reference_expires_at, pricing_snapshot,
                                    special_pricing, reseller_id, commission_rate, request_hash, created_at)
        VALUES ((SELECT a FROM fx_partner), 'a-jan', 107, 3, 'reseller_batch', '2026-02-08 08:00:00+00', '{}', false, NULL, NULL,
                sha256('a-jan'), '2026-01-09 08:00:00+00'),
               ((SELECT b FROM fx_partner), 'b-jan', 106, 4, 'reseller_batch', '2026-02-10 14:00:00+00', '{}', false, 'R-9', 0.1,
                sha256('b-jan'), '2026-01-11 14:00:00+00');
        INSERT INTO tickets (ticket_code, partner_id, product_id, batch_key, status, price, created_at)
        SELECT 'TKT-BA000000000000000' || g, (SELECT a FROM fx_partner), 107,
               (SELECT batch_key FROM ticket_batches WHERE batch_id = 'a-jan'), 'PRE_GENERATED', 200.00, '2026-01-09 08:00:00+00'
          FROM generate_series(1, 3) g;
        INSERT INTO tickets (ticket_code, partner_id, product_id, batch_key, status, price, created_at)
        SELECT 'TKT-BB000000000000000' || g, (SELECT b FROM fx_partner), 106,
               (SELECT batch_key FROM ticket_batches WHERE batch_id = 'b-jan'), 'ACTIVE', 100.00, '2026-01-11 14:00:00+00'
          FROM generate_series(1, 4) g;

        UPDATE tickets SET status = 'CANCELLED' WHERE ticket_code = 'TKT-R10000000000000001';
        UPDATE tickets SET cancelled_at = '2026-01-11 12:00:00+00' WHERE ticket_code = 'TKT-R10000000000000001';

        INSERT INTO ticket_entitlements (ticket_code, function_code, label, uses_total, uses_left)
        VALUES ('TKT-BB0000000000000001', 'boarding', 'Boarding', 1, 0), ('TKT-R60000000000000001', 'boarding', 'Boarding', 1, 0),
               ('TKT-R60000000000000002', 'boarding', 'Boarding', 1, 0);
        INSERT INTO venues (venue_id, partner_id, name) VALUES ('FX-A', (SELECT a FROM fx_partner), 'A gate'), ('FX-B', (SELECT b FROM fx_partner), 'B gate');
        INSERT INTO operators (partner_id, username, password_hash, display_name)
        VALUES ((SELECT a FROM fx_partner), 'fx.a', 'scrypt$x', 'A'), ((SELECT b FROM fx_partner), 'fx.b', 'scrypt$x', 'B');
        INSERT INTO redemptions (partner_id, ticket_code, function_code, venue_id, operator_id, uses_left, redeemed_at)
        VALUES ((SELECT b FROM fx_partner), 'TKT-BB0000000000000001', 'boarding', 'FX-B', (SELECT operator_id FROM operators WHERE username = 'fx.b'), 0, '2026-01-10 15:00:00+00'),
               ((SELECT a FROM fx_partner), 'TKT-R60000000000000001', 'boarding', 'FX-A', (SELECT operator_id FROM operators WHERE username = 'fx.a'), 0, '2026-01-11 10:00:00+00'),
               ((SELECT a FROM fx_partner), 'TKT-R60000000000000002', 'boarding', 'FX-A', (SELECT operator_id FROM operators WHERE username = 'fx.a'), 0, '2026-01-12 00:00:00+00');
        INSERT INTO billing_lines (ticket_code, partner_id, product_id, batch_key, reseller_id, redemption_id, amount, commission_rate,
                                   commission, net, currency, billed_at)
        SELECT r.ticket_code, r.partner_id, t.product_id, t.batch_key, CASE WHEN t.batch_key IS NULL THEN NULL ELSE 'R-9' END, r.redemption_id,
               v.amount, v.rate, v.commission, v.amount - v.commission, 'CNY', r.redeemed_at
          FROM redemptions r JOIN tickets t ON t.ticket_code = r.ticket_code
          JOIN (VALUES ('TKT-BB0000000000000001', 100.00, 0.1, 10.00), ('TKT-R60000000000000001', 288.00, 0, 0),
                       ('TKT-R60000000000000002', 50.00, 0, 0)) v(code, amount, rate, commission) ON v.code = r.ticket_code;
        DROP TABLE fx_partner;
        """

    static func load(_ db: PostgresConnection) throws {
        try db.execute(unescaped: sql)
    }
}

-- POST /api/ota/reserve: holds of one unit of product 106 (the bench product: 10 million
-- units, striped when ota-admin can), default expiry (24 h), so the expiry worker has
-- nothing to do during the run. wrk counts non-2xx answers itself ("Non-2xx or 3xx").
wrk.method = "POST"
wrk.path = "/api/ota/reserve"
wrk.headers["X-API-Key"] = "ota_test_key_12345"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"product_id": 106, "quantity": 1}'

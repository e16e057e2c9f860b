-- GET /api/ota/inventory with the development key.
wrk.method = "GET"
wrk.path = "/api/ota/inventory"
wrk.headers["X-API-Key"] = "ota_test_key_12345"

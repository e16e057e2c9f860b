-- POST /api/ota/reserve: holds of one unit of product 106, all on the same pool row.
wrk.method = "POST"
wrk.path = "/api/ota/reserve"
wrk.headers["X-API-Key"] = "ota_test_key_12345"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"product_id": 106, "quantity": 1}'

-- Count answers by status so a run of 409s or 503s is not mistaken for throughput.
local counts = {}
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

done = function(summary, latency, requests)
  -- wrk runs response() per thread; summary.errors.status counts non-2xx/3xx.
  io.write(string.format("non2xx=%d\n", summary.errors.status))
end

-- GET /livez: the HTTP layer alone, no database.
wrk.method = "GET"
wrk.path = "/livez"

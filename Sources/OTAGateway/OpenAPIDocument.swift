import HTTP

/// The OpenAPI 3.0.3 document of the whole API, served at GET /openapi.yaml. It is kept
/// as YAML text in these OpenAPIDocument*.swift files, one part per area, so that what is
/// served and what the contract tests read is one and the same string: the ContractTests
/// check it against the route table and a committed snapshot, and `make test` runs
/// schemathesis against a live gateway with it.
public enum OpenAPIDocument {
    /// The whole document (parts in order: info and health, then the partner API, the
    /// operator app, and the components).
    public static let yaml: String = [head, reservationPaths, ticketPaths, operatorPaths, components, resourceSchemas, requestSchemas]
        .joined(separator: "\n") + "\n"

    static let body = Array(yaml.utf8)

    static func response() -> HTTPResponse {
        var h = HTTPHeaders()
        h.set("Content-Type", "application/yaml; charset=utf-8")
        return HTTPResponse(status: 200, headers: h, body: body)
    }
}

extension OpenAPIDocument {
    /// info, servers, tags, and the health and metrics paths.
    static let head = #"""
openapi: 3.0.3
info:
  title: OTA channel service
  version: 1.0.0
  description: |
    The API through which OTA partner platforms sell the cruise operator's packages
    (`/api/ota`, authenticated with `X-API-Key`), and the venue scanning app of the
    partners' operators (`/operators`, `/qr`, `/venue`, authenticated with a bearer token
    from `POST /operators/login`).

    Conventions:
    - Money is a JSON number with two decimals (`288.00`), exact, in the deployment's
      currency (`currency`, default CNY). Product ids are integers; every other id
      (reservation, order, batch, ticket code, venue) is a string. Timestamps are RFC 3339
      in UTC; dates are `YYYY-MM-DD`.
    - A JSON body is read as JSON whatever its Content-Type says. Optional members may be
      left out or sent as `null`; members not described here are ignored. No string may
      contain the NUL character (`\u0000`): 422 naming the member. Length limits count
      Unicode code points.
    - Errors are RFC 9457 problem details (`application/problem+json`) with a stable
      `code` to switch on, and fields such as `field` (the request member at fault, on
      400/422) or `available` (on 409 insufficient_inventory). Malformed JSON or a member
      of the wrong JSON type: 400. A well-formed but invalid value: 422.
    - Every answer carries `X-Request-ID` (yours when you send a valid one, else a new
      one); quote it when reporting a problem.
    - Partner rate limits (100 to 1000 requests a minute per partner, default 300, shared by
      every gateway): every authenticated answer carries `RateLimit-Policy` and
      `RateLimit`; past the limit, 429 with `Retry-After`. A refused request changes nothing.
    - Lists are newest first with cursor pagination: `limit` (default 50, at most 500) and
      the `next_cursor` of the previous page as `cursor`; `next_cursor` is null on the
      last page.
    - Every POST that creates or changes something accepts an `Idempotency-Key` (scoped to
      the partner, kept at least 48 hours): the same key with the same body replays the
      first answer byte for byte with `Idempotent-Replayed: true`, business errors
      included; with another body 422 `idempotency_key_reused`; while the first request
      still runs 409 `idempotency_key_in_use`.
    - Protocol limits of the HTTP layer, answered before any route: a request head over
      16 KiB is 431, a body over 1 MiB is 413, a request not read within 10 s is 408,
      unparseable HTTP is 400, an unsupported transfer coding 501 and HTTP versions other
      than 1.0 and 1.1 are 505; when the gateway is saturated it answers 503 with
      `Retry-After`. These carry a problem body with `code` `http_<status>`.
servers:
  - url: http://127.0.0.1:8080
    description: A local gateway (`make run`)
tags:
  - name: health
    description: Liveness, readiness, metrics and this document; no authentication.
  - name: inventory
    description: Availability and prices of the shared OTA pool, and holds on it.
  - name: reservations
    description: The partner's holds and their activation into orders.
  - name: orders
    description: The partner's orders and their tickets.
  - name: tickets
    description: Pre-generated tickets for resellers, single tickets and their QR codes.
  - name: batches
    description: Batches of pre-generated tickets.
  - name: operators
    description: The partner's venue operators (permission `operators`).
  - name: billing
    description: Redemption-based billing (permission `billing:read`).
  - name: venue-app
    description: The scanning app of logged-in operators.
paths:
  /livez:
    get:
      tags: [health]
      operationId: livez
      summary: The process is alive (does not touch the database)
      security: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          description: Alive.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [status]
                properties:
                  status:
                    type: string
                    enum: [ok]
              example: {status: ok}
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /readyz:
    get:
      tags: [health]
      operationId: readyz
      summary: Ready to serve (database reachable, schema at the expected version)
      description: 503 while the database is unreachable, the schema is behind, or the gateway drains for shutdown.
      security: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          $ref: '#/components/responses/Ready'
        '503':
          $ref: '#/components/responses/NotReady'
  /healthz:
    get:
      tags: [health]
      operationId: healthz
      summary: Alias of /readyz
      security: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          $ref: '#/components/responses/Ready'
        '503':
          $ref: '#/components/responses/NotReady'
  /metrics:
    get:
      tags: [health]
      operationId: metrics
      summary: Prometheus metrics
      description: |
        The Prometheus text format: `ota_http_requests_total` and the histogram
        `ota_http_request_duration_seconds` by route pattern, method and status,
        `ota_rate_limit_rejections_total`, `ota_idempotent_replays_total`,
        `ota_reservations_active`, `ota_pool_utilisation_ratio` and `ota_pool_units` per
        product, `ota_expiry_worker_lag_seconds` and `ota_database_up`. The business gauges
        are left out (and `ota_database_up` is 0) while the database is unreachable.
      security: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          description: The metrics.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
          content:
            text/plain:
              schema:
                type: string
              example: |
                # HELP ota_reservations_active Active holds on the OTA pools.
                # TYPE ota_reservations_active gauge
                ota_reservations_active 3
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /openapi.yaml:
    get:
      tags: [health]
      operationId: getOpenAPIDocument
      summary: This document
      security: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          description: The OpenAPI 3.0.3 document of the whole API, in YAML.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
          content:
            application/yaml:
              schema:
                type: object
                description: This document.
                required: [openapi, info, paths]
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
"""#
}

// Part of the OpenAPI document (see OpenAPIDocument.swift): reusable components.

extension OpenAPIDocument {
    /// Security schemes, parameters, headers and shared responses.
    static let components = #"""
components:
  securitySchemes:
    ApiKeyAuth:
      type: apiKey
      in: header
      name: X-API-Key
      description: |
        The partner's API key (shown once when issued; a partner may hold several for
        rotation). Missing or unknown: 401 with guidance. A disabled partner or a missing
        permission: 403.
    OperatorBearer:
      type: http
      scheme: bearer
      description: 'The token from `POST /operators/login`, as `Authorization: Bearer <token>`.'
  parameters:
    RequestId:
      name: X-Request-ID
      in: header
      required: false
      description: |
        Your id for this request (1 to 128 printable ASCII characters), echoed in the
        answer and the logs; anything else is ignored and the gateway makes one.
      schema:
        type: string
      example: checkout-7f3a9
    IdempotencyKey:
      name: Idempotency-Key
      in: header
      required: false
      description: |
        Makes a retried POST safe: the first answer for this key (scoped to the partner,
        kept at least 48 hours) is replayed byte for byte for the same body. 1 to 255
        printable ASCII characters without spaces (a UUID is ideal); else 400
        `invalid_idempotency_key`.
      schema:
        type: string
        minLength: 1
        maxLength: 255
        pattern: '^[\x21-\x7E]+$'
      example: 0b6f3c9e-6f1e-4d5c-9a55-0c2f1f0e9b11
    Limit:
      name: limit
      in: query
      description: Page size.
      schema:
        type: integer
        minimum: 1
        maximum: 500
        default: 50
    Cursor:
      name: cursor
      in: query
      description: The `next_cursor` of the previous page (opaque).
      schema:
        type: string
    ReservationId:
      name: id
      in: path
      required: true
      schema:
        type: string
      example: res_k3j9x0c2m4n8p1q5r7s9t2v4
    OrderId:
      name: id
      in: path
      required: true
      schema:
        type: string
      example: ord_a1b2c3d4e5f6g7h8i9j0k1l2
    TicketCode:
      name: code
      in: path
      required: true
      schema:
        type: string
      example: TKT-0123456789ABCDEFGHIJ
    BatchId:
      name: batch_id
      in: path
      required: true
      description: The partner's own `batch_id`, or the generated `bat_...` one.
      schema:
        type: string
      example: spring-1
    OperatorId:
      name: id
      in: path
      required: true
      schema:
        type: integer
        format: int64
        minimum: 1
      example: 1
    PeriodFrom:
      name: from
      in: query
      description: From this instant (RFC 3339) or the start of this date (`YYYY-MM-DD`, UTC).
      schema:
        type: string
      example: '2026-01-01'
    PeriodTo:
      name: to
      in: query
      description: Before this instant (RFC 3339) or the end of this date (`YYYY-MM-DD`, UTC); after `from`, at most 400 days later.
      schema:
        type: string
      example: '2026-01-31'
    PeriodFromRequired:
      name: from
      in: query
      required: true
      description: From this instant (RFC 3339) or the start of this date (`YYYY-MM-DD`, UTC).
      schema:
        type: string
      example: '2026-01-01'
    PeriodToRequired:
      name: to
      in: query
      required: true
      description: Before this instant (RFC 3339) or the end of this date (`YYYY-MM-DD`, UTC); after `from`, at most 400 days later.
      schema:
        type: string
      example: '2026-01-31'
  headers:
    RequestId:
      description: The request's id (the caller's X-Request-ID when valid, else a new one).
      required: true
      schema:
        type: string
    RequestIdUnlessProtocolError:
      description: The request's id; absent only on answers of the HTTP layer itself (unparseable HTTP, 413, 503 when saturated).
      schema:
        type: string
    RateLimitPolicy:
      description: 'The partner''s quota per window (draft-ietf-httpapi-ratelimit-headers), on every answer to an authenticated partner request while rate limits are on.'
      schema:
        type: string
      example: '"partner";q=300;w=60'
    RateLimit:
      description: Requests left now and seconds until the allowance is full again.
      schema:
        type: string
      example: '"partner";r=299;t=1'
    RetryAfter:
      description: Seconds to wait before retrying.
      required: true
      schema:
        type: integer
        minimum: 1
    Location:
      description: The path of the created resource.
      required: true
      schema:
        type: string
      example: /api/ota/reservations/res_k3j9x0c2m4n8p1q5r7s9t2v4
    IdempotentReplayed:
      description: '`true` when this is the replay of an earlier answer (same Idempotency-Key, batch_id or scan_id).'
      schema:
        type: string
        enum: ['true']
    NoStore:
      description: Not to be cached.
      schema:
        type: string
        enum: [no-store]
    WWWAuthenticate:
      description: How to authenticate.
      required: true
      schema:
        type: string
  responses:
    Ready:
      description: Ready.
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
      content:
        application/json:
          schema:
            type: object
            additionalProperties: false
            required: [status, schema_version]
            properties:
              status:
                type: string
                enum: [ready]
              schema_version:
                type: integer
          example: {status: ready, schema_version: 9}
    NotReady:
      description: Not ready; `reason` says why.
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestIdUnlessProtocolError'
        Retry-After:
          $ref: '#/components/headers/RetryAfter'
      content:
        application/json:
          schema:
            type: object
            additionalProperties: false
            required: [status, reason]
            properties:
              status:
                type: string
                enum: [not_ready]
              reason:
                type: string
          example: {status: not_ready, reason: database unreachable}
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    BadRequest:
      description: |
        Malformed: the body is not JSON or not an object (`malformed_json`), a member has
        the wrong JSON type (`malformed_request`, with `field`), the Idempotency-Key is
        malformed (`invalid_idempotency_key`), or the HTTP request itself is (`http_400`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestIdUnlessProtocolError'
        RateLimit-Policy:
          $ref: '#/components/headers/RateLimitPolicy'
        RateLimit:
          $ref: '#/components/headers/RateLimit'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
          examples:
            malformed_request:
              value:
                type: https://ota.example/problems/malformed-request
                title: Malformed request
                status: 400
                detail: quantity must be an integer, got string
                code: malformed_request
                field: quantity
    Unauthorized:
      description: No `X-API-Key` (`missing_api_key`), or not a live key (`invalid_api_key`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        WWW-Authenticate:
          $ref: '#/components/headers/WWWAuthenticate'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
          examples:
            missing_api_key:
              value:
                type: https://ota.example/problems/missing-api-key
                title: Authentication required
                status: 401
                detail: 'Send your partner API key in the X-API-Key header, e.g. curl -H ''X-API-Key: <your key>'' .../api/ota/inventory. Ask the operator for a key if you have none.'
                code: missing_api_key
    OperatorUnauthorized:
      description: No bearer token (`missing_operator_token`), or not a live session (`invalid_operator_token`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        WWW-Authenticate:
          $ref: '#/components/headers/WWWAuthenticate'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    LoginFailed:
      description: Unknown username or wrong password (`invalid_credentials`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    Forbidden:
      description: |
        The partner is disabled (`partner_disabled`) or lacks the permission
        (`permission_denied`, with `required_permission`); on the venue app, a disabled
        operator (`operator_disabled`) or a venue the operator may not scan at
        (`venue_forbidden`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        RateLimit-Policy:
          $ref: '#/components/headers/RateLimitPolicy'
        RateLimit:
          $ref: '#/components/headers/RateLimit'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
          examples:
            permission_denied:
              value:
                type: https://ota.example/problems/permission-denied
                title: Permission denied
                status: 403
                detail: This key's partner lacks the permission 'reservations:write' for this operation.
                code: permission_denied
                required_permission: reservations:write
    NotFound:
      description: No such resource of this partner (another partner's resource is also 404), `not_found`.
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        RateLimit-Policy:
          $ref: '#/components/headers/RateLimitPolicy'
        RateLimit:
          $ref: '#/components/headers/RateLimit'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    Conflict:
      description: |
        The state does not allow it: `insufficient_inventory` (with `available`,
        `requested`, `product_id`), `reservation_expired`, `reservation_cancelled`,
        `reservation_activated` (with `reservation_status`), `illegal_ticket_transition`,
        `ticket_not_active` (with `ticket_status`), `no_uses_left`, `venue_closed`,
        `batch_id_taken`, `username_taken`, or `idempotency_key_in_use` (the first request
        with this Idempotency-Key still runs; Retry-After).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        Idempotent-Replayed:
          $ref: '#/components/headers/IdempotentReplayed'
        Retry-After:
          description: With `idempotency_key_in_use` only.
          schema:
            type: integer
        RateLimit-Policy:
          $ref: '#/components/headers/RateLimitPolicy'
        RateLimit:
          $ref: '#/components/headers/RateLimit'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
          examples:
            insufficient_inventory:
              value:
                type: https://ota.example/problems/insufficient-inventory
                title: Insufficient inventory
                status: 409
                detail: Requested 5000 units of product 106 but only 1800 are available.
                code: insufficient_inventory
                available: 1800
                requested: 5000
                product_id: 106
    Gone:
      description: The QR code has expired (`qr_expired`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    PayloadTooLarge:
      description: The body is larger than 1 MiB (`http_413`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestIdUnlessProtocolError'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    Unprocessable:
      description: |
        Well-formed but invalid: `invalid_field` (with `field`), `unknown_product` (with
        `field`; on inventory also `unknown_product_ids`), `quantity_above_hold_limit` (with
        `max_quantity`, `available`), `unknown_function`, `invalid_qr_token`, or
        `idempotency_key_reused` (this Idempotency-Key was used with another body).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        Idempotent-Replayed:
          $ref: '#/components/headers/IdempotentReplayed'
        RateLimit-Policy:
          $ref: '#/components/headers/RateLimitPolicy'
        RateLimit:
          $ref: '#/components/headers/RateLimit'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
          examples:
            invalid_field:
              value:
                type: https://ota.example/problems/invalid-field
                title: Invalid field value
                status: 422
                detail: quantity must be a whole number of at least 1
                code: invalid_field
                field: quantity
            quantity_above_hold_limit:
              value:
                type: https://ota.example/problems/quantity-above-hold-limit
                title: Quantity above the per-reservation maximum
                status: 422
                detail: quantity 101 is above the maximum of 100 units per reservation; split it into several reservations.
                code: quantity_above_hold_limit
                field: quantity
                max_quantity: 100
                available: 2000
    TooManyRequests:
      description: |
        Past the partner's rate limit (`rate_limited`, with `retry_after_seconds`), or, on
        login, too many attempts from this address (`rate_limited`) or a lockout after
        failed logins (`login_locked`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
        Retry-After:
          $ref: '#/components/headers/RetryAfter'
        RateLimit-Policy:
          $ref: '#/components/headers/RateLimitPolicy'
        RateLimit:
          $ref: '#/components/headers/RateLimit'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
          examples:
            rate_limited:
              value:
                type: https://ota.example/problems/rate-limited
                title: Too many requests
                status: 429
                detail: This partner may make 300 requests per 60 seconds; retry after 1 seconds.
                code: rate_limited
                retry_after_seconds: 1
    InternalError:
      description: A fault on the service's side (`internal_error`); the detail quotes the request id.
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestId'
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
    ServiceUnavailable:
      description: |
        Nothing was changed; retry after `Retry-After`: the database is unreachable
        (`service_unavailable`), the inventory row stayed locked past the lock timeout
        (`inventory_busy`), QR codes are not configured (`qr_not_configured`), or the
        gateway is saturated (`http_503`).
      headers:
        X-Request-ID:
          $ref: '#/components/headers/RequestIdUnlessProtocolError'
        Retry-After:
          description: Seconds to wait before retrying (absent with `qr_not_configured`).
          schema:
            type: integer
      content:
        application/problem+json:
          schema:
            $ref: '#/components/schemas/Problem'
"""#
}

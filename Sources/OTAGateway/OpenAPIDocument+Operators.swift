// Part of the OpenAPI document (see OpenAPIDocument.swift): operators, billing, venue app.

extension OpenAPIDocument {
    /// Operators, billing, and the venue scanning app.
    static let operatorPaths = #"""
  /api/ota/operators:
    post:
      tags: [operators]
      operationId: createOperator
      summary: Create a venue operator of the partner
      description: |
        An operator belongs to this partner only and logs in to the scanning app with
        `POST /operators/login`. The password is stored with a slow salted hash. Usernames
        are unique across the service (409 `username_taken`). `venue_ids` restricts the
        venues the operator may scan at (empty: every venue of the partner); an id that is
        not a venue of the partner is 422. Permission `operators`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/IdempotencyKey'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/OperatorCreateRequest'
            example: {username: gate.one, password: correct horse battery, display_name: Gate staff, venue_ids: [TEST-PIER-1]}
      responses:
        '201':
          description: The operator. `Location` names it.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            Location:
              $ref: '#/components/headers/Location'
            Idempotent-Replayed:
              $ref: '#/components/headers/IdempotentReplayed'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Operator'
          links:
            GetOperator:
              operationId: getOperator
              parameters:
                id: $response.body#/operator_id
            UpdateOperator:
              operationId: updateOperator
              parameters:
                id: $response.body#/operator_id
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '409':
          $ref: '#/components/responses/Conflict'
        '413':
          $ref: '#/components/responses/PayloadTooLarge'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
    get:
      tags: [operators]
      operationId: listOperators
      summary: The partner's operators
      description: Permission `operators`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          description: Every operator of the partner.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [operators]
                properties:
                  operators:
                    type: array
                    items:
                      $ref: '#/components/schemas/Operator'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /api/ota/operators/{id}:
    get:
      tags: [operators]
      operationId: getOperator
      summary: One of the partner's operators
      description: Permission `operators`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/OperatorId'
      responses:
        '200':
          description: The operator.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Operator'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
    patch:
      tags: [operators]
      operationId: updateOperator
      summary: Change an operator's name, password, venues or status
      description: |
        Any subset of the members; the username cannot change (422). Disabling ends the
        operator's sessions at once. Permission `operators`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/OperatorId'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/OperatorUpdateRequest'
            example: {display_name: Pier staff, venue_ids: [TEST-PIER-1, TEST-LOUNGE]}
      responses:
        '200':
          description: The operator as changed.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Operator'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '413':
          $ref: '#/components/responses/PayloadTooLarge'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /api/ota/operators/{id}/disable:
    post:
      tags: [operators]
      operationId: disableOperator
      summary: Disable an operator
      description: The operator can no longer log in, and its sessions end. Permission `operators`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/OperatorId'
      responses:
        '200':
          description: The disabled operator.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Operator'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '413':
          $ref: '#/components/responses/PayloadTooLarge'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /api/ota/billing/summary:
    get:
      tags: [billing]
      operationId: getBillingSummary
      summary: Billed redemptions over a period, grouped
      description: |
        A ticket is billed once, at its first redemption, at its price snapshot, less the
        reseller's commission. The period spans at most 400 days. Permission
        `billing:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/PeriodFromRequired'
        - $ref: '#/components/parameters/PeriodToRequired'
        - name: group_by
          in: query
          schema:
            type: string
            enum: [batch, reseller, product]
            default: product
      responses:
        '200':
          description: The groups and their totals.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/BillingSummary'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /api/ota/billing/redemptions:
    get:
      tags: [billing]
      operationId: listBillingRedemptions
      summary: The billing lines, newest first
      description: One line per billed ticket. Permission `billing:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/PeriodFrom'
        - $ref: '#/components/parameters/PeriodTo'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: A page of billing lines.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [redemptions, next_cursor]
                properties:
                  redemptions:
                    type: array
                    items:
                      $ref: '#/components/schemas/BillingLine'
                  next_cursor:
                    $ref: '#/components/schemas/NextCursor'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /operators/login:
    post:
      tags: [venue-app]
      operationId: operatorLogin
      summary: Log an operator in; returns a bearer token
      description: |
        The token (random, stored hashed) expires after the session lifetime (default 12
        hours). Logins are limited per client address (429 `rate_limited`), and repeated
        failures lock the username or address out for a growing while (429
        `login_locked`, Retry-After). A disabled operator or partner is 403.
      security: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/LoginRequest'
            example: {username: gate.one, password: correct horse battery}
      responses:
        '200':
          description: Logged in.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            Cache-Control:
              $ref: '#/components/headers/NoStore'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/LoginResponse'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/LoginFailed'
        '403':
          $ref: '#/components/responses/Forbidden'
        '413':
          $ref: '#/components/responses/PayloadTooLarge'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /operators/venues:
    get:
      tags: [venue-app]
      operationId: listOperatorVenues
      summary: The venues of the operator's partner
      security:
        - OperatorBearer: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      responses:
        '200':
          description: The venues, and whether this operator may scan at each.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [venues]
                properties:
                  venues:
                    type: array
                    items:
                      $ref: '#/components/schemas/Venue'
        '401':
          $ref: '#/components/responses/OperatorUnauthorized'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /qr/decrypt:
    post:
      tags: [venue-app]
      operationId: decryptQR
      summary: Verify a scanned QR token and show its ticket
      description: |
        Checks the token's signature, expiry and scope. Any tampered or foreign token is
        the same 422 `invalid_qr_token`; an expired one is 410 `qr_expired`; a ticket of
        another partner is 404.
      security:
        - OperatorBearer: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/DecryptRequest'
      responses:
        '200':
          description: The ticket and its entitlements.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
          content:
            application/json:
              schema:
                type: object
                additionalProperties: false
                required: [ticket]
                properties:
                  ticket:
                    $ref: '#/components/schemas/Ticket'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/OperatorUnauthorized'
        '404':
          $ref: '#/components/responses/NotFound'
        '410':
          $ref: '#/components/responses/Gone'
        '413':
          $ref: '#/components/responses/PayloadTooLarge'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
  /venue/scan:
    post:
      tags: [venue-app]
      operationId: scanTicket
      summary: Redeem one use of one entitlement at a venue
      description: |
        Give `qr_token` (scanned) or `ticket_code` (typed), not both. The venue must be a
        venue of the operator's partner that the operator may scan at (else 403
        `venue_forbidden`) and open (else 409 `venue_closed`). The same `scan_id` replays
        the first redemption (`Idempotent-Replayed: true`). No uses left: 409
        `no_uses_left`; a ticket that is not ACTIVE: 409 `ticket_not_active`; a function
        the ticket does not have: 422 `unknown_function`. The ticket becomes USED when its
        last use is redeemed; its first redemption bills it (`billed: true`).
      security:
        - OperatorBearer: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/ScanRequest'
            example: {ticket_code: TKT-0123456789ABCDEFGHIJ, venue_id: TEST-PIER-1, function_code: boarding, scan_id: gate1-000123}
      responses:
        '200':
          description: Redeemed (or the replay of the redemption with this scan_id).
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            Idempotent-Replayed:
              $ref: '#/components/headers/IdempotentReplayed'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ScanResponse'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/OperatorUnauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '409':
          $ref: '#/components/responses/Conflict'
        '410':
          $ref: '#/components/responses/Gone'
        '413':
          $ref: '#/components/responses/PayloadTooLarge'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
"""#
}

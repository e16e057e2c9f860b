// Part of the OpenAPI document (see OpenAPIDocument.swift): inventory, reservations, orders.

extension OpenAPIDocument {
    /// Inventory, holds, reservations and orders.
    static let reservationPaths = #"""
  /api/ota/inventory:
    get:
      tags: [inventory]
      operationId: getInventory
      summary: Availability and prices of the OTA pool
      description: |
        Live availability (never from a replica) of every product with an OTA allocation,
        or of the ones asked for, with what a partner needs to price a sale. Every partner
        sees the same shared pool. Permission `inventory:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - name: product_ids
          in: query
          description: |
            Comma-separated product ids (1 to 100), e.g. `106,107`; default every product
            with an OTA allocation. An unknown id, or one without an OTA allocation, is 422
            `unknown_product` with `unknown_product_ids`.
          schema:
            type: string
          example: 106,107
        - name: date_range
          in: query
          description: |
            `YYYY-MM-DD,YYYY-MM-DD`, start not after end, at most 366 days: limits
            `special_dates` to the range (default from today on).
          schema:
            type: string
          example: 2026-12-01,2026-12-31
      responses:
        '200':
          description: Availability and pricing context.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
            Cache-Control:
              $ref: '#/components/headers/NoStore'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Inventory'
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
  /api/ota/reserve:
    post:
      tags: [inventory]
      operationId: createReservation
      summary: Hold units of the OTA pool
      description: |
        Holds `quantity` units until `reservation_expires_at` (default 24 hours ahead; a
        custom expiry lies between 1 minute and the partner's maximum hold ahead). The hold
        is taken under a row lock in one transaction: a quantity above what is available is
        409 with `available`, whatever its size; within availability but above the
        per-reservation maximum (100 unless configured otherwise for the partner) it is 422
        `quantity_above_hold_limit`. A lock wait past about 3 seconds is 503
        `inventory_busy` with Retry-After, and nothing is held. Permission
        `reservations:write`.
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
              $ref: '#/components/schemas/ReserveRequest'
            example: {product_id: 106, quantity: 5}
      responses:
        '201':
          description: Held. `Location` names the reservation.
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
                $ref: '#/components/schemas/Reservation'
          links:
            GetReservation:
              operationId: getReservation
              parameters:
                id: $response.body#/reservation_id
            CancelReservation:
              operationId: cancelReservation
              parameters:
                id: $response.body#/reservation_id
            ActivateReservation:
              operationId: activateReservation
              parameters:
                id: $response.body#/reservation_id
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
  /api/ota/reservations:
    get:
      tags: [reservations]
      operationId: listReservations
      summary: The partner's reservations, newest first
      description: Permission `orders:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - name: status
          in: query
          schema:
            $ref: '#/components/schemas/ReservationStatus'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: A page of reservations.
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
                required: [reservations, next_cursor]
                properties:
                  reservations:
                    type: array
                    items:
                      $ref: '#/components/schemas/Reservation'
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
  /api/ota/reservations/{id}:
    get:
      tags: [reservations]
      operationId: getReservation
      summary: One of the partner's reservations
      description: Another partner's reservation is 404. Permission `orders:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/ReservationId'
      responses:
        '200':
          description: The reservation.
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
                $ref: '#/components/schemas/Reservation'
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
  /api/ota/reservations/{id}/cancel:
    post:
      tags: [reservations]
      operationId: cancelReservation
      summary: Cancel an active reservation
      description: |
        active -> cancelled; the units go back to the pool. A reservation that is not active
        is 409 `reservation_<status>` with `reservation_status`. Permission
        `reservations:write`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/IdempotencyKey'
        - $ref: '#/components/parameters/ReservationId'
      responses:
        '200':
          description: Cancelled.
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
            application/json:
              schema:
                $ref: '#/components/schemas/Reservation'
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
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
  /api/ota/reservations/{id}/activate:
    post:
      tags: [reservations]
      operationId: activateReservation
      summary: Turn an active hold into an order with one ticket per unit
      description: |
        Creates an order with one ACTIVE ticket per held unit, priced from the
        reservation's pricing snapshot (an undated unit is priced for today); the units
        move from reserved to sold. `units` must have exactly one entry per held unit.
        Expired, cancelled or already activated: 409 (`reservation_expired`,
        `reservation_cancelled`, `reservation_activated`). Permission
        `reservations:write`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/IdempotencyKey'
        - $ref: '#/components/parameters/ReservationId'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/ActivationRequest'
            example:
              customer: {name: Li Wei, email: li.wei@example.com, phone: '+86 138 0000 0000'}
              units:
                - {customer_type: adult, travel_date: '2026-12-31'}
                - {customer_type: child}
      responses:
        '201':
          description: The order, with its tickets. `Location` names the order.
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
                $ref: '#/components/schemas/OrderWithTickets'
          links:
            GetOrder:
              operationId: getOrder
              parameters:
                id: $response.body#/order_id
            ListOrderTickets:
              operationId: listOrderTickets
              parameters:
                id: $response.body#/order_id
        '400':
          $ref: '#/components/responses/BadRequest'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
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
  /api/ota/orders:
    get:
      tags: [orders]
      operationId: listOrders
      summary: The partner's orders, newest first
      description: Permission `orders:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - name: status
          in: query
          schema:
            type: string
            enum: [confirmed, cancelled]
        - name: created_from
          in: query
          description: Orders created at or after this instant (RFC 3339) or the start of this date (`YYYY-MM-DD`, UTC).
          schema:
            type: string
          example: '2026-01-01'
        - name: created_to
          in: query
          description: Orders created before this instant (RFC 3339) or the end of this date (`YYYY-MM-DD`, UTC); after created_from.
          schema:
            type: string
          example: '2026-01-31T00:00:00Z'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: A page of orders (without their tickets).
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
                required: [orders, next_cursor]
                properties:
                  orders:
                    type: array
                    items:
                      $ref: '#/components/schemas/Order'
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
  /api/ota/orders/{id}:
    get:
      tags: [orders]
      operationId: getOrder
      summary: One of the partner's orders
      description: Permission `orders:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/OrderId'
      responses:
        '200':
          description: The order.
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
                $ref: '#/components/schemas/Order'
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
  /api/ota/orders/{id}/tickets:
    get:
      tags: [orders]
      operationId: listOrderTickets
      summary: The tickets of one of the partner's orders
      description: Permission `orders:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/OrderId'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: A page of tickets.
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
                $ref: '#/components/schemas/TicketPage'
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '422':
          $ref: '#/components/responses/Unprocessable'
        '429':
          $ref: '#/components/responses/TooManyRequests'
        '500':
          $ref: '#/components/responses/InternalError'
        '503':
          $ref: '#/components/responses/ServiceUnavailable'
"""#
}

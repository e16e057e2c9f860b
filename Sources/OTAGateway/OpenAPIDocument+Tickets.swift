// Part of the OpenAPI document (see OpenAPIDocument.swift): tickets, batches, QR codes.

extension OpenAPIDocument {
    /// Pre-generated tickets, batches and QR codes.
    static let ticketPaths = #"""
  /api/ota/tickets/bulk-generate:
    post:
      tags: [tickets]
      operationId: bulkGenerateTickets
      summary: Pre-generate a batch of tickets for resellers
      description: |
        Takes `quantity` units from the OTA pool at once (409 `insufficient_inventory`
        with `available` when short), and creates a batch and its tickets in status
        PRE_GENERATED. The batch's pricing (`special_pricing`, or the product's current
        prices) is frozen at generation. The batch carries a reference expiry (direct_sale
        7 days, reseller_batch 30 days; not enforced). Sending the same body again with
        the same `batch_id` replays the batch (`Idempotent-Replayed: true`); the same
        `batch_id` with another body is 409 `batch_id_taken`. Permission `tickets:write`.
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
              $ref: '#/components/schemas/BulkGenerateRequest'
            example:
              product_id: 106
              quantity: 2
              batch_id: spring-1
              distribution_mode: reseller_batch
              special_pricing: {base_price: 200.00, weekend_premium: 20.00, customer_discounts: {child: 50.00}}
              reseller_metadata: {reseller_id: R-9, reseller_name: Bay Tours, commission_rate: 0.15, region: south}
      responses:
        '201':
          description: The batch with the codes of its tickets. `Location` names the batch.
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
                $ref: '#/components/schemas/BatchCreated'
          links:
            GetBatch:
              operationId: getBatch
              parameters:
                batch_id: $response.body#/batch_id
            ListBatchTickets:
              operationId: listBatchTickets
              parameters:
                batch_id: $response.body#/batch_id
            GetTicket:
              operationId: getTicket
              parameters:
                code: $response.body#/ticket_codes/0
            ActivateTicket:
              operationId: activateTicket
              parameters:
                code: $response.body#/ticket_codes/0
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
  /api/ota/tickets/{code}:
    get:
      tags: [tickets]
      operationId: getTicket
      summary: One of the partner's tickets
      description: |
        Status, product, batch or order, and entitlements with the uses left; no QR code
        is generated. Permission `tickets:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/TicketCode'
      responses:
        '200':
          description: The ticket.
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
                $ref: '#/components/schemas/Ticket'
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
  /api/ota/tickets/{code}/activate:
    post:
      tags: [tickets]
      operationId: activateTicket
      summary: Activate a pre-generated ticket for a customer
      description: |
        PRE_GENERATED -> ACTIVE, priced from the batch's frozen pricing for the travel date
        (default today) and customer type (default adult). Any other status is 409
        `illegal_ticket_transition` with `ticket_status`. Permission `tickets:write`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/IdempotencyKey'
        - $ref: '#/components/parameters/TicketCode'
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/TicketActivationRequest'
            example:
              customer: {name: Mei}
              customer_type: adult
              travel_date: '2026-12-31'
      responses:
        '200':
          description: The activated ticket.
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
                $ref: '#/components/schemas/Ticket'
          links:
            IssueTicketQR:
              operationId: issueTicketQR
              parameters:
                code: $response.body#/ticket_code
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
  /api/ota/tickets/{code}/cancel:
    post:
      tags: [tickets]
      operationId: cancelTicket
      summary: Void a ticket
      description: |
        PRE_GENERATED or ACTIVE -> CANCELLED. A USED or CANCELLED ticket is 409
        `illegal_ticket_transition`. Permission `tickets:write`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/IdempotencyKey'
        - $ref: '#/components/parameters/TicketCode'
      responses:
        '200':
          description: The cancelled ticket.
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
                $ref: '#/components/schemas/Ticket'
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
  /api/ota/tickets/{code}/qr:
    post:
      tags: [tickets]
      operationId: issueTicketQR
      summary: An expiring encrypted QR token for an ACTIVE ticket
      description: |
        An opaque token (version and key id in clear, AES-256-GCM sealed claims, HMAC
        signature) valid for `expiry_minutes`, and its QR image as SVG. With
        `?format=svg` the answer is the image itself, the token and its expiry in the
        headers `X-QR-Token` and `X-QR-Expires-At`. A ticket that is not ACTIVE is 409
        `ticket_not_active`; a deployment without a QR key ring answers 503
        `qr_not_configured`. The body is optional. Permission `tickets:write`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/TicketCode'
        - name: format
          in: query
          description: '`svg` answers the QR image itself (image/svg+xml); anything else answers JSON.'
          schema:
            type: string
            enum: [json, svg]
            default: json
      requestBody:
        required: false
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/QRRequest'
            example: {expiry_minutes: 30}
      responses:
        '200':
          description: The token, its expiry and the QR image.
          headers:
            X-Request-ID:
              $ref: '#/components/headers/RequestId'
            Cache-Control:
              $ref: '#/components/headers/NoStore'
            X-QR-Token:
              description: The token (only with `format=svg`).
              schema:
                type: string
            X-QR-Expires-At:
              description: The token's expiry (only with `format=svg`).
              schema:
                type: string
                format: date-time
            RateLimit-Policy:
              $ref: '#/components/headers/RateLimitPolicy'
            RateLimit:
              $ref: '#/components/headers/RateLimit'
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/QRToken'
            image/svg+xml:
              schema:
                type: string
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
  /api/ota/batches:
    get:
      tags: [batches]
      operationId: listBatches
      summary: The partner's batches, newest first
      description: Permission `tickets:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Cursor'
      responses:
        '200':
          description: A page of batches with their ticket counts by status.
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
                required: [batches, next_cursor]
                properties:
                  batches:
                    type: array
                    items:
                      $ref: '#/components/schemas/Batch'
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
  /api/ota/batches/{batch_id}:
    get:
      tags: [batches]
      operationId: getBatch
      summary: One of the partner's batches
      description: Permission `tickets:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/BatchId'
      responses:
        '200':
          description: The batch with its ticket counts by status.
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
                $ref: '#/components/schemas/Batch'
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
  /api/ota/batches/{batch_id}/tickets:
    get:
      tags: [batches]
      operationId: listBatchTickets
      summary: The tickets of one of the partner's batches
      description: Permission `tickets:read`.
      security:
        - ApiKeyAuth: []
      parameters:
        - $ref: '#/components/parameters/RequestId'
        - $ref: '#/components/parameters/BatchId'
        - name: status
          in: query
          schema:
            $ref: '#/components/schemas/TicketStatus'
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

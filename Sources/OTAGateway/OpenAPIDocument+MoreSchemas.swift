// Part of the OpenAPI document (see OpenAPIDocument.swift): schemas of batches, operators, venue app, billing.

extension OpenAPIDocument {
    /// Batches, operators, the venue app and billing.
    static let requestSchemas = #"""
    BulkGenerateRequest:
      type: object
      required: [product_id, quantity, distribution_mode]
      properties:
        product_id:
          type: integer
          minimum: 1
          example: 106
        quantity:
          type: integer
          minimum: 1
          maximum: 5000
        batch_id:
          type: string
          nullable: true
          pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$'
          description: Your id for the batch (default a generated `bat_...`); sending the same body again with it replays the batch.
        distribution_mode:
          type: string
          enum: [direct_sale, reseller_batch]
        special_pricing:
          type: object
          nullable: true
          description: Prices for this batch instead of the product's (amounts from 0 to 1000000 with at most 2 decimals).
          required: [base_price]
          properties:
            base_price:
              type: number
              minimum: 0
              maximum: 1000000
            weekend_premium:
              type: number
              nullable: true
              minimum: 0
              maximum: 1000000
            customer_discounts:
              type: object
              nullable: true
              description: By customer type (known types only).
              additionalProperties:
                type: number
                minimum: 0
                maximum: 1000000
        reseller_metadata:
          type: object
          nullable: true
          description: Who the batch is for; free members are kept as sent (at most 4096 bytes in all).
          additionalProperties: true
          properties:
            reseller_id:
              type: string
              nullable: true
              maxLength: 100
            reseller_name:
              type: string
              nullable: true
              maxLength: 200
            commission_rate:
              type: number
              nullable: true
              minimum: 0
              maximum: 1
              description: From 0 to 1, at most 4 decimals.
    ResellerMetadata:
      type: object
      nullable: true
      description: The reseller metadata as sent at generation.
      additionalProperties: true
    TicketCounts:
      type: object
      additionalProperties: false
      required: [PRE_GENERATED, ACTIVE, USED, CANCELLED]
      properties:
        PRE_GENERATED:
          type: integer
        ACTIVE:
          type: integer
        USED:
          type: integer
        CANCELLED:
          type: integer
    Batch:
      type: object
      additionalProperties: false
      required: [batch_id, product_id, quantity, distribution_mode, reference_expires_at, special_pricing, pricing_snapshot, reseller_metadata, created_at, ticket_counts]
      properties:
        batch_id:
          type: string
        product_id:
          type: integer
        quantity:
          type: integer
        distribution_mode:
          type: string
          enum: [direct_sale, reseller_batch]
        reference_expires_at:
          $ref: '#/components/schemas/Timestamp'
        special_pricing:
          type: boolean
          description: Whether the batch has prices of its own.
        pricing_snapshot:
          $ref: '#/components/schemas/PricingSnapshot'
        reseller_metadata:
          $ref: '#/components/schemas/ResellerMetadata'
        created_at:
          $ref: '#/components/schemas/Timestamp'
        ticket_counts:
          $ref: '#/components/schemas/TicketCounts'
    BatchCreated:
      type: object
      additionalProperties: false
      required: [batch_id, product_id, quantity, distribution_mode, reference_expires_at, special_pricing, pricing_snapshot, reseller_metadata, created_at, ticket_codes]
      properties:
        batch_id:
          type: string
        product_id:
          type: integer
        quantity:
          type: integer
        distribution_mode:
          type: string
          enum: [direct_sale, reseller_batch]
        reference_expires_at:
          $ref: '#/components/schemas/Timestamp'
        special_pricing:
          type: boolean
        pricing_snapshot:
          $ref: '#/components/schemas/PricingSnapshot'
        reseller_metadata:
          $ref: '#/components/schemas/ResellerMetadata'
        created_at:
          $ref: '#/components/schemas/Timestamp'
        ticket_codes:
          type: array
          items:
            type: string
    QRRequest:
      type: object
      properties:
        expiry_minutes:
          type: integer
          nullable: true
          minimum: 1
          maximum: 1440
          default: 30
    QRToken:
      type: object
      additionalProperties: false
      required: [qr_token, ticket_code, issued_at, expires_at, svg]
      properties:
        qr_token:
          type: string
          description: Opaque; show it as the QR code.
        ticket_code:
          type: string
        issued_at:
          $ref: '#/components/schemas/Timestamp'
        expires_at:
          $ref: '#/components/schemas/Timestamp'
        svg:
          type: string
          description: The QR code of `qr_token` as an SVG image.
    Operator:
      type: object
      additionalProperties: false
      required: [operator_id, username, display_name, venue_ids, status, created_at]
      properties:
        operator_id:
          type: integer
          format: int64
          example: 1
        username:
          type: string
        display_name:
          type: string
        venue_ids:
          type: array
          description: Venues the operator may scan at; empty means every venue of the partner.
          items:
            type: string
        status:
          type: string
          enum: [active, disabled]
        created_at:
          $ref: '#/components/schemas/Timestamp'
    OperatorCreateRequest:
      type: object
      required: [username, password, display_name]
      properties:
        username:
          type: string
          pattern: '^[a-z0-9][a-z0-9._-]{2,63}$'
          description: Unique across the service.
        password:
          $ref: '#/components/schemas/NewPassword'
        display_name:
          type: string
          minLength: 1
          maxLength: 200
        venue_ids:
          type: array
          nullable: true
          maxItems: 200
          items:
            type: string
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
    NewPassword:
      type: string
      minLength: 10
      maxLength: 128
      description: |
        10 to 128 characters without control characters, at least 5 different ones; under
        16 characters it mixes at least two of lower case, upper case, digits and symbols;
        not a common password and not containing the username. Else 422 naming `password`.
      example: correct horse battery
    OperatorUpdateRequest:
      type: object
      properties:
        password:
          type: string
          nullable: true
          minLength: 10
          maxLength: 128
          description: A new password, under the rules of `NewPassword`.
        display_name:
          type: string
          nullable: true
          minLength: 1
          maxLength: 200
        venue_ids:
          type: array
          nullable: true
          maxItems: 200
          items:
            type: string
            pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
        status:
          type: string
          nullable: true
          enum: [active, disabled, null]
    LoginRequest:
      type: object
      required: [username, password]
      properties:
        username:
          type: string
          maxLength: 64
        password:
          type: string
          maxLength: 128
    LoginResponse:
      type: object
      additionalProperties: false
      required: [token, token_type, expires_at, operator]
      properties:
        token:
          type: string
          description: 'Send as `Authorization: Bearer <token>`.'
        token_type:
          type: string
          enum: [Bearer]
        expires_at:
          $ref: '#/components/schemas/Timestamp'
        operator:
          $ref: '#/components/schemas/Operator'
    Venue:
      type: object
      additionalProperties: false
      required: [venue_id, name, address, status, operator_may_scan]
      properties:
        venue_id:
          type: string
          example: TEST-PIER-1
        name:
          type: string
        address:
          type: string
          nullable: true
        status:
          type: string
          enum: [active, closed]
        operator_may_scan:
          type: boolean
    DecryptRequest:
      type: object
      required: [qr_token]
      properties:
        qr_token:
          type: string
          maxLength: 1024
    ScanRequest:
      type: object
      description: Exactly one of `qr_token` and `ticket_code`.
      required: [venue_id, function_code]
      properties:
        qr_token:
          type: string
          nullable: true
          maxLength: 1024
        ticket_code:
          type: string
          nullable: true
          maxLength: 64
        venue_id:
          type: string
          pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
        function_code:
          type: string
          minLength: 1
          maxLength: 32
          example: boarding
        scan_id:
          type: string
          nullable: true
          pattern: '^[\x21-\x7E]{1,128}$'
          description: The scanner's id for this scan; the same scan_id replays the first redemption.
    ScanResponse:
      type: object
      additionalProperties: false
      required: [redemption, ticket, billed]
      properties:
        redemption:
          type: object
          additionalProperties: false
          required: [redemption_id, ticket_code, function_code, venue_id, scan_id, uses_left, redeemed_at]
          properties:
            redemption_id:
              type: integer
              format: int64
            ticket_code:
              type: string
            function_code:
              type: string
            venue_id:
              type: string
            scan_id:
              type: string
              nullable: true
            uses_left:
              type: integer
              minimum: 0
            redeemed_at:
              $ref: '#/components/schemas/Timestamp'
        ticket:
          $ref: '#/components/schemas/Ticket'
        billed:
          type: boolean
          description: Whether this redemption billed the ticket (its first one).
    BillingAmounts:
      type: object
      additionalProperties: false
      required: [tickets, gross, commission, net]
      properties:
        tickets:
          type: integer
        gross:
          $ref: '#/components/schemas/Money'
        commission:
          $ref: '#/components/schemas/Money'
        net:
          $ref: '#/components/schemas/Money'
    BillingSummary:
      type: object
      additionalProperties: false
      required: [from, to, group_by, currency, groups, totals]
      properties:
        from:
          $ref: '#/components/schemas/Timestamp'
        to:
          $ref: '#/components/schemas/Timestamp'
        group_by:
          type: string
          enum: [batch, reseller, product]
        currency:
          type: string
        groups:
          type: array
          items:
            type: object
            additionalProperties: false
            required: [key, tickets, gross, commission, net]
            properties:
              key:
                type: string
                nullable: true
                description: The batch id, reseller id or product id; null for tickets without one.
              tickets:
                type: integer
              gross:
                $ref: '#/components/schemas/Money'
              commission:
                $ref: '#/components/schemas/Money'
              net:
                $ref: '#/components/schemas/Money'
        totals:
          $ref: '#/components/schemas/BillingAmounts'
    BillingLine:
      type: object
      additionalProperties: false
      required: [ticket_code, product_id, batch_id, reseller_id, amount, commission_rate, commission, net, currency, billed_at]
      properties:
        ticket_code:
          type: string
        product_id:
          type: integer
        batch_id:
          type: string
          nullable: true
        reseller_id:
          type: string
          nullable: true
        amount:
          $ref: '#/components/schemas/Money'
        commission_rate:
          type: number
          minimum: 0
          maximum: 1
        commission:
          $ref: '#/components/schemas/Money'
        net:
          $ref: '#/components/schemas/Money'
        currency:
          type: string
        billed_at:
          $ref: '#/components/schemas/Timestamp'
"""#
}

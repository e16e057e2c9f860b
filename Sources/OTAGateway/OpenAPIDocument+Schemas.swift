// Part of the OpenAPI document (see OpenAPIDocument.swift): schemas of the core resources.

extension OpenAPIDocument {
    /// Problem details, reservations, orders and tickets.
    static let resourceSchemas = #"""
  schemas:
    Problem:
      type: object
      description: |
        RFC 9457 problem details. `code` is stable: switch on it, not on `title` or
        `detail`. The other members appear where they apply.
      additionalProperties: false
      required: [type, title, status, detail, code]
      properties:
        type:
          type: string
          format: uri
          example: https://ota.example/problems/insufficient-inventory
        title:
          type: string
        status:
          type: integer
          minimum: 400
          maximum: 599
        detail:
          type: string
        code:
          type: string
          pattern: '^[a-z0-9_]+$'
          example: insufficient_inventory
        field:
          type: string
          description: The request member (or query parameter, or header) at fault.
          example: quantity
        available:
          type: integer
          description: Units available now (insufficient_inventory, quantity_above_hold_limit).
        requested:
          type: integer
        product_id:
          type: integer
        unknown_product_ids:
          type: array
          items:
            type: integer
        max_quantity:
          type: integer
          description: The partner's per-reservation maximum.
        required_permission:
          type: string
        retry_after_seconds:
          type: integer
        reservation_status:
          $ref: '#/components/schemas/ReservationStatus'
        ticket_status:
          $ref: '#/components/schemas/TicketStatus'
        function_code:
          type: string
    Money:
      type: number
      description: An exact amount with two decimals, in the deployment's currency.
      example: 288.00
    Timestamp:
      type: string
      format: date-time
      example: '2025-11-04T14:30:00Z'
    NextCursor:
      type: string
      nullable: true
      description: Pass as `cursor` for the next page; null on the last page.
      example: c1313736323236323030303030303030303a7265735f6b336a39
    ReservationStatus:
      type: string
      enum: [active, expired, activated, cancelled]
    TicketStatus:
      type: string
      enum: [PRE_GENERATED, ACTIVE, USED, CANCELLED]
    SpecialDates:
      type: object
      description: Price multipliers of special dates, by date (`YYYY-MM-DD`).
      additionalProperties:
        type: object
        additionalProperties: false
        required: [multiplier]
        properties:
          multiplier:
            type: number
            example: 1.5
      example: {'2026-12-31': {multiplier: 1.5}}
    Discounts:
      type: object
      description: Discounts in currency units, by customer type.
      additionalProperties:
        $ref: '#/components/schemas/Money'
      example: {child: 100.00, elderly: 50.00, student: 50.00}
    Inventory:
      type: object
      additionalProperties: false
      required: [available_quantities, pricing_context, as_of]
      properties:
        available_quantities:
          type: object
          description: Units available in the OTA pool, by product id (as a string).
          additionalProperties:
            type: integer
            minimum: 0
          example: {'106': 1800, '107': 1200, '108': 1300}
        pricing_context:
          type: object
          additionalProperties: false
          required: [base_prices, customer_types, special_dates, customer_discounts]
          properties:
            base_prices:
              type: object
              description: 'Unit prices by product id; a unit costs `(weekend ? weekend : weekday) * multiplier - discount`, never below zero.'
              additionalProperties:
                type: object
                additionalProperties: false
                required: [weekday, weekend]
                properties:
                  weekday:
                    $ref: '#/components/schemas/Money'
                  weekend:
                    $ref: '#/components/schemas/Money'
              example: {'106': {weekday: 288.00, weekend: 318.00}}
            customer_types:
              type: array
              items:
                type: string
              example: [adult, child, elderly, family, student, vip]
            special_dates:
              $ref: '#/components/schemas/SpecialDates'
            customer_discounts:
              type: object
              description: Discounts by product id.
              additionalProperties:
                $ref: '#/components/schemas/Discounts'
        as_of:
          $ref: '#/components/schemas/Timestamp'
    PricingSnapshot:
      type: object
      description: Prices frozen when the hold or batch was made.
      additionalProperties: false
      required: [base_price, weekend_premium, customer_discounts, special_dates, currency]
      properties:
        base_price:
          $ref: '#/components/schemas/Money'
        weekend_premium:
          $ref: '#/components/schemas/Money'
        customer_discounts:
          $ref: '#/components/schemas/Discounts'
        special_dates:
          $ref: '#/components/schemas/SpecialDates'
        currency:
          type: string
          example: CNY
    ReserveRequest:
      type: object
      required: [product_id, quantity]
      properties:
        product_id:
          type: integer
          minimum: 1
          example: 106
        quantity:
          type: integer
          minimum: 1
          description: Units to hold; above availability 409, above the per-reservation maximum 422.
          example: 5
        reservation_expires_at:
          type: string
          format: date-time
          nullable: true
          description: Default 24 hours ahead; between 1 minute and the partner's maximum hold ahead.
    Reservation:
      type: object
      additionalProperties: false
      required: [reservation_id, product_id, quantity, status, reserved_until, expires_at, created_at, pricing_snapshot]
      properties:
        reservation_id:
          type: string
          example: res_k3j9x0c2m4n8p1q5r7s9t2v4
        product_id:
          type: integer
          example: 106
        quantity:
          type: integer
          minimum: 1
        status:
          $ref: '#/components/schemas/ReservationStatus'
        reserved_until:
          $ref: '#/components/schemas/Timestamp'
        expires_at:
          $ref: '#/components/schemas/Timestamp'
        created_at:
          $ref: '#/components/schemas/Timestamp'
        pricing_snapshot:
          $ref: '#/components/schemas/PricingSnapshot'
    CustomerInput:
      type: object
      required: [name]
      properties:
        name:
          type: string
          minLength: 1
          maxLength: 200
        email:
          type: string
          nullable: true
          maxLength: 254
          description: An email address (local@domain.tld).
        phone:
          type: string
          nullable: true
          maxLength: 40
          description: Digits, spaces, +, -, ( and ).
    Customer:
      type: object
      additionalProperties: false
      required: [name, email, phone]
      properties:
        name:
          type: string
        email:
          type: string
          nullable: true
        phone:
          type: string
          nullable: true
    ActivationRequest:
      type: object
      required: [customer, units]
      properties:
        customer:
          $ref: '#/components/schemas/CustomerInput'
        units:
          type: array
          description: Exactly one entry per held unit.
          minItems: 1
          maxItems: 10000
          items:
            type: object
            required: [customer_type]
            properties:
              customer_type:
                type: string
                maxLength: 32
                description: One of the catalog's customer types (see inventory `customer_types`).
                example: adult
              travel_date:
                type: string
                format: date
                nullable: true
                description: From yesterday up to a year ahead; default today.
    Order:
      type: object
      additionalProperties: false
      required: [order_id, reservation_id, product_id, status, quantity, total_amount, currency, customer, created_at]
      properties:
        order_id:
          type: string
          example: ord_a1b2c3d4e5f6g7h8i9j0k1l2
        reservation_id:
          type: string
          nullable: true
        product_id:
          type: integer
        status:
          type: string
          enum: [confirmed, cancelled]
        quantity:
          type: integer
        total_amount:
          $ref: '#/components/schemas/Money'
        currency:
          type: string
        customer:
          $ref: '#/components/schemas/Customer'
        created_at:
          $ref: '#/components/schemas/Timestamp'
    OrderWithTickets:
      type: object
      additionalProperties: false
      required: [order_id, reservation_id, product_id, status, quantity, total_amount, currency, customer, created_at, tickets]
      properties:
        order_id:
          type: string
        reservation_id:
          type: string
          nullable: true
        product_id:
          type: integer
        status:
          type: string
          enum: [confirmed, cancelled]
        quantity:
          type: integer
        total_amount:
          $ref: '#/components/schemas/Money'
        currency:
          type: string
        customer:
          $ref: '#/components/schemas/Customer'
        created_at:
          $ref: '#/components/schemas/Timestamp'
        tickets:
          type: array
          items:
            $ref: '#/components/schemas/Ticket'
    Entitlement:
      type: object
      additionalProperties: false
      required: [function_code, label, uses_total, uses_left]
      properties:
        function_code:
          type: string
          example: boarding
        label:
          type: string
        uses_total:
          type: integer
          minimum: 0
        uses_left:
          type: integer
          minimum: 0
    Ticket:
      type: object
      additionalProperties: false
      required: [ticket_code, status, product_id, order_id, batch_id, customer_type, travel_date, price, entitlements, created_at]
      properties:
        ticket_code:
          type: string
          example: TKT-0123456789ABCDEFGHIJ
        status:
          $ref: '#/components/schemas/TicketStatus'
        product_id:
          type: integer
        order_id:
          type: string
          nullable: true
        batch_id:
          type: string
          nullable: true
        customer_type:
          type: string
          nullable: true
        travel_date:
          type: string
          format: date
          nullable: true
        price:
          $ref: '#/components/schemas/Money'
        entitlements:
          type: array
          items:
            $ref: '#/components/schemas/Entitlement'
        created_at:
          $ref: '#/components/schemas/Timestamp'
    TicketPage:
      type: object
      additionalProperties: false
      required: [tickets, next_cursor]
      properties:
        tickets:
          type: array
          items:
            $ref: '#/components/schemas/Ticket'
        next_cursor:
          $ref: '#/components/schemas/NextCursor'
    TicketActivationRequest:
      type: object
      required: [customer]
      properties:
        customer:
          $ref: '#/components/schemas/CustomerInput'
        customer_type:
          type: string
          nullable: true
          maxLength: 32
          default: adult
        travel_date:
          type: string
          format: date
          nullable: true
          description: From yesterday up to a year ahead; default today.
"""#
}

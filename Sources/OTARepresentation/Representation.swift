public import JSON
public import OTADomain

/// The JSON shapes of the API's resources, in one place so that every endpoint and every
/// webhook event agrees: the gateway answers with them (Render in OTAGateway forwards
/// here) and the store writes them into webhook events in the transaction of the change.
public enum Representation {
    /// A snapshot as partners see it: the API's shape, which need not be the stored one
    /// (OTAStore's StoredPricingSnapshot), though today the two agree.
    /// {"base_price": 288.00, "weekend_premium": 30.00, "customer_discounts": {"child": 100.00},
    ///  "special_dates": {"2025-12-31": {"multiplier": 1.5}}, "currency": "CNY"}
    public static func pricingSnapshot(_ p: PricingSnapshot) -> JSONValue {
        .object([
            ("base_price", p.basePrice.json),
            ("weekend_premium", p.weekendPremium.json),
            ("customer_discounts", .object(p.discounts.map { ($0.customerType, $0.amount.json) })),
            ("special_dates", .object(p.specialDates.map { ("\($0.date)", .object([("multiplier", .number($0.multiplier.description))])) })),
            ("currency", .string(p.currency)),
        ])
    }

    /// The reseller metadata object as the partner sent it. Its text comes from a parsed
    /// object (the request parser's, or the store's reading of the row), so it parses; if
    /// it ever did not, the answer says null rather than fail a read of the batch.
    public static func resellerMetadata(_ m: ResellerMetadata) -> JSONValue {
        (try? JSONValue.parse(m.document)) ?? .null
    }

    public static func reservation(_ r: Reservation) -> JSONValue {
        .object([
            ("reservation_id", .string(r.reservationId)), ("product_id", .int(r.productId)),
            ("quantity", .int(r.quantity)), ("status", .string(r.status.rawValue)),
            ("reserved_until", .string(r.expiresAt.description)), ("expires_at", .string(r.expiresAt.description)),
            ("created_at", .string(r.createdAt.description)), ("pricing_snapshot", pricingSnapshot(r.pricing)),
        ])
    }

    public static func customer(_ c: Customer) -> JSONValue {
        .object([("name", .string(c.name)), ("email", c.email.map(JSONValue.string) ?? .null),
                 ("phone", c.phone.map(JSONValue.string) ?? .null)])
    }

    public static func order(_ o: Order, tickets: [Ticket]? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("order_id", .string(o.orderId)), ("reservation_id", o.reservationId.map(JSONValue.string) ?? .null),
            ("product_id", .int(o.productId)), ("status", .string(o.status)), ("quantity", .int(o.quantity)),
            ("total_amount", o.totalAmount.json), ("currency", .string(o.currency)), ("customer", customer(o.customer)),
            ("created_at", .string(o.createdAt.description)),
        ]
        if let t = tickets { members.append(("tickets", .array(t.map { ticket($0) }))) }
        return .object(members)
    }

    public static func ticket(_ t: Ticket) -> JSONValue {
        .object([
            ("ticket_code", .string(t.ticketCode)), ("status", .string(t.status.rawValue)), ("product_id", .int(t.productId)),
            ("order_id", t.orderId.map(JSONValue.string) ?? .null),
            ("batch_id", t.batchId.map(JSONValue.string) ?? .null),
            ("customer_type", t.customerType.map(JSONValue.string) ?? .null),
            ("travel_date", t.travelDate.map { .string($0.description) } ?? .null),
            ("price", t.price.json),
            ("entitlements", .array(t.entitlements.map {
                .object([("function_code", .string($0.functionCode)), ("label", .string($0.label)),
                         ("uses_total", .int($0.usesTotal)), ("uses_left", .int($0.usesLeft))])
            })),
            ("created_at", .string(t.createdAt.description)),
        ])
    }

    public static func batch(_ b: Batch, ticketCodes: [String]? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("batch_id", .string(b.batchId)), ("product_id", .int(b.productId)), ("quantity", .int(b.quantity)),
            ("distribution_mode", .string(b.mode.rawValue)), ("reference_expires_at", .string(b.referenceExpiresAt.description)),
            ("special_pricing", .bool(b.specialPricing)), ("pricing_snapshot", pricingSnapshot(b.pricing)),
            ("reseller_metadata", b.reseller.map(resellerMetadata) ?? .null), ("created_at", .string(b.createdAt.description)),
        ]
        if let codes = ticketCodes {
            members.append(("ticket_codes", .array(codes.map(JSONValue.string))))
        } else {
            members.append(("ticket_counts", .object(TicketStatus.allCases.map { ($0.rawValue, .int(b.statusCounts[$0] ?? 0)) })))
        }
        return .object(members)
    }

    public static func redemption(_ r: Redemption) -> JSONValue {
        .object([
            ("redemption_id", .number(String(r.redemptionId))), ("ticket_code", .string(r.ticketCode)),
            ("function_code", .string(r.functionCode)), ("venue_id", .string(r.venueId)),
            ("scan_id", r.scanId.map(JSONValue.string) ?? .null), ("uses_left", .int(r.usesLeft)),
            ("redeemed_at", .string(r.redeemedAt.description)),
        ])
    }

    /// A page of a listing: {"<name>": [...], "next_cursor": "..." | null}.
    public static func page(_ name: String, _ items: [JSONValue], next: String?) -> JSONValue {
        .object([(name, .array(items)), ("next_cursor", next.map(JSONValue.string) ?? .null)])
    }
}

extension Money {
    /// Money as a JSON number with two decimals ("288.00"), exact.
    public var json: JSONValue { .number(description) }
}

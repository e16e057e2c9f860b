import OTADomain
import JSON

// Venue staff accounts and scans, read from JSON bodies: JSON types and presence here,
// each value's rule in OTADomain, member by member in the order the body is checked.

extension OperatorInput {
    /// Reads a create (every required field) or an update (any subset).
    static func parse(_ body: JSONObjectReader, creating: Bool) throws(FieldError) -> OperatorInput {
        var input = OperatorInput()
        input.username = try username(try body.optionalString("username", maxLength: maxUsernameLength), creating: creating)
        input.password = try password(try body.optionalString("password", maxLength: maxPasswordLength), creating: creating)
        input.displayName = try displayName(try body.optionalString("display_name", maxLength: maxDisplayNameLength), creating: creating)
        if let items = try body.optionalArray("venue_ids") {
            try checkVenueCount(items.count)
            var ids: [String] = []
            for (i, v) in items.enumerated() {
                guard case let .string(s) = v else { throw .malformed("venue_ids[\(i)]", "must be a string, got \(v.typeName)") }
                try checkVenueId(s, field: "venue_ids[\(i)]")
                if !ids.contains(s) { ids.append(s) }
            }
            input.venueIds = ids
        }
        if let v = body.value("status") {
            guard case let .string(s) = v else { throw .malformed("status", "must be a string, got \(v.typeName)") }
            input.active = try isActive(status: s)
        }
        return input
    }
}

extension ScanRequest {
    static func parse(_ body: JSONObjectReader) throws(FieldError) -> ScanRequest {
        let token = try body.optionalString("qr_token", maxLength: maxQRTokenLength)
        let code = try body.optionalString("ticket_code", maxLength: maxTicketCodeLength)
        let subject = try Self.subject(qrToken: token, ticketCode: code)
        let venue = try body.requiredString("venue_id", maxLength: maxVenueIdLength)
        try checkVenueId(venue)
        let function = try body.requiredString("function_code", maxLength: maxFunctionCodeLength)
        try checkFunctionCode(function)
        let scanId = try body.optionalString("scan_id", maxLength: maxScanIdLength)
        if let s = scanId { try checkScanId(s) }
        return ScanRequest(subject: subject, venueId: venue, functionCode: function, scanId: scanId)
    }
}

/// `GET /api/ota/inventory?product_ids=&date_range=` as read from the query string.
public struct InventoryQuery: Sendable, Equatable {
    public var productIds: [Int]?
    public var dateRange: ClosedRange<LocalDate>?

    public static let maxRangeDays = 366
    public static let maxProductIds = 100

    public init(productIds: [Int]?, dateRange: ClosedRange<LocalDate>?) {
        self.productIds = productIds
        self.dateRange = dateRange
    }

    public static func parse(productIds: String?, dateRange: String?) throws(FieldError) -> InventoryQuery {
        var ids: [Int]?
        if let raw = productIds {
            let parts = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            guard !parts.isEmpty, parts.count <= maxProductIds else {
                throw .invalid("product_ids", "must list 1 to \(maxProductIds) product ids separated by commas")
            }
            var seen: [Int] = []
            for p in parts {
                guard let id = Int(p), id >= 1, p.count <= 9 else {
                    throw .invalid("product_ids", "'\(p.prefix(20))' is not a product id; use e.g. product_ids=106,107")
                }
                if !seen.contains(id) { seen.append(id) }
            }
            ids = seen
        }
        var range: ClosedRange<LocalDate>?
        if let raw = dateRange {
            let parts = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            guard parts.count == 2, let start = LocalDate(parts[0]), let end = LocalDate(parts[1]) else {
                throw .invalid("date_range", "must be two dates YYYY-MM-DD,YYYY-MM-DD")
            }
            guard start <= end else { throw .invalid("date_range", "start must not be after end") }
            guard end.daysSinceEpoch - start.daysSinceEpoch < maxRangeDays else {
                throw .invalid("date_range", "must span at most \(maxRangeDays) days")
            }
            range = start...end
        }
        return InventoryQuery(productIds: ids, dateRange: range)
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

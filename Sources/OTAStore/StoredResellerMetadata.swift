import JSON
import OTADomain

/// The jsonb of ticket_batches.reseller_metadata: the object as the partner sent it, free
/// fields included (ResellerMetadata.document), written as it is; the known fields are read
/// back out of it. The row's reseller_id, reseller_name and commission_rate columns hold the
/// same known fields for SQL (billing lines take them from there).
enum StoredResellerMetadata {
    static func encode(_ m: ResellerMetadata) -> String { m.document }

    /// From the column's text (`reseller_metadata::text`); nil if it is not such an object.
    static func decode(_ text: String) -> ResellerMetadata? {
        guard let json = try? JSONValue.parse(text), case .object = json else { return nil }
        func string(_ key: String) -> String?? {
            switch json[key] {
            case nil, .null?: return .some(nil)
            case let .string(s)?: return .some(s)
            default: return nil
            }
        }
        guard let id = string("reseller_id"), let name = string("reseller_name") else { return nil }
        var rate: CommissionRate?
        switch json["commission_rate"] {
        case nil, .null?: break
        case let .number(text)?:
            guard let r = CommissionRate(text) else { return nil }
            rate = r
        default: return nil
        }
        // Compact again: jsonb prints spaces, and the domain's text is compact JSON.
        return ResellerMetadata(resellerId: id, resellerName: name, commissionRate: rate, document: json.encodedString())
    }
}

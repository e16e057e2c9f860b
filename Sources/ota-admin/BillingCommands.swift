import Foundation
import OTADomain
import OTAStore
import Postgres

/// `billing export`: the billing lines of a period as CSV, for invoicing partners.
enum BillingCommands {
    static let help = """
        Usage: ota-admin billing export --from DATE --to DATE [--partner C] [--out FILE]
        Writes one CSV row per billed ticket (billed at its first redemption) with
        billed_at in [--from, end of --to): partner, ticket, product, batch, reseller, amount,
        commission rate, commission, net, currency. DATE: YYYY-MM-DD or an RFC 3339 instant.
        Without --out the CSV goes to standard output.
        """

    static func run(_ group: Arguments) throws(AdminError) {
        var args = group
        guard try args.subcommand(help: help, usages: ["export": help]) != nil else { return }
        guard let fromText = try args.value("--from") else { throw args.usage("--from is required") }
        guard let toText = try args.value("--to") else { throw args.usage("--to is required") }
        let partnerCode = try args.value("--partner")
        let out = try args.value("--out")
        try args.finish()
        guard let from = Timestamp(dateOrInstant: fromText, endOfDay: false) else { throw args.usage("--from must be YYYY-MM-DD or RFC 3339, got '\(fromText)'") }
        guard let to = Timestamp(dateOrInstant: toText, endOfDay: true) else { throw args.usage("--to must be YYYY-MM-DD or RFC 3339, got '\(toText)'") }
        guard from < to else { throw args.usage("--to must be after --from") }
        let db = try Console.connect()
        var partnerId: Int64?
        if let code = partnerCode {
            guard let p = try store({ () throws(StoreError) in try PartnerAdminStore(db).find(code: code) }) else {
                throw .failure("no partner with code \(code)")
            }
            partnerId = p.partnerId
        }
        let rows = try store { () throws(StoreError) in try BillingStore(db).export(partnerId: partnerId, from: from, to: to) }
        var csv = "partner_code,ticket_code,product_id,batch_id,reseller_id,amount,commission_rate,commission,net,currency,billed_at\n"
        for (code, l) in rows {
            csv += [code, l.ticketCode, String(l.productId), l.batchId ?? "", l.resellerId ?? "", l.amount.description,
                    l.commissionRate.description, l.commission.description, l.net.description, l.currency, l.billedAt.description]
                .map(field).joined(separator: ",") + "\n"
        }
        if let path = out {
            guard FileManager.default.createFile(atPath: path, contents: Data(csv.utf8)) else { throw .failure("cannot write \(path)") }
            Console.note("wrote \(rows.count) billing lines to \(path)")
        } else {
            FileHandle.standardOutput.write(Data(csv.utf8))
        }
    }

    /// RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula.
    static func field(_ s: String) -> String {
        var v = s
        if let first = v.first, "=+-@".contains(first), Double(v) == nil { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

}

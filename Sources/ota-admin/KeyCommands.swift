import OTACrypto
import OTADomain
import OTAStore
import Postgres

/// `key issue|list|revoke|rotate`. A new key is printed once, alone on standard output
/// (so `KEY=$(ota-admin key issue C)` captures it); only its SHA-256 is stored.
enum KeyCommands {
    static let help = """
        Usage: ota-admin key COMMAND [options]

        Commands:
          issue C [--label L]              a new key for partner C, printed once (only its hash is kept)
          list C                           the partner's keys: id, prefix, label, dates, state (never secrets)
          revoke KEY_ID                    the key stops working at once
          rotate C --overlap-hours 0..720  a new key, printed once; the partner's other live keys keep
                                           working for H more hours, then expire
        Run ota-admin key COMMAND --help for one command.
        """

    static let usages: [String: String] = [
        "issue": "Usage: ota-admin key issue C [--label L]\nIssues a key for partner C and prints it once, alone on standard output; store it now.",
        "list": "Usage: ota-admin key list C\nThe partner's keys: id, prefix, label, created, expires, revoked, state. Secrets are never stored.",
        "revoke": "Usage: ota-admin key revoke KEY_ID\nRevokes the key (KEY_ID from key list); it stops working within the gateways' auth cache time.",
        "rotate": """
            Usage: ota-admin key rotate C --overlap-hours 0..720 [--label L]
            Issues a new key (printed once) and lets the partner's other live keys work for H more hours
            (a key that expires sooner keeps its earlier deadline). 0 ends them now.
            """,
    ]

    static let maxOverlapHours = 720

    static func run(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: help, usages: usages) else { return }
        switch sub {
        case "issue", "rotate":
            let label = try args.value("--label") ?? ""
            guard label.count <= PartnerLimits.keyLabelMaxLength else {
                throw args.usage("--label must be at most \(PartnerLimits.keyLabelMaxLength) characters")
            }
            var overlap: Int?
            if sub == "rotate" {
                overlap = try args.int("--overlap-hours", in: 0...maxOverlapHours)
                if overlap == nil { throw args.usage("--overlap-hours is required") }
            }
            let code = try args.positional("C")
            try args.finish()
            try issue(code: code, label: label, overlapHours: overlap)
        case "list":
            let code = try args.positional("C")
            try args.finish()
            let db = try Console.connect()
            let keys = try store { () throws(StoreError) -> [APIKeyRecord]? in
                guard let p = try PartnerAdminStore(db).find(code: code) else { return nil }
                return try PartnerAdminStore(db).keys(partnerId: p.partnerId)
            }
            guard let keys else { throw PartnerCommands.unknownPartner(code) }
            table(keys).print()
        default:
            let id = try args.int(positional: "KEY_ID", in: 1...Int(Int64.max))
            try args.finish()
            let db = try Console.connect()
            switch try store({ () throws(StoreError) in try PartnerAdminStore(db).revokeKey(keyId: Int64(id)) }) {
            case let .revoked(k):
                print("revoked key \(k.keyId) (\(k.prefix)) of partner \(k.partnerCode)")
            case let .alreadyRevoked(k):
                print("key \(k.keyId) (\(k.prefix)) of partner \(k.partnerCode) was already revoked at \(Console.time(k.revokedAt))")
            case .notFound:
                throw .failure("no key with id \(id); see ota-admin key list C")
            }
        }
    }

    /// Issues (overlapHours nil) or rotates, in one transaction.
    static func issue(code: String, label: String, overlapHours: Int?) throws(AdminError) {
        let key: IssuedAPIKey
        do {
            key = try APIKey.issue()
        } catch {
            throw .failure("cannot generate a key: no randomness available (\(error))")
        }
        let db = try Console.connect()
        let result = try store { () throws(StoreError) -> (PartnerRecord, APIKeyRecord, [APIKeyRecord])? in
            try storeTransaction(db) { () throws(StoreError) -> (PartnerRecord, APIKeyRecord, [APIKeyRecord])? in
                let partners = PartnerAdminStore(db)
                guard let p = try partners.find(code: code) else { return nil }
                if let hours = overlapHours {
                    let (issued, expiring) = try partners.rotateKey(partnerId: p.partnerId, key: key, label: label, overlapSeconds: hours * 3600)
                    return (p, issued, expiring)
                }
                return (p, try partners.issueKey(partnerId: p.partnerId, key: key, label: label), [])
            }
        }
        guard let result else { throw PartnerCommands.unknownPartner(code) }
        let (partner, issued, expiring) = result
        print(key.secret)
        Console.note("issued key \(issued.keyId) (\(issued.prefix)) for partner \(partner.code): it is shown only this once, store it now")
        if !partner.isActive { Console.note("note: partner \(partner.code) is disabled; its keys answer 403 until ota-admin partner enable \(partner.code)") }
        for k in expiring {
            Console.note("key \(k.keyId) (\(k.prefix)) now expires at \(Console.time(k.expiresAt))")
        }
        if overlapHours != nil, expiring.isEmpty { Console.note("the partner had no other live key") }
    }

    static func table(_ keys: [APIKeyRecord]) -> Table {
        var t = Table("id", "prefix", "label", "created", "expires", "revoked", "state")
        for k in keys {
            let state = k.revokedAt != nil ? "revoked" : (k.isLive ? (k.expiresAt == nil ? "live" : "live (expiring)") : "expired")
            t.add(String(k.keyId), k.prefix, k.label.isEmpty ? "-" : k.label, Console.time(k.createdAt), Console.time(k.expiresAt),
                  Console.time(k.revokedAt), state)
        }
        return t
    }
}

import OTADomain
import OTAStore
import Postgres

/// `venue create|list`: the partners' venues, where their operators redeem tickets.
enum VenueCommands {
    static let help = """
        Usage: ota-admin venue COMMAND [options]

        Commands:
          create --partner C --id VENUE_ID --name N [--address A]   a venue of partner C
          list [C]                                                  venues of partner C, or of every partner
        Run ota-admin venue COMMAND --help for one command.
        """

    static let usages: [String: String] = [
        "create": """
            Usage: ota-admin venue create --partner C --id VENUE_ID --name N [--address A]
            Creates a venue of partner C. VENUE_ID: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit,
            unique across partners. N: 1-200 characters; A: at most 500.
            """,
        "list": "Usage: ota-admin venue list [C]\nVenues of partner C, or of every partner: id, partner, name, address, status.",
    ]

    static let maxNameLength = 200
    static let maxAddressLength = 500

    static func run(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: help, usages: usages) else { return }
        if sub == "list" {
            let code = try args.optionalPositional("C")
            try args.finish()
            return try list(code)
        }
        guard let code = try args.value("--partner") else { throw args.usage("--partner is required") }
        guard let id = try args.value("--id") else { throw args.usage("--id is required") }
        guard let name = try args.value("--name") else { throw args.usage("--name is required") }
        let address = try args.value("--address")
        try args.finish()
        guard Venue.isValidId(id) else {
            throw args.usage("--id must be 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit, got '\(id)'")
        }
        guard (1...maxNameLength).contains(name.count) else { throw args.usage("--name must be 1 to \(maxNameLength) characters") }
        if let address, address.count > maxAddressLength {
            throw args.usage("--address must be at most \(maxAddressLength) characters")
        }
        let db = try Console.connect()
        enum Outcome { case created, unknownPartner, taken(Venue?) }
        let outcome = try store { () throws(StoreError) -> Outcome in
            try storeTransaction(db) { () throws(StoreError) -> Outcome in
                guard let p = try PartnerAdminStore(db).find(code: code) else { return .unknownPartner }
                let venues = VenueStore(db)
                guard try venues.ensure(venueId: id, partnerId: p.partnerId, name: name, address: address) else {
                    return .taken(try venues.find(venueId: id))
                }
                return .created
            }
        }
        switch outcome {
        case .created: print("created venue \(id) of partner \(code)")
        case .unknownPartner: throw PartnerCommands.unknownPartner(code)
        case let .taken(v):
            let owner = v.map { " (venue of partner id \($0.partnerId): \($0.name))" } ?? ""
            throw .failure("a venue with id \(id) exists already\(owner); venue ids are unique across partners")
        }
    }

    static func list(_ code: String?) throws(AdminError) {
        let db = try Console.connect()
        let rows = try store { () throws(StoreError) -> [(String, Venue)]? in
            try storeTransaction(db) { () throws(StoreError) -> [(String, Venue)]? in
                var partners = try PartnerAdminStore(db).list()
                if let code {
                    partners = partners.filter { $0.code == code }
                    if partners.isEmpty { return nil }
                }
                var rows: [(String, Venue)] = []
                for p in partners {
                    rows += try VenueStore(db).list(partnerId: p.partnerId).map { (p.code, $0) }
                }
                return rows
            }
        }
        guard let rows else { throw PartnerCommands.unknownPartner(code ?? "") }
        var t = Table("venue", "partner", "name", "address", "status")
        for (partner, v) in rows { t.add(v.venueId, partner, v.name, v.address ?? "-", v.isOpen ? "active" : "closed") }
        t.print()
    }
}

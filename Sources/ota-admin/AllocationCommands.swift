import OTAStore
import Postgres

/// `allocation show|set|move|stripes` (channel pools) and `allotment set|list` (a
/// partner's cap inside the shared OTA pool).
enum AllocationCommands {
    static let allocationHelp = """
        Usage: ota-admin allocation COMMAND [options]

        Commands:
          show [PRODUCT]                                 allocated, reserved, sold, available, stripes per
                                                         channel, and the product's sellable_cap
          set PRODUCT CHANNEL UNITS                      one channel's allocation (CHANNEL: direct or ota);
                                                         never below its reserved + sold, never above the cap
          move PRODUCT --from CHANNEL --to CHANNEL UNITS units from one channel to the other, in one step
          stripes PRODUCT K                              split the OTA pool over K slot rows (1..64) for
                                                         concurrent holds; the totals stay the same
        Run ota-admin allocation COMMAND --help for one command.
        """

    static let allocationUsages: [String: String] = [
        "show": """
            Usage: ota-admin allocation show [PRODUCT]
            Per product and channel: allocated, reserved, sold, available, stripes (the slot rows the pool is
            split over), and the product's sellable_cap.
            """,
        "stripes": """
            Usage: ota-admin allocation stripes PRODUCT K
            Splits the product's OTA pool over K slot rows (K: 1 to 64; 1 is one row, the default), so that
            concurrent holds lock different rows. Allocated, reserved and sold stay the same; the free units
            are spread over the K open slots, holds and tickets stay on their slots (a slot above K is closed:
            it takes no new holds and gives back what they free). Prints the pool and its slots.
            """,
        "set": """
            Usage: ota-admin allocation set PRODUCT CHANNEL UNITS
            Sets one channel's allocation (CHANNEL: direct or ota; creates the pool if the product has none for
            it). Refused below the channel's reserved + sold, and when the product's allocations would sum
            above its sellable_cap.
            """,
        "move": """
            Usage: ota-admin allocation move PRODUCT --from CHANNEL --to CHANNEL UNITS
            Moves UNITS of allocation between the product's channels (direct, ota) in one transaction; the sum
            stays the same. Refused when the source would fall below its reserved + sold.
            """,
    ]

    static let allotmentHelp = """
        Usage: ota-admin allotment COMMAND [options]

        Commands:
          set C PRODUCT UNITS|none   cap partner C at UNITS of the product inside the shared OTA pool
                                     (active holds + issued tickets); none removes the cap
          list [C]                   allotments with what each partner uses and has left
        Run ota-admin allotment COMMAND --help for one command.
        """

    static let allotmentUsages: [String: String] = [
        "set": """
            Usage: ota-admin allotment set C PRODUCT UNITS|none
            Caps partner C at UNITS units of PRODUCT inside the shared OTA pool: its active holds plus its issued
            (not cancelled) tickets. Holds and batches beyond it answer 409 allotment_exhausted. Refused below
            what the partner uses now. none removes the cap.
            """,
        "list": "Usage: ota-admin allotment list [C]\nAllotments (of partner C, or all): units, used (active holds + issued tickets), remaining.",
    ]

    static let unitsRange = 0...Int(Int32.max)
    static let productRange = 1...Int(Int32.max)

    static func allocation(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: allocationHelp, usages: allocationUsages) else { return }
        switch sub {
        case "show":
            let product = try args.optionalPositional("PRODUCT").map { p throws(AdminError) in
                try Arguments.int(p, name: "PRODUCT", in: productRange, command: args.command)
            }
            try args.finish()
            let db = try Console.connect()
            let pools = try store { () throws(StoreError) in try AllocationStore(db).pools(productId: product) }
            if let product, pools.isEmpty { throw .failure("product \(product) has no channel pools; see ota-admin allocation show") }
            show(pools)
        case "stripes":
            let product = try args.int(positional: "PRODUCT", in: productRange)
            let k = try args.int(positional: "K", in: AllocationStore.stripesRange)
            try args.finish()
            let db = try Console.connect()
            try reportStripes(try store { () throws(StoreError) in try AllocationStore(db).stripes(productId: product, k: k) },
                              product: product)
        case "set":
            let product = try args.int(positional: "PRODUCT", in: productRange)
            let channel = try Self.channel(try args.positional("CHANNEL"), "CHANNEL", args)
            let units = try args.int(positional: "UNITS", in: unitsRange)
            try args.finish()
            let db = try Console.connect()
            try report(try store { () throws(StoreError) in try AllocationStore(db).set(productId: product, channel: channel, units: units) },
                       product: product, channel: channel)
        default:
            let from = try args.value("--from").map { c throws(AdminError) in try channel(c, "--from", args) }
            let to = try args.value("--to").map { c throws(AdminError) in try channel(c, "--to", args) }
            let product = try args.int(positional: "PRODUCT", in: productRange)
            let units = try args.int(positional: "UNITS", in: 1...Int(Int32.max))
            try args.finish()
            guard let from, let to else { throw args.usage("--from and --to are required") }
            guard from != to else { throw args.usage("--from and --to must be different channels") }
            let db = try Console.connect()
            try report(try store { () throws(StoreError) in try AllocationStore(db).move(productId: product, from: from, to: to, units: units) },
                       product: product, channel: from)
        }
    }

    static func channel(_ text: String, _ name: String, _ args: Arguments) throws(AdminError) -> SalesChannel {
        guard let c = SalesChannel(rawValue: text) else {
            throw args.usage("\(name) must be \(SalesChannel.allCases.map(\.rawValue).joined(separator: " or ")), got '\(text)'")
        }
        return c
    }

    static func report(_ outcome: AllocationStore.ChangeOutcome, product: Int, channel: SalesChannel) throws(AdminError) {
        switch outcome {
        case let .changed(pools):
            print("product \(product) allocations are now:")
            show(pools)
        case .unknownProduct:
            throw .failure("no product \(product); see ota-admin allocation show")
        case let .noPool(c):
            throw .failure("product \(product) has no \(c) pool; create it with ota-admin allocation set \(product) \(c) UNITS")
        case let .belowCommitted(pool, requested):
            throw .failure("refused: product \(product) \(pool.channel) has \(pool.committed) units reserved + sold (\(pool.reserved) reserved, \(pool.sold) sold), so its allocation cannot go to \(requested); nothing was changed")
        case let .aboveCap(cap, others, requested):
            throw .failure("refused: product \(product) has sellable_cap \(cap) and its other channels hold \(others), so \(channel.rawValue) can have at most \(max(cap - others, 0)), not \(requested); nothing was changed")
        case let .refused(message):
            throw .failure("refused by the database: \(message); nothing was changed")
        }
    }

    static func show(_ pools: [ChannelAllocation]) {
        table(pools)
        var seen = Set<Int>()
        for p in pools where seen.insert(p.productId).inserted {
            let total = pools.filter { $0.productId == p.productId }.reduce(0) { $0 + $1.allocated }
            print("product \(p.productId): \(total) of sellable_cap \(p.sellableCap) allocated, \(p.sellableCap - total) unallocated")
        }
    }

    static func table(_ pools: [ChannelAllocation]) {
        var t = Table("product", "name", "channel", "allocated", "reserved", "sold", "available", "stripes", "sellable_cap")
        for p in pools {
            t.add(String(p.productId), p.productName, p.channel, String(p.allocated), String(p.reserved), String(p.sold),
                  String(p.available), String(p.stripes), String(p.sellableCap))
        }
        t.print()
    }

    static func reportStripes(_ outcome: AllocationStore.StripesOutcome, product: Int) throws(AdminError) {
        switch outcome {
        case let .changed(pool, slots):
            print("product \(product) ota pool is now split over \(pool.stripes) slots:")
            table([pool])
            var t = Table("slot", "open", "allocated", "reserved", "sold", "available")
            for s in slots {
                t.add(String(s.slot), s.open ? "yes" : "no", String(s.allocated), String(s.reserved), String(s.sold), String(s.available))
            }
            t.print()
        case .unknownProduct:
            throw .failure("no product \(product); see ota-admin allocation show")
        case let .noPool(c):
            throw .failure("product \(product) has no \(c) pool; create it with ota-admin allocation set \(product) \(c) UNITS")
        case let .outOfRange(k):
            throw .usage("K must be between \(AllocationStore.stripesRange.lowerBound) and \(AllocationStore.stripesRange.upperBound), got \(k)")
        case let .refused(message):
            throw .failure("refused by the database: \(message); nothing was changed")
        }
    }

    // MARK: allotments

    static func allotment(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: allotmentHelp, usages: allotmentUsages) else { return }
        if sub == "list" {
            let code = try args.optionalPositional("C")
            try args.finish()
            let db = try Console.connect()
            let list = try store { () throws(StoreError) -> [Allotment]? in
                guard let code else { return try AllocationStore(db).allotments(partnerId: nil) }
                guard let p = try PartnerAdminStore(db).find(code: code) else { return nil }
                return try AllocationStore(db).allotments(partnerId: p.partnerId)
            }
            guard let list else { throw PartnerCommands.unknownPartner(code ?? "") }
            return allotmentTable(list).print()
        }
        let code = try args.positional("C")
        let product = try args.int(positional: "PRODUCT", in: productRange)
        let unitsText = try args.positional("UNITS")
        var units: Int?
        if unitsText != "none" { units = try Arguments.int(unitsText, name: "UNITS (or none)", in: unitsRange, command: args.command) }
        try args.finish()
        let db = try Console.connect()
        let outcome = try store { () throws(StoreError) -> AllocationStore.AllotmentOutcome? in
            try storeTransaction(db) { () throws(StoreError) -> AllocationStore.AllotmentOutcome? in
                guard let p = try PartnerAdminStore(db).find(code: code) else { return nil }
                return try AllocationStore(db).setAllotment(partnerId: p.partnerId, productId: product, units: units)
            }
        }
        switch outcome {
        case nil: throw PartnerCommands.unknownPartner(code)
        case let .set(a)?:
            print("partner \(a.partnerCode) may hold at most \(a.units) units of product \(a.productId) (uses \(a.used), \(a.remaining) left)")
        case .removed?: print("partner \(code) has no allotment of product \(product) any more: only the OTA pool limits it")
        case .nothingToRemove?: print("partner \(code) had no allotment of product \(product); nothing changed")
        case .noOTAPool?: throw .failure("product \(product) has no OTA pool; see ota-admin allocation show")
        case let .belowUsage(used)?:
            throw .failure("refused: partner \(code) already uses \(used) units of product \(product) (active holds + issued tickets), so its allotment cannot be \(units ?? 0); nothing was changed")
        }
    }

    static func allotmentTable(_ list: [Allotment]) -> Table {
        var t = Table("partner", "product", "units", "used", "remaining")
        for a in list { t.add(a.partnerCode, String(a.productId), String(a.units), String(a.used), String(a.remaining)) }
        return t
    }
}

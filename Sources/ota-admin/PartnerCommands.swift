import Foundation
import OTADomain
import OTAStore
import Postgres

/// `partner create|list|show|disable|enable|set|permissions`.
enum PartnerCommands {
    static let help = """
        Usage: ota-admin partner COMMAND [options]

        Commands:
          create --code C --name N [--permissions P,P|all|none] [--rate-limit 100..1000]
                 [--max-hold-seconds 60..604800] [--max-per-hold 1..100000]
                                  a new partner (default: no permissions, 300 requests/minute,
                                  holds up to 86400 s and 100 units); then issue it a key
          list                    every partner: limits, permissions, live key count
          show C                  one partner with its keys and allotments
          disable C               its keys answer 403 from now on (within the gateways'
                                  auth cache time, 5 s by default)
          enable C                undo disable
          set C [--name N] [--rate-limit N] [--max-hold-seconds N] [--max-per-hold N]
          permissions C --grant P,P | --revoke P,P | --set P,P|all|none

        Permissions: \(Permission.allCases.map(\.rawValue).joined(separator: ", "))
        Run ota-admin partner COMMAND --help for one command.
        """

    static let usages: [String: String] = [
        "create": """
            Usage: ota-admin partner create --code C --name N [--permissions P,P|all|none] [--rate-limit 100..1000]
                                            [--max-hold-seconds 60..604800] [--max-per-hold 1..100000]
            Creates a partner. C: 2-63 of a-z 0-9 _ -, starting with a letter or digit. Defaults: no
            permissions, 300 requests/minute, holds up to 86400 seconds and 100 units each.
            """,
        "list": "Usage: ota-admin partner list\nEvery partner: id, code, name, status, limits, permissions, live key count.",
        "show": "Usage: ota-admin partner show C\nOne partner with its settings, keys (never secrets) and allotments.",
        "disable": "Usage: ota-admin partner disable C\nThe partner's requests answer 403 until enabled again; its keys stay as they are.",
        "enable": "Usage: ota-admin partner enable C\nUndoes disable.",
        "set": """
            Usage: ota-admin partner set C [--name N] [--rate-limit 100..1000] [--max-hold-seconds 60..604800]
                                           [--max-per-hold 1..100000]
            Changes the given settings; the others stay.
            """,
        "permissions": """
            Usage: ota-admin partner permissions C --grant P,P | --revoke P,P | --set P,P|all|none
            Grants, revokes, or replaces the partner's permissions (exactly one of the three).
            Permissions: \(Permission.allCases.map(\.rawValue).joined(separator: ", "))
            """,
    ]

    static func run(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: help, usages: usages) else { return }
        switch sub {
        case "create": try create(&args)
        case "list":
            try args.finish()
            try list()
        case "show":
            let code = try args.positional("C")
            try args.finish()
            try show(code)
        case "disable", "enable":
            let code = try args.positional("C")
            try args.finish()
            let db = try Console.connect()
            guard let p = try store({ () throws(StoreError) in try PartnerAdminStore(db).setActive(code: code, sub == "enable") }) else {
                throw unknownPartner(code)
            }
            print("partner \(p.code) is now \(p.isActive ? "active" : "disabled")")
            if !p.isActive { Console.note("its requests answer 403 on every gateway from now on") }
        case "set": try set(&args)
        default: try permissions(&args)
        }
    }

    static func settings(_ args: inout Arguments) throws(AdminError) -> PartnerSettings {
        var s = PartnerSettings()
        if let name = try args.value("--name") { s.name = try validName(name, args) }
        s.rateLimitPerMinute = try args.int("--rate-limit", in: PartnerLimits.rateLimitPerMinute)
        s.maxHoldSeconds = try args.int("--max-hold-seconds", in: PartnerLimits.maxHoldSeconds)
        s.maxUnitsPerHold = try args.int("--max-per-hold", in: PartnerLimits.maxUnitsPerHold)
        return s
    }

    static func validName(_ name: String, _ args: Arguments) throws(AdminError) -> String {
        guard PartnerLimits.nameLength.contains(name.count) else {
            throw args.usage("--name must be 1 to \(PartnerLimits.nameLength.upperBound) characters")
        }
        return name
    }

    static func create(_ args: inout Arguments) throws(AdminError) {
        guard let code = try args.value("--code") else { throw args.usage("--code is required") }
        guard PartnerLimits.isValidCode(code) else {
            throw args.usage("--code must be 2 to 63 of a-z, 0-9, '_' and '-', starting with a letter or digit, got '\(code)'")
        }
        let perms = try args.value("--permissions").map { p throws(AdminError) in try parsePermissions(p, option: "--permissions", args) } ?? []
        var s = try settings(&args)
        guard let name = s.name else { throw args.usage("--name is required") }
        s.name = nil
        try args.finish()
        let db = try Console.connect()
        guard let p = try store({ () throws(StoreError) in
            try PartnerAdminStore(db).create(code: code, name: name, permissions: perms, settings: s)
        }) else {
            throw .failure("a partner with code \(code) exists already; see ota-admin partner show \(code)")
        }
        print("created partner \(p.code) (id \(p.partnerId))")
        describe(p)
        if p.permissions.isEmpty { Console.note("it has no permissions yet: ota-admin partner permissions \(p.code) --grant ...") }
        Console.note("it has no API key yet: ota-admin key issue \(p.code)")
    }

    static func list() throws(AdminError) {
        let db = try Console.connect()
        let partners = try store { () throws(StoreError) in try PartnerAdminStore(db).list() }
        var t = Table("id", "code", "name", "status", "limits", "permissions", "live keys")
        for p in partners {
            t.add(String(p.partnerId), p.code, p.name, status(p), limits(p), permissionList(p.permissions), String(p.liveKeys))
        }
        t.print()
    }

    static func show(_ code: String) throws(AdminError) {
        let db = try Console.connect()
        typealias Shown = (partner: PartnerRecord, keys: [APIKeyRecord], allotments: [Allotment])
        let shown = try store { () throws(StoreError) -> Shown? in
            try storeTransaction(db) { () throws(StoreError) -> Shown? in
                guard let p = try PartnerAdminStore(db).find(code: code) else { return nil }
                return (p, try PartnerAdminStore(db).keys(partnerId: p.partnerId), try AllocationStore(db).allotments(partnerId: p.partnerId))
            }
        }
        guard let shown else { throw unknownPartner(code) }
        let (partner, keys, allotments) = shown
        print("partner       \(partner.code) (id \(partner.partnerId))")
        describe(partner)
        print("created       \(Console.time(partner.createdAt))\n\nkeys:")
        KeyCommands.table(keys).print()
        print("\nallotments:")
        AllocationCommands.allotmentTable(allotments).print()
    }

    static func describe(_ p: PartnerRecord) {
        print("""
            name          \(p.name)
            status        \(status(p))
            rate limit    \(p.rateLimitPerMinute) requests/minute
            max hold      \(p.maxHoldSeconds) seconds
            max per hold  \(p.maxUnitsPerHold) units
            permissions   \(permissionList(p.permissions))
            live keys     \(p.liveKeys)
            """)
    }

    static func set(_ args: inout Arguments) throws(AdminError) {
        let s = try settings(&args)
        let code = try args.positional("C")
        try args.finish()
        guard !s.isEmpty else { throw args.usage("nothing to change: give --name, --rate-limit, --max-hold-seconds or --max-per-hold") }
        let db = try Console.connect()
        guard let p = try store({ () throws(StoreError) in try PartnerAdminStore(db).update(code: code, settings: s) }) else {
            throw unknownPartner(code)
        }
        print("updated partner \(p.code)")
        describe(p)
    }

    static func permissions(_ args: inout Arguments) throws(AdminError) {
        var changes: [PermissionChange] = []
        if let g = try args.value("--grant") { changes.append(.grant(try parsePermissions(g, option: "--grant", args))) }
        if let r = try args.value("--revoke") { changes.append(.revoke(try parsePermissions(r, option: "--revoke", args))) }
        if let s = try args.value("--set") { changes.append(.set(try parsePermissions(s, option: "--set", args))) }
        let code = try args.positional("C")
        try args.finish()
        guard changes.count == 1, let change = changes.first else { throw args.usage("give exactly one of --grant, --revoke, --set") }
        let db = try Console.connect()
        guard let p = try store({ () throws(StoreError) in try PartnerAdminStore(db).changePermissions(code: code, change) }) else {
            throw unknownPartner(code)
        }
        print("partner \(p.code) permissions: \(permissionList(p.permissions))")
    }

    /// "p1,p2", "all" or "none".
    static func parsePermissions(_ text: String, option: String, _ args: Arguments) throws(AdminError) -> [Permission] {
        switch text {
        case "all": return Permission.allCases
        case "none": return []
        default: break
        }
        var out: [Permission] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let p = Permission(rawValue: name) else {
                throw args.usage("\(option): unknown permission '\(name)'; use \(Permission.allCases.map(\.rawValue).joined(separator: ", ")), all or none")
            }
            if !out.contains(p) { out.append(p) }
        }
        return out
    }

    static func unknownPartner(_ code: String) -> AdminError {
        .failure("no partner with code \(code); see ota-admin partner list")
    }

    static func status(_ p: PartnerRecord) -> String { p.isActive ? "active" : "disabled" }

    static func limits(_ p: PartnerRecord) -> String {
        "\(p.rateLimitPerMinute)/min, hold \(p.maxHoldSeconds)s, \(p.maxUnitsPerHold)/hold"
    }

    static func permissionList(_ codes: [String]) -> String {
        if codes.isEmpty { return "none" }
        if Set(codes) == Set(Permission.allCases.map(\.rawValue)) { return "all" }
        return codes.joined(separator: ",")
    }
}

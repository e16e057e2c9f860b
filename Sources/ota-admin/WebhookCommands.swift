import OTADomain
import OTAStore
import Postgres

/// `webhook list|disable|enable|reseal`: the partners' webhook endpoints, for the operator's ops
/// team (never their secrets).
enum WebhookCommands {
    static let help = """
        Usage: ota-admin webhook COMMAND [options]

        Commands:
          list [C]                       endpoints of partner C, or of every partner: id, partner, status,
                                         failing since, queue (pending deliveries), events, url, reason
          disable ENDPOINT_ID [--reason TEXT]   stops deliveries to it; the partner sees the reason
          enable ENDPOINT_ID             delivers again, including what waited meanwhile
          reseal --key-id ID [--batch-size N]   after a master-key rotation: every stored secret under the active key
        Run ota-admin webhook COMMAND --help for one command.
        """

    static let usages: [String: String] = [
        "list": "Usage: ota-admin webhook list [C]\nEndpoints of partner C, or of every partner, with their state and queue.",
        "disable": """
            Usage: ota-admin webhook disable ENDPOINT_ID [--reason TEXT]
            Disables the endpoint (any partner's): nothing is sent to it until it is enabled again; its pending
            deliveries wait. The partner sees TEXT as disabled_reason (default: disabled by the operator).
            """,
        "enable": "Usage: ota-admin webhook enable ENDPOINT_ID\nEnables the endpoint again; waiting deliveries go out.",
        "reseal": WebhookResealCommand.usage,
    ]

    static let maxReasonLength = 300

    static func run(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: help, usages: usages) else { return }
        switch sub {
        case "reseal":
            try WebhookResealCommand.run(&args)
        case "list":
            let code = try args.optionalPositional("C")
            try args.finish()
            try list(code)
        default:
            let reason = sub == "disable" ? try args.value("--reason") ?? "disabled by the operator" : ""
            guard reason.count <= maxReasonLength else { throw args.usage("--reason must be at most \(maxReasonLength) characters") }
            let id = try args.positional("ENDPOINT_ID")
            try args.finish()
            let db = try Console.connect()
            let changed = try store { () throws(StoreError) -> WebhookEndpoint? in
                let endpoints = WebhookStore(db)
                if sub == "disable" { return try endpoints.disable(endpointId: id, reason: reason) }
                guard let e = try endpoints.all(partnerId: nil).first(where: { $0.endpointId == id }) else { return nil }
                return try endpoints.update(endpointId: id, partnerId: e.partnerId, input: WebhookEndpointInput(enabled: true),
                                            disabledReason: "")
            }
            guard let changed else { throw .failure("no webhook endpoint \(id); see ota-admin webhook list") }
            print("\(changed.isEnabled ? "enabled" : "disabled") webhook \(id)\(changed.isEnabled ? "" : ": \(reason)")")
        }
    }

    static func list(_ code: String?) throws(AdminError) {
        let db = try Console.connect()
        let rows = try store { () throws(StoreError) -> [(String, WebhookEndpoint, Int)]? in
            try storeTransaction(db) { () throws(StoreError) -> [(String, WebhookEndpoint, Int)]? in
                var partners = try PartnerAdminStore(db).list()
                if let code {
                    partners = partners.filter { $0.code == code }
                    if partners.isEmpty { return nil }
                }
                let codes = Dictionary(uniqueKeysWithValues: partners.map { ($0.partnerId, $0.code) })
                let queue = try WebhookDeliveryStore(db).pendingByEndpoint()
                return try WebhookStore(db).all(partnerId: code == nil ? nil : partners.first?.partnerId).compactMap { e in
                    codes[e.partnerId].map { ($0, e, queue[e.endpointId] ?? 0) }
                }
            }
        }
        guard let rows else { throw PartnerCommands.unknownPartner(code ?? "") }
        var t = Table("endpoint", "partner", "status", "failing since", "queue", "events", "url", "reason")
        for (partner, e, queued) in rows {
            t.add(e.endpointId, partner, e.isEnabled ? "enabled" : "disabled", Console.time(e.failingSince), String(queued),
                  e.events.map(\.rawValue).joined(separator: ","), e.url, e.disabledReason ?? "-")
        }
        t.print()
    }
}

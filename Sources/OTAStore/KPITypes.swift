public import OTADomain

/// The product requirement's figures, as the console and GET /api/admin/kpis show them.
/// Every count is exact, read from the database in one snapshot; a window is [from, to).
public enum KPI {
    /// Which rows count: every product and partner, or one of each.
    public struct Filter: Sendable, Equatable {
        public var productId: Int?
        public var partnerId: Int64?
        public init(productId: Int? = nil, partnerId: Int64? = nil) {
            self.productId = productId
            self.partnerId = partnerId
        }
    }

    /// Holds made in the window, and holds that ended in it by outcome. The rates are over
    /// the holds that ended in the window (nil when none did).
    public struct Holds: Sendable, Equatable {
        public var made = 0
        public var madeUnits = 0
        public var activated = 0
        public var cancelled = 0
        public var expired = 0
        public init() {}
        public var ended: Int { activated + cancelled + expired }
        public var activationRate: Double? { ended > 0 ? Double(activated) / Double(ended) : nil }
        public var expiryRate: Double? { ended > 0 ? Double(expired) / Double(ended) : nil }
        mutating func add(_ o: Holds) {
            made += o.made; madeUnits += o.madeUnits; activated += o.activated; cancelled += o.cancelled; expired += o.expired
        }
    }

    /// Tickets issued in the window by where their unit came from, and tickets cancelled in it.
    public struct Sales: Sendable, Equatable {
        public var fromHolds = 0
        public var fromBatches = 0
        public var cancelled = 0
        public init() {}
        public var total: Int { fromHolds + fromBatches }
        mutating func add(_ o: Sales) { fromHolds += o.fromHolds; fromBatches += o.fromBatches; cancelled += o.cancelled }
    }

    /// Redemptions in the window, and the billing lines written in it (first redemptions).
    public struct Billing: Sendable, Equatable {
        public var redemptions = 0
        public var billedTickets = 0
        public var gross = Money.zero
        public var commission = Money.zero
        public var net = Money.zero
        public init() {}
        mutating func add(_ o: Billing) {
            redemptions += o.redemptions; billedTickets += o.billedTickets
            gross = gross + o.gross; commission = commission + o.commission; net = net + o.net
        }
    }

    /// Everything that can be counted per product and per partner.
    public struct Activity: Sendable, Equatable {
        public var holds = Holds()
        public var sales = Sales()
        public var billing = Billing()
        public init() {}
        mutating func add(_ o: Activity) { holds.add(o.holds); sales.add(o.sales); billing.add(o.billing) }
        var isEmpty: Bool { self == Activity() }
    }

    public struct ProductActivity: Sendable, Equatable {
        public var productId: Int
        public var name: String
        public var activity: Activity
    }

    public struct PartnerActivity: Sendable, Equatable {
        public var partnerId: Int64
        public var code: String
        public var name: String
        public var activity: Activity
    }

    /// One pool now, with its utilisation: (reserved + sold) / allocated.
    public typealias Pool = ChannelAllocation

    /// The request figures of one route (operationId) over the window, summed over every
    /// gateway that flushed them. Latencies are estimated from the histogram buckets as
    /// Prometheus' histogram_quantile does (linear within a bucket).
    public struct Route: Sendable, Equatable {
        public var route: String
        public var requests = 0
        public var clientErrors = 0
        public var serverErrors = 0
        public var secondsSum = 0.0
        public var p50: Double?
        public var p99: Double?
        public var errorRate: Double? { requests > 0 ? Double(serverErrors) / Double(requests) : nil }
    }

    public struct Report: Sendable {
        public var from: Timestamp
        public var to: Timestamp
        public var asOf: Timestamp
        public var filter: Filter
        public var total: Activity
        public var products: [ProductActivity]
        /// Partners with any activity in the window (and the filtered one), most units sold first.
        public var partners: [PartnerActivity]
        public var partnersOnboarded: Int
        public var partnersActive: Int
        public var pools: [Pool]
        public var routes: [Route]
        public var invariants: [InvariantCheck.Result]

        /// (reserved + sold) / allocated over every pool of the channel (nil: nothing allocated).
        public func utilisation(channel: String) -> Double? {
            let ps = pools.filter { $0.channel == channel }
            let allocated = ps.reduce(0) { $0 + $1.allocated }
            return allocated > 0 ? Double(ps.reduce(0) { $0 + $1.reserved + $1.sold }) / Double(allocated) : nil
        }

        public var requests: Route {
            var all = Route(route: "all")
            for r in routes { all.requests += r.requests; all.clientErrors += r.clientErrors; all.serverErrors += r.serverErrors }
            all.p99 = routes.compactMap(\.p99).max()
            all.p50 = nil
            return all
        }
    }

    /// The PRD's targets, in one place for the page, the API and the alert rules' docs.
    public enum Target {
        public static let utilisation = 0.80
        public static let activationRate = 0.70
        public static let expiryRateAlert = 0.10
        public static let errorRate = 0.01
        public static let responseSeconds = 2.0
    }
}

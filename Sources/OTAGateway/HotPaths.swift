import Postgres

/// What the hot paths (GET /inventory, POST /reserve) keep in memory, shared by the
/// workers of one gateway: the catalog (exact, CatalogCache) and the pools' latest reading
/// (bounded staleness, InventorySnapshots). The threads that keep them current belong to
/// the gateway (Gateway.makeServer) or to the test that made them.
final class HotPaths: Sendable {
    /// How long the catalog listener may hear nothing from PostgreSQL (it pings every
    /// 250 ms) before nothing is cached: the catalog's documented bound.
    static let catalogSilenceBound: Duration = .seconds(1)

    let catalog: CatalogCache
    /// nil (OTA_INVENTORY_MAX_STALENESS_MS=0): every inventory read queries the pools.
    let inventory: InventorySnapshots?
    private let listener: InvalidationListener?
    private let poller: PostgresConfiguration?

    /// `auth`: the key caches' generation, heard on the same listener connection (nil: not
    /// cached). Nothing runs until `start`.
    init(_ config: GatewayConfiguration, auth: AuthGeneration?, clock: (@Sendable () -> UInt64)? = nil, poll: Bool = true) {
        let catalogGeneration = InvalidationGeneration(maxSilence: Self.catalogSilenceBound)
        catalog = CatalogCache(generation: catalogGeneration)
        var channels: [String: InvalidationGeneration] = [:]
        if let auth { channels[InvalidationListener.authChannel] = auth }
        if config.catalogCache { channels[InvalidationListener.catalogChannel] = catalogGeneration }
        listener = channels.isEmpty ? nil : InvalidationListener(configuration: config.postgres, generations: channels)
        if config.inventoryMaxStalenessMs > 0 {
            inventory = InventorySnapshots(maxStaleness: .milliseconds(config.inventoryMaxStalenessMs),
                                           pollInterval: .milliseconds(config.inventoryPollMs),
                                           idleAfter: .milliseconds(config.inventoryIdleMs), clock: clock ?? { uptimeNanos() })
        } else {
            inventory = nil
        }
        poller = poll ? config.postgres : nil
    }

    /// Nothing in memory: every request reads the database (in-process tests by default).
    init() {
        catalog = CatalogCache(generation: InvalidationGeneration())
        inventory = nil
        listener = nil
        poller = nil
    }

    func start() {
        listener?.start()
        if let poller { inventory?.startPoller(poller) }
    }

    func stop() {
        listener?.stop()
        inventory?.stop()
    }
}

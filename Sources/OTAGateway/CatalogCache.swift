import OTAStore
import Postgres
import Synchronization

/// The catalog (prices, discounts, special dates, currency, customer types, enabled
/// webhook subscriptions) in memory, shared by the workers of one gateway and exact: a
/// copy is used only while it carries the current generation, which the listener moves
/// on every `ota_catalog_changed` notification (sql/migrations/0018) and which is nil —
/// nothing cached — while the listener is not connected or has not heard from
/// PostgreSQL for its silence bound (1 s). A change committed with SQL or ota-admin is
/// thus used by every gateway once its notification arrives (milliseconds), and never
/// later than that bound.
///
/// Loading is lazy, on the first use after a change, by one worker at a time with one
/// statement (CatalogStore.snapshot). The others meanwhile read the database themselves
/// with the same statement, as an uncached request does, rather than wait: a worker never
/// blocks on another's query, and the reload costs one round trip once per change.
final class CatalogCache: Sendable {
    let generation: InvalidationGeneration

    private struct State {
        var catalog: CatalogSnapshot?
        var generation: UInt64 = 0
        var loading = false
    }
    private let state = Mutex(State())

    init(generation: InvalidationGeneration) { self.generation = generation }

    /// The catalog, and the generation it is current for (nil: read from the database,
    /// not cached), which lets a worker reuse what it rendered from it.
    func current(_ db: PostgresConnection) throws(StoreError) -> (catalog: CatalogSnapshot, generation: UInt64?) {
        // Read before the database: a change committed after this point moves the
        // generation on, so a copy loaded now is never used past that change.
        guard let g = generation.current else { return (try CatalogStore(db).snapshot(), nil) }
        enum Step { case use(CatalogSnapshot), load, read }
        let step = state.withLock { s -> Step in
            if let c = s.catalog, s.generation == g { return .use(c) }
            if s.loading { return .read }
            s.loading = true
            return .load
        }
        switch step {
        case let .use(c):
            return (c, g)
        case .read:
            return (try CatalogStore(db).snapshot(), nil)
        case .load:
            let loaded: CatalogSnapshot
            do {
                loaded = try CatalogStore(db).snapshot()
            } catch {
                state.withLock { $0.loading = false }
                throw error
            }
            state.withLock { s in
                s.loading = false
                if s.catalog == nil || g >= s.generation { (s.catalog, s.generation) = (loaded, g) }
            }
            return (loaded, g)
        }
    }

    /// A worker's own copy of the shared one, with the generation it is current for.
    struct Copy {
        let catalog: CatalogSnapshot
        let generation: UInt64
    }

    /// As `current(_:)`, through the worker's copy: while it carries the current
    /// generation no lock is taken; otherwise the shared copy (or the database) refreshes it.
    func current(_ db: PostgresConnection, copy: inout Copy?) throws(StoreError) -> (catalog: CatalogSnapshot, generation: UInt64?) {
        guard let g = generation.current else {
            copy = nil
            return (try CatalogStore(db).snapshot(), nil)
        }
        if let c = copy, c.generation == g { return (c.catalog, g) }
        let fresh = try current(db)
        copy = fresh.generation.map { Copy(catalog: fresh.catalog, generation: $0) }
        return fresh
    }

    /// This gateway changed the catalog itself (a webhook endpoint), committed: the next
    /// request reloads without waiting for the notification.
    func changedHere() { generation.changed() }
}

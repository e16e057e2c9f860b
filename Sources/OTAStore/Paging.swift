import Postgres

extension PostgresRows {
    /// A page of rows read with `LIMIT limit + 1` (one more than the page, to tell whether
    /// more follow): the first `limit` as items, and whether there were more.
    func page<T>(_ limit: Int, _ item: (PostgresRow) throws -> T) rethrows -> (items: [T], more: Bool) {
        (try prefix(limit).map(item), count > limit)
    }
}

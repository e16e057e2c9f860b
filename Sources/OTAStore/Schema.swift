/// The schema version this build expects: the number of the newest file in
/// sql/migrations. /readyz reports not ready until the database is at least there.
public enum Schema {
    public static let expectedVersion = 21
}

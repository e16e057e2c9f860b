import CLibPQ

/// Owns one PGresult and PQclears it exactly once, when it goes out of scope. Not
/// copyable, so no second owner can clear it again or read it after the clear; callers
/// copy what they need into Swift values while it lives.
struct PGResult: ~Copyable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        PQclear(pointer)
    }

    var status: ExecStatusType { PQresultStatus(pointer) }

    func errorField(_ field: Int32) -> String? {
        guard let value = PQresultErrorField(pointer, field) else { return nil }
        return String(cString: value)
    }

    /// The whole result copied into Swift strings (cells are UTF-8: the session sets
    /// client_encoding).
    func rows() -> PostgresRows {
        let rowCount = Int(PQntuples(pointer))
        let columnCount = Int(PQnfields(pointer))
        var names: [String] = []
        names.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            names.append(PQfname(pointer, column).map { String(cString: $0) } ?? "?column?")
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(pointer, row, column) != 0 {
                    cells.append(nil)
                    continue
                }
                let length = Int(PQgetlength(pointer, row, column))
                guard let value = PQgetvalue(pointer, row, column) else {
                    cells.append(nil)
                    continue
                }
                let bytes = UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self)
                cells.append(String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self))
            }
        }
        let affected = PQcmdTuples(pointer).flatMap { Int(String(cString: $0)) } ?? 0
        return PostgresRows(
            columns: PostgresColumns(names: names), cells: cells, rowCount: rowCount, affectedRows: affected)
    }

    /// The server's error fields; libpq's own message when it made the error up itself
    /// (a dropped connection has no SQLSTATE).
    func error(connectionMessage: @autoclosure () -> String) -> PostgresError {
        let sqlState = errorField(OTA_PG_DIAG_SQLSTATE)
        var message = errorField(OTA_PG_DIAG_MESSAGE_PRIMARY)
        if message == nil || message?.isEmpty == true {
            let resultMessage = PQresultErrorMessage(pointer).map { String(cString: $0) } ?? ""
            message = resultMessage.isEmpty ? connectionMessage() : resultMessage.trimmingTrailingNewlines()
        }
        var error = PostgresError(
            code: .init(sqlState: sqlState),
            message: message ?? "unknown error",
            sqlState: sqlState,
            detail: errorField(OTA_PG_DIAG_MESSAGE_DETAIL),
            hint: errorField(OTA_PG_DIAG_MESSAGE_HINT),
            constraint: errorField(OTA_PG_DIAG_CONSTRAINT_NAME))
        error.sourceFunction = errorField(OTA_PG_DIAG_SOURCE_FUNCTION)
        return error
    }
}

/// Text parameters laid out for PQexecPrepared: one buffer of NUL-terminated strings and
/// an array of pointers into it (nil for SQL NULL), alive only during the call.
struct ParameterBuffer {
    private var storage: [CChar] = []
    private var offsets: [Int?] = []

    var count: Int32 { Int32(offsets.count) }

    init(_ binds: [String?]) throws(PostgresError) {
        // The protocol counts parameters in 16 bits.
        guard binds.count <= 65_535 else {
            throw PostgresError(code: .other, message: "\(binds.count) parameters; PostgreSQL accepts at most 65535")
        }
        offsets.reserveCapacity(binds.count)
        for (position, bind) in binds.enumerated() {
            guard let bind else {
                offsets.append(nil)
                continue
            }
            // A C string would silently end at the NUL and store a truncated value.
            guard !bind.utf8.contains(0) else {
                throw PostgresError(
                    code: .other, message: "parameter $\(position + 1) contains a NUL byte, which PostgreSQL text cannot hold",
                    sqlState: "22021")
            }
            offsets.append(storage.count)
            storage.append(contentsOf: bind.utf8CString)
        }
    }

    func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        storage.withUnsafeBufferPointer { buffer in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard let offset, let base = buffer.baseAddress else { return nil }
                return base + offset
            }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }
}

/// The per-connection cache of named prepared statements, keyed by SQL text. Bounded, so
/// SQL assembled with `unescaped:` pieces cannot grow the server's memory without limit;
/// the oldest statement is evicted first.
struct PreparedStatements {
    static let capacity = 512

    private var names: [String: String] = [:]
    private var order: [String] = []
    private var counter = 0

    func name(for sql: String) -> String? { names[sql] }

    mutating func nextName() -> String {
        counter += 1
        return "stmt_\(counter)"
    }

    /// Records a prepared statement; returns the name of one to DEALLOCATE when full.
    mutating func insert(sql: String, name: String) -> String? {
        names[sql] = name
        order.append(sql)
        guard order.count > Self.capacity else { return nil }
        let oldest = order.removeFirst()
        return names.removeValue(forKey: oldest)
    }

    mutating func remove(sql: String) {
        names[sql] = nil
        order.removeAll { $0 == sql }
    }

    mutating func removeAll() {
        names.removeAll()
        order.removeAll()
    }
}

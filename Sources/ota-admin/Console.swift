import Foundation
import OTADomain
import OTAStore
import Postgres

/// How a command ends other than successfully; main maps each to its exit code, once.
enum AdminError: Error {
    /// Bad or missing arguments: exit 2.
    case usage(String)
    /// The command could not be done (nothing was changed): exit 1.
    case failure(String)
    /// `verify` found a drift, or `status` a database behind this build: exit 3. The
    /// details were printed already.
    case drift(String)

    var exitCode: Int32 {
        switch self {
        case .usage: 2
        case .failure: 1
        case .drift: 3
        }
    }

    var message: String {
        switch self {
        case let .usage(m), let .failure(m), let .drift(m): m
        }
    }

    /// The one place where store failures become operator-readable messages.
    init(_ error: StoreError) {
        switch error {
        case .busy:
            self = .failure("the rows to change are locked by other work and the lock was not granted in time; nothing was changed, try again")
        case let .unavailable(m):
            self = .failure("database unavailable: \(m)")
        case let .refused(constraint, message):
            self = .failure("the database refused the change\(constraint.map { " (\($0))" } ?? ""): \(message); nothing was changed")
        case let .notFound(m):
            self = .failure("not found: \(m)")
        case let .corrupt(m):
            self = .failure("stored data unreadable: \(m)")
        case let .other(m):
            self = .failure(m)
        }
    }
}

/// Runs a store call, turning its failure into an AdminError.
func store<T>(_ body: () throws(StoreError) -> T) throws(AdminError) -> T {
    do {
        return try body()
    } catch {
        throw AdminError(error)
    }
}

/// One transaction around several store calls.
func storeTransaction<T>(_ db: PostgresConnection, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
    do {
        return try db.transaction { try body() }
    } catch let e as StoreError {
        throw e
    } catch let e as PostgresError {
        throw StoreError(e)
    } catch {
        throw .other("\(error)")
    }
}

enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("ota-admin: \(message)\n".utf8))
    }

    /// Notes that are not the command's result (so `$(ota-admin key issue C)` captures the
    /// key alone).
    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// A session for one command. No statement timeout (verify may scan a lot); a lock
    /// timeout so that a command waiting behind a stuck transaction gives up instead of
    /// hanging the operator's terminal.
    static func connect(lockTimeout: Duration? = .seconds(10)) throws(AdminError) -> PostgresConnection {
        guard let url = ProcessInfo.processInfo.environment["OTA_DATABASE_URL"], !url.isEmpty else {
            throw .usage("OTA_DATABASE_URL is not set")
        }
        var config = PostgresConfiguration(url: url)
        config.applicationName = "ota-admin"
        config.statementTimeout = nil
        config.lockTimeout = lockTimeout
        do {
            return try PostgresConnection(config)
        } catch {
            throw .failure("cannot connect to the database: \(error.message)")
        }
    }

    /// Seconds resolution is enough for people; "-" for none.
    static func time(_ t: Timestamp?) -> String {
        guard let t else { return "-" }
        return Timestamp(microseconds: t.microseconds - ((t.microseconds % 1_000_000) + 1_000_000) % 1_000_000).description
    }
}

/// Left-aligned columns separated by two spaces.
struct Table {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }

    func render() -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let last = i == cells.count - 1
                out += last ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            return out
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }

    func print() {
        Swift.print(render())
    }
}

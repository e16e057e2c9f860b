import Foundation
import OTAStore
import Postgres

let help = """
    ota-admin: operating the OTA channel service.

    Usage: ota-admin COMMAND [options]

    Commands:
      migrate [--dir DIR]   apply pending SQL migrations (default DIR: $OTA_MIGRATIONS_DIR,
                            else sql/migrations); each file is one transaction
      status                print the schema version of the database and of this build
      help                  this text

    Environment: OTA_DATABASE_URL (required)
    """

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ota-admin: \(message)\n".utf8))
    exit(code)
}

func connect() -> PostgresConnection {
    guard let url = ProcessInfo.processInfo.environment["OTA_DATABASE_URL"], !url.isEmpty else {
        fail("OTA_DATABASE_URL is not set", code: 2)
    }
    var config = PostgresConfiguration(url: url)
    config.applicationName = "ota-admin"
    config.statementTimeout = nil
    config.lockTimeout = nil
    do {
        return try PostgresConnection(config)
    } catch {
        fail("cannot connect to the database: \(error)")
    }
}

var args = Array(CommandLine.arguments.dropFirst())
let command = args.isEmpty ? "help" : args.removeFirst()
switch command {
case "help", "--help", "-h":
    print(help)
case "migrate":
    var dir = Migrator.defaultDirectory()
    while !args.isEmpty {
        let a = args.removeFirst()
        switch a {
        case "--help", "-h":
            print("Usage: ota-admin migrate [--dir DIR]\nApplies every pending file of DIR in order, each in its own transaction.")
            exit(0)
        case "--dir":
            guard !args.isEmpty else { fail("--dir needs a directory", code: 2) }
            dir = args.removeFirst()
        default: fail("unknown argument \(a) to migrate; see ota-admin migrate --help", code: 2)
        }
    }
    do {
        let files = try Migrator.load(directory: dir)
        let db = connect()
        let applied = try Migrator.migrate(db, files: files) { print($0) }
        print("ota-admin: schema at version \(try Migrator.currentVersion(db))" + (applied.isEmpty ? " (nothing to apply)" : ""))
    } catch {
        fail("\(error)")
    }
case "status":
    if args.contains("--help") { print("Usage: ota-admin status\nPrints the database's and this build's schema versions."); exit(0) }
    do {
        let v = try Migrator.currentVersion(connect())
        print("database schema version: \(v)\nthis build expects:      \(Schema.expectedVersion)")
        if v < Schema.expectedVersion { exit(3) }
    } catch {
        fail("\(error)")
    }
default:
    fail("unknown command \(command); see ota-admin help", code: 2)
}

import Foundation
import JSON
import OTAStore
import Postgres

let help = """
    ota-seed: creates the catalog and channel allocations of the catalog file, and with
    --dev-partners the two development partners and their well-known keys. It only adds
    what is missing, so running it again changes nothing.

    Usage: ota-seed [--catalog FILE] [--dev-partners]
      --catalog FILE   catalog data (default: $OTA_CATALOG_FILE, else config/catalog.json)
      --dev-partners   also create the development partners (never do this in production)

    Environment: OTA_DATABASE_URL (required)
    """

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("ota-seed: \(message)\n".utf8))
    exit(code)
}

var catalogPath = ProcessInfo.processInfo.environment["OTA_CATALOG_FILE"] ?? "config/catalog.json"
var devPartners = false
var args = Array(CommandLine.arguments.dropFirst())
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "--help", "-h": print(help); exit(0)
    case "--dev-partners": devPartners = true
    case "--catalog":
        guard !args.isEmpty else { fail("--catalog needs a file", code: 2) }
        catalogPath = args.removeFirst()
    default: fail("unknown argument \(a); see --help", code: 2)
    }
}
guard let url = ProcessInfo.processInfo.environment["OTA_DATABASE_URL"], !url.isEmpty else {
    fail("OTA_DATABASE_URL is not set", code: 2)
}
guard let data = FileManager.default.contents(atPath: catalogPath) else { fail("cannot read \(catalogPath)") }

do {
    let seed = try CatalogSeed(json: try JSONValue.parse([UInt8](data)))
    var config = PostgresConfiguration(url: url)
    config.applicationName = "ota-seed"
    let db = try PostgresConnection(config)
    let created = try seed.apply(to: db, devPartners: devPartners)
    for line in created { print("created \(line)") }
    print(created.isEmpty ? "ota-seed: nothing to do, everything already there" : "ota-seed: done")
} catch {
    fail("\(error)")
}

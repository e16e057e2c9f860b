// swift-tools-version: 6.1
// No package dependencies: the toolchain plus Debian C libraries through system-library targets.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "OTAChannel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ota-gateway", targets: ["ota-gateway"]),
        .executable(name: "ota-seed", targets: ["ota-seed"]),
        .executable(name: "ota-admin", targets: ["ota-admin"]),
        .executable(name: "ota-expiry-worker", targets: ["ota-expiry-worker"]),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Issue 11 (webhooks): libcurl for the worker's outgoing HTTPS; OTARepresentation renders the
        // API's resources for both the gateway and the events the store writes.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "OTARepresentation", dependencies: ["JSON", "OTADomain"], swiftSettings: strict),

        // Issue 9 item 6: Linux system calls written once (signals, EINTR, eventfd, durations),
        // and QR images apart from OTACrypto so that only the gateway links libqrencode.
        .target(name: "Posix", dependencies: ["CLinux"], swiftSettings: strict),
        .target(name: "QRImage", dependencies: ["CQREncode"], swiftSettings: strict),

        .target(name: "Postgres", dependencies: ["CLibPQ", "Posix"], swiftSettings: strict),
        .target(name: "HTTP", dependencies: ["CLinux", "Posix"], swiftSettings: strict),
        .target(name: "JSON", swiftSettings: strict),
        // Pure rules: no JSON (request parsing is the gateway's, stored jsonb the store's).
        .target(name: "OTADomain", swiftSettings: strict),
        .target(name: "OTALog", dependencies: ["JSON", "Posix"], swiftSettings: strict),
        .target(name: "OTACrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "OTAStore", dependencies: ["Postgres", "OTADomain", "OTACrypto", "JSON", "OTARepresentation"], swiftSettings: strict),
        .target(name: "OTAGateway", dependencies: ["HTTP", "OTAStore", "OTADomain", "OTACrypto", "QRImage", "Postgres", "JSON", "OTALog",
                                                 "OTARepresentation", "Posix"],
                exclude: ["openapi.yaml", "console.css"], swiftSettings: strict, plugins: ["EmbedFiles"]),
        .target(name: "SystemdNotify", dependencies: ["Posix"], swiftSettings: strict),
        .target(name: "OTAWorker", dependencies: ["Postgres", "OTAStore", "OTADomain", "JSON", "Posix", "OTALog", "CCurl", "OTACrypto"], swiftSettings: strict),

        // Build-time embedding of static files (the OpenAPI document): a local plugin, no dependency.
        .executableTarget(name: "embed-files", path: "Sources/Tools/embed-files", swiftSettings: strict),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["embed-files"], path: "Sources/Plugins/EmbedFiles"),

        .executableTarget(name: "ota-gateway", dependencies: ["OTAGateway", "JSON", "SystemdNotify", "OTALog", "Posix"], swiftSettings: strict),
        .executableTarget(name: "ota-expiry-worker", dependencies: ["OTAWorker", "SystemdNotify", "OTALog", "Posix"], swiftSettings: strict),
        .executableTarget(name: "ota-seed", dependencies: ["OTAStore", "JSON", "Postgres"], swiftSettings: strict),
        .executableTarget(name: "ota-admin", dependencies: ["OTAStore", "Postgres", "OTADomain", "OTACrypto"], swiftSettings: strict),

        // Test support in two parts, so that tests of the lower layers link no libpq:
        // TestSupportCore (sockets, the HTTP test client, the binaries as processes, threads,
        // seeded randomness) and TestSupport (that, re-exported, plus TestDatabase).
        .target(name: "TestSupportCore", path: "Tests/TestSupportCore", swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["Postgres", "TestSupportCore"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Posix", "TestSupportCore"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strict),
        .testTarget(name: "OTADomainTests", dependencies: ["OTADomain"], swiftSettings: strict),
        .testTarget(name: "OTACryptoTests", dependencies: ["OTACrypto"], swiftSettings: strict),
        .testTarget(name: "OTAStoreTests", dependencies: ["OTAStore", "Postgres", "OTADomain", "OTACrypto", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "OTAGatewayTests", dependencies: ["OTAGateway", "HTTP", "Postgres", "TestSupport", "OTACrypto"], swiftSettings: strict),
        .testTarget(name: "GatewayEndToEndTests", dependencies: ["Postgres", "TestSupport", "OTACrypto"], swiftSettings: strict),
        .testTarget(name: "ContractTests", dependencies: ["OTAGateway", "HTTP", "TestSupport", "Postgres"], swiftSettings: strict),
        .testTarget(name: "OTAWorkerTests", dependencies: ["OTAWorker", "OTAStore", "OTADomain", "Postgres", "TestSupport",
                                                         "HTTP", "OTACrypto", "JSON"], swiftSettings: strict),
        .testTarget(name: "AdminTests", dependencies: ["OTAStore", "Postgres", "TestSupport", "OTADomain", "OTACrypto"], swiftSettings: strict),
        // Issue 9 item 6
        .testTarget(name: "PosixTests", dependencies: ["Posix"], swiftSettings: strict),
        .testTarget(name: "QRImageTests", dependencies: ["QRImage"], swiftSettings: strict),
        // Issue 9 item 7: a test target per source target.
        .testTarget(name: "OTALogTests", dependencies: ["OTALog", "JSON"], swiftSettings: strict),
        .testTarget(name: "SystemdNotifyTests", dependencies: ["SystemdNotify", "TestSupportCore"], swiftSettings: strict),
    ]
)

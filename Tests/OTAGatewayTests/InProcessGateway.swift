import Foundation
import HTTP
import Postgres
import TestSupport
@testable import OTAGateway

/// The gateway's pipeline called in process: an HTTPRequest in, an HTTPResponse out, on a
/// database of its own cloned from the seeded template. No socket, no process: what needs
/// those stays in GatewayEndToEndTests. Use it from one thread (it owns a connection).
final class InProcessGateway {
    let database: TestDatabase
    let handler: GatewayHandler

    static let testKey = "ota_test_key_12345"
    static let otherKey = "ota251103_key_67890"
    static let qrKeys = "t1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
    /// The test master key that seals webhook secrets (as in the worker tests).
    static let webhookKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

    /// What the hot paths keep in memory: nothing unless asked (every request reads the
    /// database); `.live`: the catalog listener and the inventory poller run as in a
    /// gateway process; `.clock`: the catalog listener runs, the pools' readings age by the
    /// given clock and no poller renews them.
    enum Memory {
        case none
        case live
        case clock(@Sendable () -> UInt64)
    }
    let hotPaths: HotPaths

    /// Rate limits are off unless asked for; `databaseURL` overrides the test database's.
    init(environment: [String: String] = [:], databaseURL: String? = nil, memory: Memory = .none) throws {
        database = try TestDatabase()
        var env = ["OTA_DATABASE_URL": databaseURL ?? database.url, "OTA_RATE_LIMITS": "off", "OTA_REQUEST_LOG": "0",
                   "OTA_QR_ACTIVE_KEY_ID": "t1", "OTA_QR_KEYS": Self.qrKeys, "OTA_WEBHOOK_SECRET_KEY": Self.webhookKey]
        env.merge(environment) { $1 }
        let config = try GatewayConfiguration(environment: env)
        switch memory {
        case .none: hotPaths = HotPaths()
        case .live: hotPaths = HotPaths(config, auth: nil)
        case let .clock(clock): hotPaths = HotPaths(config, auth: nil, clock: clock, poll: false)
        }
        hotPaths.start()
        handler = GatewayHandler(config: config, workerIndex: 0, authGeneration: nil, hotPaths: hotPaths, isDraining: { false })
    }

    deinit { hotPaths.stop() }

    func send(_ method: String, _ target: String, key: String? = InProcessGateway.testKey,
              headers: [(String, String)] = [], body: String? = nil) -> Answer {
        var h = HTTPHeaders()
        h.add("Host", "127.0.0.1")
        if let key { h.add("X-API-Key", key) }
        for (k, v) in headers { h.add(k, v) }
        let request = HTTPRequest(method: HTTPMethod(method), target: target, headers: h, body: Array((body ?? "").utf8), remoteAddress: "127.0.0.1")
        return Answer(handler.handle(request))
    }

    func sql(_ query: PostgresQuery) throws -> PostgresRows {
        let db = try database.connect()
        defer { db.close() }
        return try db.query(query)
    }

    /// A response with the parts tests look at.
    struct Answer {
        let response: HTTPResponse
        init(_ r: HTTPResponse) { response = r }
        var status: Int { response.status }
        var body: [UInt8] { response.body }
        var text: String { String(decoding: response.body, as: UTF8.self) }
        func header(_ name: String) -> String? { response.headers[name] }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:] }
        var code: String? { json["code"] as? String }
    }
}

public import HTTP
public import JSON
public import Synchronization
public import Postgres

/// Wires the HTTP server to one GatewayHandler per worker thread, and starts the threads
/// that keep their key caches, catalog and inventory readings current (HotPaths: they
/// live as long as the process).
public enum Gateway {
    public static func makeServer(_ config: GatewayConfiguration) throws -> HTTPServer {
        let drain = DrainState()
        let generation = AuthGeneration()
        // One listener connection hears both the key caches' and the catalog's changes.
        let hotPaths = HotPaths(config, auth: config.authCacheSeconds > 0 ? generation : nil)
        hotPaths.start()
        let server = try HTTPServer(configuration: config.http, errorResponse: { status, detail in
            APIError(ProblemType.protocolError(status), echo(detail, limit: 200)).response()
        }, makeHandler: { index in
            GatewayHandler(config: config, workerIndex: index, authGeneration: generation, hotPaths: hotPaths,
                           isDraining: { drain.isDraining })
        })
        drain.attach(server)
        if config.requestFlushSeconds > 0 {
            var postgres = config.postgres
            // A flush waiting on an unreachable database must not hold up a drain for long.
            postgres.connectTimeoutSeconds = 2
            let flusher = RequestFlusher(postgres: postgres, instance: config.instanceName ?? RequestFlusher.defaultInstance(),
                                         interval: .seconds(config.requestFlushSeconds))
            flusher.start()
            flushers.withLock { $0.append(flusher) }
        }
        return server
    }

    private static let flushers = Mutex<[RequestFlusher]>([])

    /// After the server drained: writes the request counts not yet in PostgreSQL (the
    /// current minute included) and stops the flusher threads.
    public static func finish() {
        for flusher in flushers.withLock({ f in defer { f.removeAll() }; return f }) { flusher.stop() }
    }
}

/// Lets handlers, created before the server value exists, ask whether it is draining.
final class DrainState: Sendable {
    private let server = Mutex<HTTPServer?>(nil)
    func attach(_ s: HTTPServer) { server.withLock { $0 = s } }
    var isDraining: Bool { server.withLock { $0?.isDraining ?? false } }
}

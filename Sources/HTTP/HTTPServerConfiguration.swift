/// Limits and timeouts of the server. The defaults suit a service behind a TLS proxy.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind; "0.0.0.0", "::", "127.0.0.1" or a resolvable host name.
    public var host: String = "0.0.0.0"
    /// Port to bind; 0 picks a free port (read it back from `HTTPServer.port`).
    public var port: Int = 8080
    /// Worker threads, each with its own handler from `makeHandler`.
    public var workerCount: Int = 8
    /// Open connections. At the limit a new connection takes the place of the connection
    /// that has waited longest for a request (closed silently, as an idle keep-alive
    /// connection may be); if every connection is busy, it gets 503 and is closed.
    public var maxConnections: Int = 1024
    /// Request line plus header fields; beyond this 431.
    public var maxHeaderBytes: Int = 16 * 1024
    /// Request body (after de-chunking); beyond this 413.
    public var maxBodyBytes: Int = 1 << 20
    /// From the first byte of a request to its last; beyond this 408 and close. A new
    /// connection's first request must be complete this long after accept (one that sends
    /// nothing at all is closed silently then).
    public var requestReadTimeout: Duration = .seconds(10)
    /// Keep-alive wait for the next request; then the connection closes silently.
    public var idleTimeout: Duration = .seconds(60)
    /// A write that makes no progress for this long closes the connection.
    public var writeTimeout: Duration = .seconds(30)
    /// Requests on one connection; the last response says `Connection: close`.
    public var maxRequestsPerConnection: Int = 10_000
    /// Requests waiting for a worker; beyond this 503 with Retry-After.
    public var queueCapacity: Int = 1024
    /// A request that waited longer than this for a worker gets 503 without reaching
    /// the handler (its client has likely given up).
    public var maxQueueWait: Duration = .seconds(10)
    /// After `shutdown()`, how long in-flight requests may take before
    /// the remaining connections are closed and `run()` returns.
    public var shutdownDeadline: Duration = .seconds(25)

    public init() {}
}

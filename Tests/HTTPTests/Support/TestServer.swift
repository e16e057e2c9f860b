import Dispatch
import Foundation
import Glibc
import HTTP
import Posix
import Synchronization
import TestSupportCore

/// A handler built from a closure, for tests.
final class ClosureHandler: HTTPRequestHandler {
    let body: @Sendable (HTTPRequest) -> HTTPResponse

    init(_ body: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.body = body
    }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        body(request)
    }
}

/// Runs an `HTTPServer` on port 0 on its own thread, for one test. Every test gets its
/// own server, so tests can run in parallel. Wired as an executable wires it: a
/// `SignalWatcher` turns SIGTERM/SIGINT into `shutdown()`.
final class TestServer: Sendable {
    let server: HTTPServer
    private let finished = DispatchSemaphore(value: 0)
    private let signals: SignalWatcher
    let runError = Mutex<(any Error)?>(nil)

    var port: Int { server.port }

    init(
        configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = TestServer.echo
    ) throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.workerCount = 4
        configure(&configuration)
        let server = try HTTPServer(configuration: configuration) { _ in ClosureHandler(handler) }
        self.server = server
        signals = try SignalWatcher(.termination) { _ in server.shutdown() }
        let ready = DispatchSemaphore(value: 0)
        server.onReady = { ready.signal() }
        let thread = Thread { [self] in
            do {
                try server.run()
            } catch {
                runError.withLock { $0 = error }
            }
            finished.signal()
        }
        thread.start()
        guard ready.wait(timeout: .now() + 5) == .success else {
            throw TestConnectionError.timedOut
        }
    }

    /// Shuts down and waits for `run()` to return; true if it did in time.
    @discardableResult
    func stop(timeout: Double = 10) -> Bool {
        server.shutdown()
        return waitUntilFinished(timeout: timeout)
    }

    func waitUntilFinished(timeout: Double) -> Bool {
        guard finished.wait(timeout: .now() + timeout) == .success else { return false }
        finished.signal()  // let a later stop() see it as well
        return true
    }

    /// Sends a signal to the server's signal watcher thread only (it blocks SIGTERM/SIGINT,
    /// so the signal stays pending for its signalfd and never reaches the test process).
    func signalWatcherThread(_ signal: Int32) {
        signals.send(signal)
    }

    func client(receiveTimeout: Duration = .seconds(5)) throws -> TestConnection {
        try TestConnection(port: port, receiveTimeout: receiveTimeout)
    }

    /// Answers 200 with "METHOD path body".
    static let echo: @Sendable (HTTPRequest) -> HTTPResponse = { request in
        let text = "\(request.method) \(request.path) \(String(decoding: request.body, as: UTF8.self))"
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array(text.utf8))
    }
}

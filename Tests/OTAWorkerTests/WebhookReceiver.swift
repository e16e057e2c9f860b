import Foundation
import HTTP
import OTACrypto
import Synchronization
import Posix

/// A partner's webhook receiver on 127.0.0.1, run by the test: a real HTTP server (the
/// project's HTTP target) that records every request and answers as `behaviour` says
/// (status and delay, by path and by how many requests that path has had).
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var path: String
        var webhookId: String
        var timestamp: String
        var signature: String
        var contentType: String
        var body: [UInt8]
        /// Seconds since the receiver started.
        var at: Double
    }

    typealias Behaviour = @Sendable (_ path: String, _ nth: Int) -> (status: Int, delay: Duration)

    private struct State {
        var received: [Received] = []
        var countByPath: [String: Int] = [:]
        var inFlightByPath: [String: Int] = [:]
        var maxInFlightByPath: [String: Int] = [:]
        /// Requests of one event to one path in progress at the same moment.
        var inFlightById: [String: Int] = [:]
        var maxInFlightOfOneId = 0
    }

    private let state = Mutex(State())
    private let behaviour: Behaviour
    private let started = ContinuousClock.now
    private let server: HTTPServer
    let port: Int
    private let finished = DispatchSemaphore(value: 0)

    init(workers: Int = 16, behaviour: @escaping Behaviour = { _, _ in (200, .zero) }) throws {
        self.behaviour = behaviour
        var config = HTTPServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.workerCount = workers
        config.shutdownDeadline = .seconds(3)
        // Set below once self exists; the handler reaches the receiver through this box.
        let box = ReceiverBox()
        server = try HTTPServer(configuration: config) { _ in ReceiverHandler(box) }
        port = server.port
        box.receiver.withLock { $0 = self }
        let server = self.server
        let finished = self.finished
        Thread {
            try? server.run()
            finished.signal()
        }.start()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() {
        server.shutdown()
        _ = finished.wait(timeout: .now() + 10)
    }

    var received: [Received] { state.withLock { $0.received } }
    func received(_ path: String) -> [Received] { received.filter { $0.path == path } }
    var maxInFlightOfOneId: Int { state.withLock { $0.maxInFlightOfOneId } }
    /// Requests that arrived on `path` (answered or not yet).
    func arrivals(_ path: String) -> Int { state.withLock { $0.countByPath[path] ?? 0 } }
    func maxInFlight(_ path: String) -> Int { state.withLock { $0.maxInFlightByPath[path] ?? 0 } }

    /// Polls until `condition` holds or `seconds` pass.
    func wait(seconds: Double, _ condition: (WebhookReceiver) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(self) { return true }
            usleep(20_000)
        }
        return condition(self)
    }

    fileprivate func handle(_ request: HTTPRequest) -> HTTPResponse {
        let id = request.headers["webhook-id"] ?? ""
        let nth = state.withLock { s -> Int in
            s.countByPath[request.path, default: 0] += 1
            s.inFlightByPath[request.path, default: 0] += 1
            s.maxInFlightByPath[request.path] = max(s.maxInFlightByPath[request.path] ?? 0, s.inFlightByPath[request.path]!)
            let key = request.path + " " + id
            s.inFlightById[key, default: 0] += 1
            s.maxInFlightOfOneId = max(s.maxInFlightOfOneId, s.inFlightById[key]!)
            return s.countByPath[request.path]!
        }
        let (status, delay) = behaviour(request.path, nth)
        if delay > .zero { Thread.sleep(forTimeInterval: Double(delay.wholeMilliseconds) / 1000) }
        let at = Double((ContinuousClock.now - started).wholeMilliseconds) / 1000
        state.withLock { s in
            s.inFlightByPath[request.path, default: 1] -= 1
            s.inFlightById[request.path + " " + id, default: 1] -= 1
            s.received.append(Received(path: request.path, webhookId: id, timestamp: request.headers["webhook-timestamp"] ?? "",
                                       signature: request.headers["webhook-signature"] ?? "",
                                       contentType: request.headers["Content-Type"] ?? "", body: request.body, at: at))
        }
        var headers = HTTPHeaders()
        headers.set("Content-Type", "text/plain")
        return HTTPResponse(status: status, headers: headers, body: Array("answered \(status)".utf8))
    }
}

/// Lets the server's handlers (made before the receiver is complete) reach it.
private final class ReceiverBox: Sendable {
    let receiver = Mutex<WebhookReceiver?>(nil)
}

private final class ReceiverHandler: HTTPRequestHandler {
    let box: ReceiverBox
    init(_ box: ReceiverBox) { self.box = box }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard let receiver = box.receiver.withLock({ $0 }) else { return HTTPResponse(status: 503) }
        return receiver.handle(request)
    }
}

/// Standard Webhooks verification written again from the specification, independent of
/// the service's signer: Foundation's base64, OpenSSL's HMAC through OTACrypto's thin
/// wrapper, and a 5-minute tolerance on the timestamp.
enum IndependentVerifier {
    static func verify(_ r: WebhookReceiver.Received, secret: String, now: Date = Date()) -> Bool {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))),
              let seconds = Double(r.timestamp), abs(now.timeIntervalSince1970 - seconds) < 300 else { return false }
        let content = Array("\(r.webhookId).\(r.timestamp).".utf8) + r.body
        guard let mac = try? HMACSHA256.authenticate(content, key: [UInt8](key)) else { return false }
        let expected = "v1," + Data(mac).base64EncodedString()
        return r.signature.split(separator: " ").contains { $0 == expected }
    }

    static func json(_ r: WebhookReceiver.Received) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
    }
}

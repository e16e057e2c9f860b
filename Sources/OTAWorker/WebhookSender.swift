import CCurl
import Glibc
import OTACrypto
import OTADomain
import OTAStore
import Posix

/// One request to send: everything a sender thread needs, no database.
struct OutgoingWebhook: Sendable {
    var deliveryId: String
    var attempt: Int
    var eventId: String
    var eventType: String
    var endpointId: String
    var url: String
    var body: [UInt8]
    /// Opened signing secrets, the current one first; empty when they could not be opened.
    var secrets: [[UInt8]]
    /// Why the secrets could not be opened (then nothing is sent).
    var secretProblem: String?
}

/// POSTs one webhook with libcurl: TLS with verification, no redirects, connect and total
/// timeouts, proxies from the environment as libcurl reads them (http_proxy, https_proxy,
/// no_proxy). Before connecting it resolves the host itself, refuses internal addresses
/// (unless allow-listed) and pins the addresses it checked for this request
/// (CURLOPT_RESOLVE), so a DNS answer that changes between the check and the connection
/// cannot send the request elsewhere. Behind a proxy the proxy resolves the name: it is
/// then the proxy's policy that decides where it may connect.
struct WebhookSender: Sendable {
    var policy: WebhookTargetPolicy
    var connectTimeout: Duration
    var totalTimeout: Duration

    static let maxResponseBytes = 1024
    static let userAgent = "ota-webhooks/1.0 (Standard Webhooks)"

    /// Once per process, before any sender thread starts (libcurl's global state).
    static func initializeLibrary() -> Bool {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }

    func send(_ job: OutgoingWebhook, clock: ContinuousClock = ContinuousClock()) -> AttemptResult {
        let started = clock.now
        func result(_ outcome: AttemptResult.Outcome, body: String? = nil) -> AttemptResult {
            AttemptResult(deliveryId: job.deliveryId, attempt: job.attempt, outcome: outcome,
                          durationMilliseconds: Int((clock.now - started).wholeMilliseconds), responseBody: body)
        }
        if let problem = job.secretProblem { return result(.noAnswer(error: problem)) }
        let url: WebhookURL
        switch policy.check(job.url) {
        case let .success(u): url = u
        case let .failure(e): return result(.noAnswer(error: "refused: url \(e.description)"))
        }
        let addresses: [AddressResolver.Address]
        do {
            addresses = try AddressResolver.resolve(url.host)
        } catch {
            return result(.noAnswer(error: error.description))
        }
        if let refusal = policy.check(url, addresses: addresses.map { ($0.bytes, $0.text) }) {
            return result(.noAnswer(error: "refused: url \(refusal.description)"))
        }
        let timestamp = Int64(Glibc.time(nil))
        let signature: String
        do {
            signature = try StandardWebhooks.signatureHeader(id: job.eventId, timestamp: timestamp, body: job.body, secrets: job.secrets)
        } catch {
            return result(.noAnswer(error: "signing failed: \(error)"))
        }
        var headers = ["Content-Type: application/json", "webhook-id: \(job.eventId)", "webhook-timestamp: \(timestamp)",
                       "webhook-signature: \(signature)", "User-Agent: \(Self.userAgent)", "Expect:"]
        headers.append("Accept: */*")
        let pin = Self.isLiteral(url, addresses) ? nil : "\(url.host):\(url.port):" + addresses.map(\.pinned).joined(separator: ",")
        let exchange = perform(url: job.url, body: job.body, headers: headers, pin: pin)
        switch exchange {
        case let .answered(status, body): return result(.answered(status: status), body: body)
        case let .failed(message): return result(.noAnswer(error: message))
        }
    }

    /// A host written as an address is not resolved by libcurl: nothing to pin.
    static func isLiteral(_ url: WebhookURL, _ addresses: [AddressResolver.Address]) -> Bool {
        addresses.count == 1 && addresses[0].text == url.host
    }

    enum Exchange {
        case answered(status: Int, body: String)
        case failed(String)
    }

    /// The transfer itself, on the calling thread.
    private func perform(url: String, body: [UInt8], headers: [String], pin: String?) -> Exchange {
        guard let handle = curl_easy_init() else { return .failed("libcurl could not start a transfer") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for h in headers { list = curl_slist_append(list, h) }
        defer { curl_slist_free_all(list) }
        var resolve: UnsafeMutablePointer<curl_slist>?
        if let pin { resolve = curl_slist_append(nil, pin) }
        defer { curl_slist_free_all(resolve) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let sink = ResponseSink(limit: Self.maxResponseBytes)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }

        var ok = true
        func set(_ code: CURLcode) { if code != CURLE_OK { ok = false } }
        set(ota_curl_setopt_string(handle, CURLOPT_URL, url))
        set(ota_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(ota_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // threads: no SIGALRM for timeouts
        set(ota_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        set(ota_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(connectTimeout.wholeMilliseconds)))
        set(ota_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(totalTimeout.wholeMilliseconds)))
        set(ota_curl_setopt_long(handle, CURLOPT_POST, 1))
        set(ota_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
        body.withUnsafeBytes { raw in
            // COPYPOSTFIELDS copies now, so the bytes need not outlive this call.
            set(ota_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress)))
        }
        set(ota_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        if resolve != nil { set(ota_curl_setopt_slist(handle, CURLOPT_RESOLVE, resolve)) }
        set(ota_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)))
        set(ota_curl_setopt_write(handle, { data, size, count, user in
            guard let user else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
            return sink.take(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }))
        set(ota_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque()))
        guard ok else { return .failed("libcurl refused an option") }

        let code = curl_easy_perform(handle)
        var status = 0
        _ = ota_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // A body past the limit is cut short on purpose (CURLE_WRITE_ERROR): the status stands.
        if status > 0, code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.truncated) {
            return .answered(status: status, body: sink.text)
        }
        let detail = Self.string(errorBuffer)
        return .failed(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
    }

    static func string(_ pointer: UnsafeMutablePointer<CChar>) -> String {
        var bytes: [UInt8] = []
        var p = pointer
        while p.pointee != 0, bytes.count < Int(CURL_ERROR_SIZE) {
            bytes.append(UInt8(bitPattern: p.pointee))
            p += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension AddressResolver.Address {
    /// As CURLOPT_RESOLVE takes it: IPv6 in brackets.
    var pinned: String { bytes.count == 16 ? "[\(text)]" : text }
}

/// The start of a response body, kept up to `limit` bytes; the transfer is stopped
/// beyond. Used by one transfer on one thread.
final class ResponseSink {
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var truncated = false

    init(limit: Int) { self.limit = limit }

    /// False once the limit is passed: the transfer stops there.
    func take(_ chunk: UnsafeRawBufferPointer) -> Bool {
        let room = limit - bytes.count
        bytes.append(contentsOf: chunk.prefix(max(0, room)))
        if chunk.count > room {
            truncated = true
            return false
        }
        return true
    }

    /// Valid UTF-8 only (a cut may split a character): the bytes up to the last whole one.
    var text: String {
        var end = bytes.count
        while end > 0 {
            if let s = String(validating: bytes[..<end], as: UTF8.self) { return s }
            end -= 1
        }
        return ""
    }
}

/// Where webhooks may be sent, checked when an endpoint is saved and again before every
/// attempt (the addresses a name resolves to can change: DNS rebinding). Production allows
/// only https to public addresses; an operator may allow-list hosts (`make run`: 127.0.0.1)
/// that may then use http and internal addresses.
public struct WebhookTargetPolicy: Sendable, Equatable {
    public struct AllowedHost: Sendable, Equatable {
        /// Lower-cased; IPv6 without brackets.
        public var host: String
        /// nil: any port.
        public var port: Int?

        public init(host: String, port: Int?) {
            self.host = host
            self.port = port
        }
    }

    public var allowedHosts: [AllowedHost]

    public init(allowedHosts: [AllowedHost] = []) {
        self.allowedHosts = allowedHosts
    }

    /// `host[:port]` entries, comma separated (`127.0.0.1,hooks.test:8443,[::1]`); nil with
    /// the bad entry named.
    public static func parse(allowList text: String) -> Result<WebhookTargetPolicy, FieldError> {
        var hosts: [AllowedHost] = []
        for raw in text.split(separator: ",") {
            let entry = raw.trimmingWhitespace().lowercased()
            guard !entry.isEmpty else { continue }
            guard case let .success(url) = WebhookURL.parse("http://\(entry)/"), !entry.contains("/") else {
                return .failure(.invalid("allow list", "entry '\(entry)' is not host or host:port"))
            }
            let hasPort = url.isIPv6Literal ? entry.contains("]:") : entry.contains(":")
            hosts.append(AllowedHost(host: url.host, port: hasPort ? url.port : nil))
        }
        return .success(WebhookTargetPolicy(allowedHosts: hosts))
    }

    public func isAllowListed(_ url: WebhookURL) -> Bool {
        allowedHosts.contains { $0.host == url.host && ($0.port == nil || $0.port == url.port) }
    }

    /// The rules that need no lookup: the URL's shape, https, and local names.
    public func check(_ text: String) -> Result<WebhookURL, WebhookURLError> {
        let url: WebhookURL
        switch WebhookURL.parse(text) {
        case let .success(u): url = u
        case let .failure(e): return .failure(e)
        }
        if isAllowListed(url) { return .success(url) }
        guard url.isHTTPS else { return .failure(.notHTTPS) }
        guard !url.isLocalName else { return .failure(.localName(url.host)) }
        return .success(url)
    }

    /// The addresses the host resolved to (4 or 16 bytes each, with their text): every one
    /// must be public unless the host is allow-listed. One internal address is enough to
    /// refuse, since the connection could go to any of them.
    public func check(_ url: WebhookURL, addresses: [(bytes: [UInt8], text: String)]) -> WebhookURLError? {
        if isAllowListed(url) { return nil }
        for a in addresses {
            let kind = IPAddressKind.of(a.bytes)
            if kind != .public { return .forbiddenAddress(host: url.host, address: a.text, kind: kind) }
        }
        return nil
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}

import Testing
@testable import OTADomain

/// Where webhooks may go (server-side request forgery) and when they are retried.
@Suite struct WebhookRulesTests {
    func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> [UInt8] { [a, b, c, d] }

    @Test func internalAddressesAreNotPublic() {
        #expect(IPAddressKind.of(v4(127, 0, 0, 1)) == .loopback)
        #expect(IPAddressKind.of(v4(10, 1, 2, 3)) == .private)
        #expect(IPAddressKind.of(v4(172, 16, 0, 1)) == .private)
        #expect(IPAddressKind.of(v4(172, 32, 0, 1)) == .public)
        #expect(IPAddressKind.of(v4(192, 168, 1, 1)) == .private)
        #expect(IPAddressKind.of(v4(169, 254, 169, 254)) == .linkLocal, "the cloud metadata service")
        #expect(IPAddressKind.of(v4(100, 64, 0, 1)) == .carrierGradeNAT)
        #expect(IPAddressKind.of(v4(100, 100, 100, 200)) == .carrierGradeNAT, "Alibaba's metadata service")
        #expect(IPAddressKind.of(v4(100, 128, 0, 1)) == .public)
        #expect(IPAddressKind.of(v4(0, 0, 0, 0)) == .unspecified)
        #expect(IPAddressKind.of(v4(224, 0, 0, 1)) == .multicast)
        #expect(IPAddressKind.of(v4(255, 255, 255, 255)) == .reserved)
        #expect(IPAddressKind.of(v4(192, 0, 0, 192)) == .reserved)
        #expect(IPAddressKind.of(v4(198, 18, 0, 1)) == .reserved)
        #expect(IPAddressKind.of(v4(93, 184, 215, 14)) == .public)
        var v6 = [UInt8](repeating: 0, count: 16)
        #expect(IPAddressKind.of(v6) == .unspecified)
        v6[15] = 1
        #expect(IPAddressKind.of(v6) == .loopback)
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1]
        #expect(IPAddressKind.of(mapped) == .loopback, "::ffff:127.0.0.1")
        let nat64: [UInt8] = [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]
        #expect(IPAddressKind.of(nat64) == .private)
        let sixToFour: [UInt8] = [0x20, 0x02, 192, 168, 0, 1] + [UInt8](repeating: 0, count: 10)
        #expect(IPAddressKind.of(sixToFour) == .private)
        #expect(IPAddressKind.of([0xFE, 0x80] + [UInt8](repeating: 0, count: 14)) == .linkLocal)
        #expect(IPAddressKind.of([0xFD, 0x00, 0x0E, 0xC2] + [UInt8](repeating: 0, count: 11) + [0x54]) == .private, "fd00:ec2::254")
        #expect(IPAddressKind.of([0xFF, 0x02] + [UInt8](repeating: 0, count: 14)) == .multicast)
        #expect(IPAddressKind.of([0x20, 0x01, 0x48, 0x60] + [UInt8](repeating: 0, count: 12)) == .public)
    }

    @Test func urlsAreHTTPSWithoutCredentialsUnlessAllowListed() throws {
        let strict = WebhookTargetPolicy()
        guard case .success(let u) = strict.check("https://Hooks.Example.com:8443/ota?x=1") else { Issue.record("refused"); return }
        #expect(u.host == "hooks.example.com" && u.port == 8443 && u.isHTTPS)
        #expect(strict.check("http://hooks.example.com/") == .failure(.notHTTPS))
        #expect(strict.check("https://localhost/") == .failure(.localName("localhost")))
        #expect(strict.check("https://a.localhost:9/") == .failure(.localName("a.localhost")))
        for bad in ["ftp://x.example/", "https://user:pw@x.example/", "https://x.example/#frag", "https://x.example:0/",
                    "https://x.example:99999/", "https://x example/", "https://[::1/", "https:///path", "https://-x.example/"] {
            guard case .failure(.malformed) = strict.check(bad) else { Issue.record("\(bad) accepted"); continue }
        }
        guard case .success(let v6) = strict.check("https://[2001:db8::1]:444/h") else { Issue.record("v6 refused"); return }
        #expect(v6.host == "2001:db8::1" && v6.port == 444 && v6.isIPv6Literal)

        let dev = try WebhookTargetPolicy.parse(allowList: "127.0.0.1, hooks.test:8080,[::1]").get()
        guard case .success(let local) = dev.check("http://127.0.0.1:9123/hook") else { Issue.record("allow-listed refused"); return }
        #expect(dev.check(local, addresses: [([127, 0, 0, 1], "127.0.0.1")]) == nil)
        guard case .success = dev.check("http://hooks.test:8080/") else { Issue.record("host:port refused"); return }
        #expect(dev.check("http://hooks.test:8081/") == .failure(.notHTTPS), "another port is not allow-listed")
        guard case .success = dev.check("http://[::1]:5/") else { Issue.record("[::1] refused"); return }
        guard case .failure = WebhookTargetPolicy.parse(allowList: "http://x/") else { Issue.record("a URL is not an entry"); return }
    }

    @Test func oneInternalAddressAmongTheResolvedOnesRefuses() throws {
        let policy = WebhookTargetPolicy()
        let url = try WebhookURL.parse("https://rebind.example/").get()
        #expect(policy.check(url, addresses: [([93, 184, 215, 14], "93.184.215.14")]) == nil)
        #expect(policy.check(url, addresses: [([93, 184, 215, 14], "93.184.215.14"), ([10, 0, 0, 5], "10.0.0.5")])
                == .forbiddenAddress(host: "rebind.example", address: "10.0.0.5", kind: .private))
    }

    @Test func retriesBackOffExponentiallyWithJitterForThreeDays() {
        let p = WebhookRetryPolicy(base: .seconds(10))
        #expect(p.delay(afterAttempt: 1, jitter: 0.5) == .seconds(10))
        #expect(p.delay(afterAttempt: 2, jitter: 0.5) == .seconds(20))
        #expect(p.delay(afterAttempt: 5, jitter: 0.5) == .seconds(160))
        #expect(p.delay(afterAttempt: 30, jitter: 0.5) == .seconds(6 * 3600), "capped at 6 h")
        #expect(p.delay(afterAttempt: 1000, jitter: 0.5) == .seconds(6 * 3600), "no overflow")
        #expect(p.delay(afterAttempt: 1, jitter: 0) == .seconds(8))
        #expect(p.delay(afterAttempt: 1, jitter: 1) == .seconds(12))
        let created = Timestamp(seconds: 1_000_000)
        #expect(p.next(afterAttempt: 1, at: created, createdAt: created, jitter: 0.5) == .retry(at: created.adding(seconds: 10)))
        let late = created.adding(seconds: 3 * 86_400 - 5)
        #expect(p.next(afterAttempt: 20, at: late, createdAt: created, jitter: 0.5) == .giveUp)
        // Attempts over 3 days: about 22 with the defaults.
        var now = created, attempts = 0
        while case let .retry(at) = p.next(afterAttempt: attempts + 1, at: now, createdAt: created, jitter: 0.5) {
            attempts += 1
            now = at
        }
        #expect((15...30).contains(attempts), "\(attempts)")
        #expect(p.shouldDisable(failingSince: created, now: created.adding(seconds: 3 * 86_400)))
        #expect(!p.shouldDisable(failingSince: created, now: created.adding(seconds: 3 * 86_400 - 1)))
    }

    @Test func subscriptionsNameKnownTypesOnce() throws {
        #expect(try WebhookEndpointInput.events(["ticket.used", "reservation.created"]) == [.ticketUsed, .reservationCreated])
        #expect(throws: FieldError.invalid("events[1]", "names ticket.used twice")) { try WebhookEndpointInput.events(["ticket.used", "ticket.used"]) }
        #expect(throws: FieldError.self) { try WebhookEndpointInput.events([]) }
        #expect(throws: FieldError.self) { try WebhookEndpointInput.events(["webhook.test"]) }
        #expect(throws: FieldError.self) { try WebhookEndpointInput.events(["ticket.*"]) }
        #expect(WebhookEventType.subscribable.count == 9)
    }
}

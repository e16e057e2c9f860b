// Fuzz target "qrtoken": QRToken.open with a fixed test key ring (k1 active, k0 retired).
// Compiled by scripts/fuzz.sh into one module with the OTACrypto sources, so the harness
// can also reach the layers behind the signature (which random input never gets past).
//
// Every input is used five ways:
// 1. as token text: it never opens unless it is one of the real tokens below;
// 2. as a mutation program applied to the bytes of a real token: the result opens only if
//    the bytes came out unchanged;
// 3. the same, re-signed with the real MAC key (a forger who has the MAC key but not the
//    encryption key): the result opens only if the signed part is unchanged;
// 4. as a payload sealed and signed with the real keys: it opens exactly when the
//    payload decodes, and then to claims that encode back to that payload;
// 5. as claims: whatever seal accepts, open gives back.
// No crash, no sanitizer report, and `.invalid` is the only rejection of non-genuine input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    QRTokenFuzz.check(fuzzBytes(data, size))
    return 0
}

enum QRTokenFuzz {
    static let now: Int64 = 1_700_000_000
    static let secrets: [String: [UInt8]] = ["k1": [UInt8](repeating: 0x11, count: 32), "k0": [UInt8](repeating: 0x22, count: 32)]

    /// Sealed once with QRToken.seal (random nonces) under the secrets above; also in
    /// Tests/Fuzz/corpus/qrtoken/. If the token format changes, the start-up check fails:
    /// seal these claims again and replace the texts.
    static let real: [(text: String, claims: QRTokenClaims)] = [
        ("AQJrMb9J7dMZSksizENWwIQwrQUr9_7phDOm4Fqop0deocnScnTSk-evEf3f6_Q1cSnmAkmcypD0eCRFf96UYPOrnVs1CiLxsiqJ3ngdz9nYFwz1tPHCOcaJEBHCE0f5orkxwJW0pyeJ07Mn9cPCr9xHGsWeKJqgOR4HGWbcF2dp",
         QRTokenClaims(ticketCode: "TKT-ABCDEFGHIJ0123456789", partnerId: 42, issuedAt: now, expiresAt: now + 86_400, tokenId: Array(0..<16))),
        // Sealed with k0 while it was active.
        ("AQJrMPG1LyhK-NqA7N-e3TOszGEzXrzue2P0T6rZeLXeuNV6t_mABK1qovnC6wtTOkxFePtEmPn2DGc0bTgj4OU0bmRvJN67uJgKWsbKMONCsjne2tYzOf4JxUbs5f4UyhObVk96zpgGkg",
         QRTokenClaims(ticketCode: "T", partnerId: -7, issuedAt: now - 100, expiresAt: now + 1800, tokenId: Array(16..<32))),
        // Expired an hour before `now`.
        ("AQJrMT5Jd8zZ1knjWEkM0LWa98ezIPsy2tqSM5RcMwQ_t3GWHpB2j8WZ5N5hCabTIg_9icvbGpuaBa4zP_B7rWZpkdElFXkcXisyy-qiom8XgIwVnPNaA0m-NbknrQaWcnazf5z8gAaHDOCXiUM0BuIwWKo0opBYFdc",
         QRTokenClaims(ticketCode: "TKT-EXPIRED-ÉTÉ", partnerId: 9_000_000_000, issuedAt: now - 7200, expiresAt: now - 3600, tokenId: Array(32..<48))),
    ]

    static let keyring: QRKeyring = {
        let ring: QRKeyring
        do {
            ring = try QRKeyring(activeKeyId: "k1", secrets: secrets)
        } catch {
            violated("the test key ring does not build: \(error)")
        }
        for token in real where verdict(token.text, ring) != .genuine(token.claims) {
            violated("a real test token no longer opens to its claims (regenerate it): \(token.text)")
        }
        return ring
    }()

    enum Verdict: Equatable {
        case genuine(QRTokenClaims)
        case invalid
    }

    /// Opens, and checks the expiry rule; expired and unexpired genuine tokens are both
    /// `.genuine`. A genuine token (and, when `thorough`, any) is also opened with
    /// expectedPartner, which must agree. (Each open costs an HMAC, which sets the pace.)
    static func verdict(_ text: String, _ ring: QRKeyring, thorough: Bool = false) -> Verdict {
        let result: Verdict
        do {
            let claims = try QRToken.open(text, keyring: ring, now: now)
            if now >= claims.expiresAt { violated("an expired token opened") }
            result = .genuine(claims)
        } catch .expired(let claims) {
            if now < claims.expiresAt { violated("an unexpired token was called expired") }
            result = .genuine(claims)
        } catch {
            result = .invalid
        }
        if result == .invalid, !thorough { return result }
        let scoped = scopedVerdict(text, ring, partner: { if case .genuine(let c) = result { c.partnerId } else { 42 } }())
        if scoped != result { violated("open and open(expectedPartner:) disagree on \(text)") }
        if case .genuine(let claims) = result, claims.partnerId != Int64.min,
           scopedVerdict(text, ring, partner: claims.partnerId &- 1) != .invalid {
            violated("a token opened for another partner")
        }
        return result
    }

    static func scopedVerdict(_ text: String, _ ring: QRKeyring, partner: Int64) -> Verdict {
        do {
            return .genuine(try QRToken.open(text, keyring: ring, now: now, expectedPartner: partner))
        } catch .expired(let claims) {
            return .genuine(claims)
        } catch {
            return .invalid
        }
    }

    static func check(_ input: [UInt8]) {
        let ring = keyring
        checkText(String(decoding: input, as: UTF8.self), ring)
        let token = real[Int(input.first ?? 0) % real.count]
        guard let original = Base64URL.decode(token.text) else { violated("a real token is not base64url") }
        checkMutated(original, token.claims, program: input.dropFirst(), ring)
        checkResigned(original, token.claims, program: input.dropFirst(), ring)
        // 320 payload bytes make a 512-character token, well within maximumTextLength.
        checkForgedPayload(Array(input.prefix(320)), ring)
        checkSealed(input, ring)
    }

    // 1
    static func checkText(_ text: String, _ ring: QRKeyring) {
        guard case .genuine(let claims) = verdict(text, ring, thorough: true) else { return }
        guard let known = real.first(where: { $0.text == text }) else { violated("a string that is not a real token opened: \(text)") }
        if known.claims != claims { violated("a real token opened to other claims") }
    }

    // 2
    static func checkMutated(_ original: [UInt8], _ claims: QRTokenClaims, program: ArraySlice<UInt8>, _ ring: QRKeyring) {
        let mutated = mutate(original, program: program)
        let verdict = verdict(Base64URL.encode(mutated), ring)
        if mutated == original {
            if verdict != .genuine(claims) { violated("an unchanged real token did not open") }
        } else if verdict != .invalid {
            violated("a mutated token opened: \(Base64URL.encode(mutated))")
        }
    }

    // 3
    static func checkResigned(_ original: [UInt8], _ claims: QRTokenClaims, program: ArraySlice<UInt8>, _ ring: QRKeyring) {
        let signedPart = Array(original.dropLast(HMACSHA256.length))
        let keyId = String(decoding: original[2..<(2 + Int(original[1]))], as: UTF8.self)
        guard let keys = ring.keys[keyId] else { violated("no keys for real key id \(keyId)") }
        let mutated = mutate(signedPart, program: program)
        let verdict = verdict(Base64URL.encode(mutated + sign(mutated, keys.mac)), ring)
        if mutated == signedPart {
            if verdict != .genuine(claims) { violated("a re-signed unchanged token did not open") }
        } else if verdict != .invalid {
            violated("a token changed under its signature opened: \(Base64URL.encode(mutated))")
        }
    }

    // 4
    static func checkForgedPayload(_ payload: [UInt8], _ ring: QRKeyring) {
        guard let keys = ring.keys["k1"] else { violated("no keys for k1") }
        let header: [UInt8] = [QRToken.version, 2, UInt8(ascii: "k"), UInt8(ascii: "1")]
        let nonce = [UInt8](repeating: 7, count: AES256GCM.nonceLength)
        let sealed: [UInt8]
        do {
            sealed = try AES256GCM.seal(payload, key: keys.encryption, nonce: nonce, associatedData: header)
        } catch {
            violated("AES-GCM seal failed: \(error)")
        }
        let body = header + nonce + sealed
        let text = Base64URL.encode(body + sign(body, keys.mac))
        let decoded = QRToken.decodePayload(payload)
        let verdict = verdict(text, ring)
        switch (decoded, verdict) {
        case (nil, .invalid):
            break
        case (let claims?, .genuine(let opened)) where claims == opened:
            if encodePayload(claims) != payload { violated("claims do not encode back to the payload they came from") }
            if !(1...255).contains(claims.ticketCode.utf8.count) { violated("a ticket code of \(claims.ticketCode.utf8.count) bytes") }
        default:
            violated("payload decoding (\(decoded.map { "\($0)" } ?? "nil")) and open (\(verdict)) disagree")
        }
    }

    // 5
    static func checkSealed(_ input: [UInt8], _ ring: QRKeyring) {
        guard input.count >= 24 else { return }
        func int64(at offset: Int) -> Int64 {
            input[offset..<(offset + 8)].reduce(0) { $0 << 8 | Int64($1) }
        }
        let issuedAt = int64(at: 0), expiresAt = int64(at: 8), partner = int64(at: 16)
        let claims = QRTokenClaims(ticketCode: String(decoding: input.dropFirst(24).prefix(300), as: UTF8.self),
                                   partnerId: partner, issuedAt: issuedAt, expiresAt: expiresAt,
                                   tokenId: Array(input.prefix(16)))
        guard let text = try? QRToken.seal(claims, keyring: ring) else { return }
        if verdict(text, ring) != .genuine(claims) { violated("a sealed token did not open to its claims: \(claims)") }
    }

    // MARK: - Tools

    /// Applies (operation, position, byte) triples from the input, at most 8.
    static func mutate(_ bytes: [UInt8], program: ArraySlice<UInt8>) -> [UInt8] {
        var bytes = bytes
        let ops = Array(program.prefix(24))
        var index = 0
        while index + 2 < ops.count {
            let (op, at, value) = (ops[index], Int(ops[index + 1]), ops[index + 2])
            index += 3
            switch op % 5 {
            case 0 where !bytes.isEmpty: bytes[at % bytes.count] ^= max(value, 1)
            case 1: bytes.insert(value, at: at % (bytes.count + 1))
            case 2 where !bytes.isEmpty: bytes.remove(at: at % bytes.count)
            case 3: bytes.removeLast(bytes.count - min(bytes.count, at))
            case 4 where !bytes.isEmpty: bytes[at % bytes.count] = value
            default: break
            }
        }
        return bytes
    }

    static func sign(_ body: [UInt8], _ key: [UInt8]) -> [UInt8] {
        do {
            return try HMACSHA256.authenticate(body, key: key)
        } catch {
            violated("HMAC failed: \(error)")
        }
    }

    /// The payload layout of QRToken's documentation, written independently of seal.
    static func encodePayload(_ claims: QRTokenClaims) -> [UInt8] {
        var out: [UInt8] = []
        for value in [claims.issuedAt, claims.expiresAt, claims.partnerId] {
            QRToken.appendBigEndian(value, to: &out)
        }
        let code = Array(claims.ticketCode.utf8)
        return out + claims.tokenId + [UInt8(truncatingIfNeeded: code.count)] + code
    }
}

/// What a QR token says: this ticket, of this partner, valid from `issuedAt` until
/// `expiresAt` (unix seconds, exclusive), with a random 128-bit `tokenId` that tells tokens
/// of the same ticket apart (logs, a future revocation list).
public struct QRTokenClaims: Sendable, Equatable {
    public var ticketCode: String
    public var partnerId: Int64
    public var issuedAt: Int64
    public var expiresAt: Int64
    public var tokenId: [UInt8]

    public init(ticketCode: String, partnerId: Int64, issuedAt: Int64, expiresAt: Int64, tokenId: [UInt8]) {
        self.ticketCode = ticketCode
        self.partnerId = partnerId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.tokenId = tokenId
    }

    /// Claims for a fresh token: issued `now`, a random token id.
    public static func issue(ticketCode: String, partnerId: Int64, now: Int64, lifetimeSeconds: Int64) throws(CryptoError) -> QRTokenClaims {
        QRTokenClaims(ticketCode: ticketCode, partnerId: partnerId, issuedAt: now, expiresAt: now + lifetimeSeconds,
                      tokenId: try SecureRandom.bytes(QRToken.tokenIdLength))
    }
}

/// Why a token was refused. Everything that is not a genuine, unexpired token of a key in
/// the ring is the one generic `.invalid`: the caller cannot (and need not) tell a flipped
/// bit from an unknown key or a wrong version.
public enum QRTokenError: Error, Sendable, Equatable {
    case invalid
    /// Genuine but past its expiry; the claims are there for a precise message or a log.
    case expired(QRTokenClaims)
}

/// Sealing and opening QR tokens (SPEC "QR codes").
///
/// Token bytes, then base64url without padding:
/// ```
/// version      1 byte   0x01                      \  header: in clear, bound as
/// key id len   1 byte   L, 1...16                  |  AES-GCM associated data
/// key id       L bytes  ASCII [A-Za-z0-9_-]       /
/// nonce        12 bytes random
/// ciphertext   41+n bytes  AES-256-GCM of the payload below
/// tag          16 bytes GCM tag
/// signature    32 bytes HMAC-SHA256 over every byte above, with the MAC key
/// ```
/// Payload v1 (fixed layout, integers big-endian):
/// ```
/// issued at    8 bytes  Int64 unix seconds
/// expires at   8 bytes  Int64 unix seconds
/// partner id   8 bytes  Int64
/// token id     16 bytes random
/// code length  1 byte   n, 1...255
/// ticket code  n bytes  UTF-8
/// ```
/// Both keys come from the key id's master secret through HKDF (`QRKeyring`). A 24-character
/// ticket code gives a 129-byte token, 172 characters of text.
public enum QRToken {
    public static let version: UInt8 = 1
    public static let tokenIdLength = 16
    static let fixedPayloadLength = 8 + 8 + 8 + 16 + 1
    static let shortestToken = 2 + 1 + AES256GCM.nonceLength + fixedPayloadLength + 1 + AES256GCM.tagLength + HMACSHA256.length
    /// Far above any real token; refuses absurd input before any work.
    public static let maximumTextLength = 1024

    /// Seals `claims` with the ring's active key.
    public static func seal(_ claims: QRTokenClaims, keyring: QRKeyring) throws(CryptoError) -> String {
        let code = Array(claims.ticketCode.utf8)
        guard (1...255).contains(code.count) else { throw .invalidInput("ticket code must be 1...255 UTF-8 bytes") }
        guard claims.tokenId.count == tokenIdLength else { throw .invalidInput("token id must be 16 bytes") }
        guard claims.expiresAt > claims.issuedAt else { throw .invalidInput("a token must expire after it is issued") }
        guard let keys = keyring.keys[keyring.activeKeyId] else { throw .operationFailed("active QR key missing from the ring") }

        let keyId = Array(keyring.activeKeyId.utf8)
        let header = [version, UInt8(keyId.count)] + keyId
        var payload: [UInt8] = []
        payload.reserveCapacity(fixedPayloadLength + code.count)
        appendBigEndian(claims.issuedAt, to: &payload)
        appendBigEndian(claims.expiresAt, to: &payload)
        appendBigEndian(claims.partnerId, to: &payload)
        payload += claims.tokenId
        payload.append(UInt8(code.count))
        payload += code

        let nonce = try SecureRandom.bytes(AES256GCM.nonceLength)
        let sealed = try AES256GCM.seal(payload, key: keys.encryption, nonce: nonce, associatedData: header)
        let body = header + nonce + sealed
        let signature = try HMACSHA256.authenticate(body, key: keys.mac)
        return Base64URL.encode(body + signature)
    }

    /// Opens a token: the signature first (constant time), then decryption (GCM tag),
    /// then expiry (`now >= expiresAt` is expired). Scope is the caller's: compare
    /// `partnerId`, or use `open(_:keyring:now:expectedPartner:)`.
    public static func open(_ token: String, keyring: QRKeyring, now: Int64) throws(QRTokenError) -> QRTokenClaims {
        let claims = try verifiedClaims(token, keyring: keyring)
        guard now < claims.expiresAt else { throw .expired(claims) }
        return claims
    }

    /// As `open`, and a token of another partner is `.invalid`, checked before expiry: to
    /// another partner's operators a token is noise, expired or not.
    public static func open(_ token: String, keyring: QRKeyring, now: Int64, expectedPartner: Int64) throws(QRTokenError) -> QRTokenClaims {
        let claims = try verifiedClaims(token, keyring: keyring)
        guard claims.partnerId == expectedPartner else { throw .invalid }
        guard now < claims.expiresAt else { throw .expired(claims) }
        return claims
    }

    /// Authentic claims, expiry not yet looked at.
    static func verifiedClaims(_ token: String, keyring: QRKeyring) throws(QRTokenError) -> QRTokenClaims {
        guard token.utf8.count <= maximumTextLength, let bytes = Base64URL.decode(token),
              bytes.count >= shortestToken, bytes[0] == version else { throw .invalid }
        let idLength = Int(bytes[1])
        let headerEnd = 2 + idLength
        guard (1...16).contains(idLength), bytes.count >= shortestToken - 1 + idLength else { throw .invalid }
        let keyId = String(decoding: bytes[2..<headerEnd], as: UTF8.self)
        guard QRKeyring.isValidKeyId(keyId), let keys = keyring.keys[keyId] else { throw .invalid }

        // The signature covers everything before it; nothing else is looked at until it holds.
        let signatureStart = bytes.count - HMACSHA256.length
        let body = Array(bytes[..<signatureStart])
        guard HMACSHA256.verify(Array(bytes[signatureStart...]), for: body, key: keys.mac) else { throw .invalid }

        let nonce = Array(bytes[headerEnd..<headerEnd + AES256GCM.nonceLength])
        let sealed = Array(bytes[(headerEnd + AES256GCM.nonceLength)..<signatureStart])
        guard let payload = AES256GCM.open(sealed, key: keys.encryption, nonce: nonce, associatedData: Array(bytes[..<headerEnd])) else {
            throw .invalid
        }
        guard let claims = decodePayload(payload) else { throw .invalid }
        return claims
    }

    static func decodePayload(_ p: [UInt8]) -> QRTokenClaims? {
        guard p.count > fixedPayloadLength else { return nil }
        let codeLength = Int(p[fixedPayloadLength - 1])
        guard codeLength >= 1, p.count == fixedPayloadLength + codeLength,
              let code = String(validating: p[fixedPayloadLength...], as: UTF8.self) else { return nil }
        return QRTokenClaims(ticketCode: code, partnerId: readBigEndian(p, at: 16), issuedAt: readBigEndian(p, at: 0),
                             expiresAt: readBigEndian(p, at: 8), tokenId: Array(p[24..<40]))
    }

    static func appendBigEndian(_ value: Int64, to out: inout [UInt8]) {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    }

    static func readBigEndian(_ bytes: [UInt8], at offset: Int) -> Int64 {
        var bits: UInt64 = 0
        for i in offset..<offset + 8 { bits = bits << 8 | UInt64(bytes[i]) }
        return Int64(bitPattern: bits)
    }
}

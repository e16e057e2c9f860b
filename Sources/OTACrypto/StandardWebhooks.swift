/// Signing by the Standard Webhooks 1.0 scheme (https://www.standardwebhooks.com): a
/// receiver verifies with any of its libraries. The signed content is
/// `<webhook-id>.<webhook-timestamp>.<body>`; the signature is `v1,` + base64 of its
/// HMAC-SHA256 under the secret's bytes; several signatures go space separated.
public enum StandardWebhooks {
    public static let secretPrefix = "whsec_"
    public static let secretLength = 32

    /// A new endpoint secret: `whsec_` + base64 of 32 random bytes, and those bytes.
    public static func newSecret() throws(CryptoError) -> (text: String, bytes: [UInt8]) {
        let bytes = try SecureRandom.bytes(secretLength)
        return (secretText(bytes), bytes)
    }

    public static func secretText(_ bytes: [UInt8]) -> String { secretPrefix + Base64.encode(bytes) }

    /// The bytes of a `whsec_...` secret; nil when it is not one.
    public static func secretBytes(_ text: String) -> [UInt8]? {
        guard text.hasPrefix(secretPrefix), let bytes = Base64.decode(String(text.dropFirst(secretPrefix.count))),
              !bytes.isEmpty else { return nil }
        return bytes
    }

    /// `v1,<base64 signature>` of one message under one secret.
    public static func signature(id: String, timestamp: Int64, body: [UInt8], secret: [UInt8]) throws(CryptoError) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return "v1," + Base64.encode(try HMACSHA256.authenticate(content, key: secret))
    }

    /// The `webhook-signature` header: one signature per secret (two during a rotation's
    /// overlap, the newest first), space separated.
    public static func signatureHeader(id: String, timestamp: Int64, body: [UInt8], secrets: [[UInt8]]) throws(CryptoError) -> String {
        var parts: [String] = []
        for secret in secrets { parts.append(try signature(id: id, timestamp: timestamp, body: body, secret: secret)) }
        return parts.joined(separator: " ")
    }
}

/// Seals small secrets for storage (AES-256-GCM) under a key HKDF derives from a master
/// key in the configuration, one key per purpose, so that a database dump alone reveals
/// nothing. Sealed form: nonce (12) || ciphertext || tag (16). `associatedData` binds a
/// sealed value to its row (e.g. the endpoint id), so it cannot be moved to another.
/// Its description names the key id only. SecretKeyring holds several (one active) and
/// prefixes what it seals with the sealing key's id.
public struct SecretBox: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let key: [UInt8]
    /// A fingerprint of the derived key, stored beside sealed values to tell which key
    /// sealed them (never the key).
    public let keyId: String
    /// The fingerprint's bytes (keyId is "k" + their hex): SecretKeyring's prefix.
    let keyIdBytes: [UInt8]

    public static let minimumMasterKeyLength = 32
    /// Webhook endpoints' signing secrets (gateway seals, worker opens).
    public static let webhookSecretPurpose = "webhook-endpoint-secret"
    /// Stored Idempotency-Key answers that carry a secret.
    public static let storedAnswerPurpose = "stored-secret-answer"
    public static let overhead = AES256GCM.nonceLength + AES256GCM.tagLength

    public init(masterKey: [UInt8], purpose: String) throws(CryptoError) {
        guard masterKey.count >= Self.minimumMasterKeyLength else {
            throw .invalidInput("the master key must be at least \(Self.minimumMasterKeyLength) bytes")
        }
        key = try HKDF.sha256(key: masterKey, info: Array("ota \(purpose) v1 aes-256-gcm key".utf8), length: AES256GCM.keyLength)
        keyIdBytes = Array(try HMACSHA256.authenticate(Array("key id".utf8), key: key).prefix(4))
        keyId = "k" + Digest.hex(keyIdBytes)
    }

    /// A master key written as hex or base64 (32+ bytes, e.g. `openssl rand -hex 32`); nil
    /// when it is neither or too short.
    public static func masterKey(fromText text: String) -> [UInt8]? {
        guard let bytes = QRKeyring.decodeSecret(text), bytes.count >= minimumMasterKeyLength else { return nil }
        return bytes
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        let nonce = try SecureRandom.bytes(AES256GCM.nonceLength)
        return nonce + (try AES256GCM.seal(plaintext, key: key, nonce: nonce, associatedData: associatedData))
    }

    /// nil when the value was sealed under another key, for other associated data, or altered.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard sealed.count >= Self.overhead else { return nil }
        return AES256GCM.open(Array(sealed[AES256GCM.nonceLength...]), key: key, nonce: Array(sealed[..<AES256GCM.nonceLength]),
                              associatedData: associatedData)
    }

    public var description: String { "SecretBox(\(keyId))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keyId": keyId]) }
}

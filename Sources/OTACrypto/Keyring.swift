/// The QR key ring: master secrets by key id, one of them active.
///
/// New tokens are sealed with the active key; tokens of a retired key keep opening while
/// its id stays in the ring, and stop the moment it is removed. Rotation: add the new id,
/// make it active, remove the old one once its longest-lived tokens (24 h) have expired.
///
/// Only the HKDF-derived keys are kept, never the master secrets. The ring's description
/// lists key ids only, so logging or printing it cannot leak key material.
public struct QRKeyring: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The two keys derived from one master secret.
    struct DerivedKeys: Sendable {
        let encryption: [UInt8]
        let mac: [UInt8]
    }

    public static let minimumSecretLength = 32
    public static let maximumSecretLength = 1024

    public let activeKeyId: String
    let keys: [String: DerivedKeys]

    /// Every key id that still verifies, sorted.
    public var keyIds: [String] { keys.keys.sorted() }

    /// `secrets`: key id -> master secret (32...1024 bytes, ideally random). Key ids are 1...16
    /// characters of [A-Za-z0-9_-]; the active id must be one of them.
    public init(activeKeyId: String, secrets: [String: [UInt8]]) throws(QRKeyringError) {
        guard !secrets.isEmpty else { throw .noKeys }
        guard QRKeyring.isValidKeyId(activeKeyId) else { throw .invalidActiveKeyId }
        guard secrets[activeKeyId] != nil else { throw .activeKeyNotInRing(activeKeyId) }
        var derived: [String: DerivedKeys] = [:]
        for (id, secret) in secrets {
            guard QRKeyring.isValidKeyId(id) else { throw .invalidKeyId(position: nil) }
            guard (QRKeyring.minimumSecretLength...QRKeyring.maximumSecretLength).contains(secret.count) else {
                throw .secretLength(keyId: id)
            }
            do {
                derived[id] = try QRKeyring.derive(secret)
            } catch {
                throw .derivationFailed
            }
        }
        self.activeKeyId = activeKeyId
        self.keys = derived
    }

    /// From the environment: `OTA_QR_ACTIVE_KEY_ID=k1`, `OTA_QR_KEYS=k1:<secret>,k0:<secret>`.
    /// A secret made only of an even number of hex digits is read as hex; anything else as
    /// base64 (standard or url alphabet, padding optional). Errors name the variable and
    /// the entry's position, never a secret.
    public static func parse(active: String?, keys: String?) throws(QRKeyringError) -> QRKeyring {
        guard let keys, !keys.trimmed.isEmpty else { throw .missingVariable("OTA_QR_KEYS") }
        guard let active, !active.trimmed.isEmpty else { throw .missingVariable("OTA_QR_ACTIVE_KEY_ID") }
        var secrets: [String: [UInt8]] = [:]
        // Decoded secrets are wiped however this function leaves.
        defer {
            for id in Array(secrets.keys) { KeyMaterial.wipe(&secrets[id]!) }
        }
        for (index, rawEntry) in keys.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let position = index + 1
            let entry = rawEntry.trimmed
            guard let colon = entry.firstIndex(of: ":") else { throw .malformedEntry(position: position) }
            let id = String(entry[..<colon]).trimmed
            let encoded = String(entry[entry.index(after: colon)...]).trimmed
            guard isValidKeyId(id) else { throw .invalidKeyId(position: position) }
            guard secrets[id] == nil else { throw .duplicateKeyId(id) }
            guard let secret = decodeSecret(encoded) else { throw .undecodableSecret(keyId: id) }
            secrets[id] = secret
        }
        let activeId = active.trimmed
        guard isValidKeyId(activeId) else { throw .invalidActiveKeyId }
        return try QRKeyring(activeKeyId: activeId, secrets: secrets)
    }

    /// 1...16 characters of [A-Za-z0-9_-]: short, because it travels in every token.
    public static func isValidKeyId(_ id: String) -> Bool {
        (1...16).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }

    static func decodeSecret(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        // Every byte was just checked to be a hex digit, so the unwraps below cannot fail.
        if bytes.count % 2 == 0, bytes.allSatisfy({ hexValue($0) != nil }) {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count / 2)
            var i = 0
            while i < bytes.count {
                out.append(hexValue(bytes[i])! << 4 | hexValue(bytes[i + 1])!)
                i += 2
            }
            return out
        }
        return Base64Codec.decode(bytes, alphabet: .either, allowPadding: true)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// Distinct labels: the encryption key and the MAC key are independent.
    static let encryptionInfo = Array("ota-qr-token v1 aes-256-gcm key".utf8)
    static let macInfo = Array("ota-qr-token v1 hmac-sha256 key".utf8)

    static func derive(_ secret: [UInt8]) throws(CryptoError) -> DerivedKeys {
        DerivedKeys(encryption: try HKDF.sha256(key: secret, info: encryptionInfo, length: AES256GCM.keyLength),
                    mac: try HKDF.sha256(key: secret, info: macInfo, length: HMACSHA256.length))
    }

    public var description: String { "QRKeyring(active: \(activeKeyId), keys: \(keyIds.joined(separator: ",")))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["activeKeyId": activeKeyId, "keyIds": keyIds]) }
}

/// Why a key ring could not be built. Descriptions are meant for an operator reading a
/// start-up error: they name the variable and the entry, never a secret.
public enum QRKeyringError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingVariable(String)
    case noKeys
    case malformedEntry(position: Int)
    case invalidKeyId(position: Int?)
    case invalidActiveKeyId
    case duplicateKeyId(String)
    case undecodableSecret(keyId: String)
    case secretLength(keyId: String)
    case activeKeyNotInRing(String)
    case derivationFailed

    public var description: String {
        switch self {
        case let .missingVariable(name):
            return "\(name) is not set; QR tokens need OTA_QR_ACTIVE_KEY_ID and OTA_QR_KEYS together"
        case .noKeys:
            return "OTA_QR_KEYS holds no keys"
        case let .malformedEntry(position):
            return "OTA_QR_KEYS entry \(position) is not of the form <key id>:<secret>"
        case let .invalidKeyId(position):
            let which = position.map { "entry \($0)" } ?? "a key id"
            return "OTA_QR_KEYS \(which): key ids are 1 to 16 characters of A-Z a-z 0-9 _ -"
        case .invalidActiveKeyId:
            return "OTA_QR_ACTIVE_KEY_ID must be 1 to 16 characters of A-Z a-z 0-9 _ -"
        case let .duplicateKeyId(id):
            return "OTA_QR_KEYS lists key id \(id) twice"
        case let .undecodableSecret(id):
            return "OTA_QR_KEYS secret of key \(id) is neither hex nor base64"
        case let .secretLength(id):
            return "OTA_QR_KEYS secret of key \(id) must be \(QRKeyring.minimumSecretLength) to \(QRKeyring.maximumSecretLength) bytes (e.g. openssl rand -hex 32)"
        case let .activeKeyNotInRing(id):
            return "OTA_QR_ACTIVE_KEY_ID=\(id) is not one of the key ids in OTA_QR_KEYS"
        case .derivationFailed:
            return "QR key derivation (HKDF) failed in OpenSSL"
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing white space: how both key rings read their variables.
    var trimmed: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[start...end])
    }
}

/// The master-key ring of sealed secrets (webhook signing secrets, stored answers): the
/// active key seals, retired keys only open, so the master key can be rotated without
/// making stored values unreadable. Rotation: make the new key active and list the old one
/// as retired, re-seal what is stored (`ota-admin webhook reseal`), then drop the old key.
///
/// Sealed form: `k` || the sealing key's 4-byte id || SecretBox's nonce || ciphertext || tag,
/// the 5-byte prefix bound into the associated data, so the key id cannot be altered or
/// stripped. Values sealed before the ring (no prefix) still open with any key of the ring,
/// the active one first.
///
/// Only SecretBoxes (HKDF-derived keys) are kept, never the master keys. The description
/// lists key ids only, so logging or printing the ring cannot leak key material.
public struct SecretKeyring: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let active: SecretBox
    /// Keys that still open, in the order configured.
    public let retired: [SecretBox]

    static let marker = UInt8(ascii: "k")
    public static let prefixLength = 1 + 4

    public var activeKeyId: String { active.keyId }
    /// The active key id first, then the retired ones in order.
    public var keyIds: [String] { ([active] + retired).map(\.keyId) }

    public init(active: SecretBox, retired: [SecretBox] = []) {
        self.active = active
        self.retired = retired
    }

    /// What opening a sealed value found.
    public struct Opened: Sendable, Equatable {
        public var plaintext: [UInt8]
        /// The key that opened it.
        public var keyId: String
        /// Sealed by the active key in the current (prefixed) form: nothing to re-seal.
        public var isCurrent: Bool
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        let prefix = Self.prefix(active)
        return prefix + (try active.seal(plaintext, associatedData: prefix + associatedData))
    }

    /// nil when no key of the ring sealed it (for this associated data), or it was altered.
    public func open(_ sealed: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        opening(sealed, associatedData: associatedData)?.plaintext
    }

    public func opening(_ sealed: [UInt8], associatedData: [UInt8]) -> Opened? {
        let boxes = [active] + retired
        if let id = Self.sealingKeyIdBytes(sealed), let box = boxes.first(where: { $0.keyIdBytes == id }) {
            let prefix = Array(sealed[..<Self.prefixLength])
            if let plain = box.open(Array(sealed[Self.prefixLength...]), associatedData: prefix + associatedData) {
                return Opened(plaintext: plain, keyId: box.keyId, isCurrent: box.keyId == active.keyId)
            }
        }
        // The legacy form (nonce || ciphertext || tag). Also reached by the one legacy value
        // in 2^40 whose first bytes happen to look like a prefix of a key in the ring.
        for box in boxes {
            if let plain = box.open(sealed, associatedData: associatedData) {
                return Opened(plaintext: plain, keyId: box.keyId, isCurrent: false)
            }
        }
        return nil
    }

    /// The id of the key a prefixed value names (not proof that it opens); nil for a value
    /// without a prefix.
    public static func sealingKeyId(_ sealed: [UInt8]) -> String? {
        sealingKeyIdBytes(sealed).map { "k" + Digest.hex($0) }
    }

    static func sealingKeyIdBytes(_ sealed: [UInt8]) -> [UInt8]? {
        guard sealed.count >= prefixLength + SecretBox.overhead, sealed[0] == marker else { return nil }
        return Array(sealed[1..<prefixLength])
    }

    static func prefix(_ box: SecretBox) -> [UInt8] { [marker] + box.keyIdBytes }

    /// From the environment: `OTA_WEBHOOK_SECRET_KEY=<active master key>`,
    /// `OTA_WEBHOOK_SECRET_OLD_KEYS=<key>,<key>` (retired, open only). Keys are hex or base64
    /// of 32+ bytes, read as QRKeyring reads its secrets. nil when neither is set. Errors name
    /// the variable and the entry's position, never a key.
    public static func parse(active: String?, oldKeys: String?, purpose: String) throws(SecretKeyringError) -> SecretKeyring? {
        let activeText = active?.trimmed ?? "", oldText = oldKeys?.trimmed ?? ""
        if activeText.isEmpty {
            if oldText.isEmpty { return nil }
            throw .missingVariable("OTA_WEBHOOK_SECRET_KEY")
        }
        guard var activeKey = SecretBox.masterKey(fromText: activeText) else { throw .undecodableActiveKey }
        defer { KeyMaterial.wipe(&activeKey) }
        let activeBox: SecretBox
        do { activeBox = try SecretBox(masterKey: activeKey, purpose: purpose) } catch { throw .derivationFailed }
        var retired: [SecretBox] = []
        if !oldText.isEmpty {
            for (index, entry) in oldText.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                let position = index + 1
                guard var key = SecretBox.masterKey(fromText: entry.trimmed) else { throw .undecodableOldKey(position: position) }
                defer { KeyMaterial.wipe(&key) }
                let box: SecretBox
                do { box = try SecretBox(masterKey: key, purpose: purpose) } catch { throw .derivationFailed }
                guard box.keyId != activeBox.keyId, !retired.contains(where: { $0.keyId == box.keyId }) else {
                    throw .duplicateKey(position: position)
                }
                retired.append(box)
            }
        }
        return SecretKeyring(active: activeBox, retired: retired)
    }

    public var description: String {
        "SecretKeyring(active: \(activeKeyId), old: \(retired.isEmpty ? "-" : retired.map(\.keyId).joined(separator: ",")))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["activeKeyId": activeKeyId, "keyIds": keyIds]) }
}

/// Why the ring could not be built. Descriptions are meant for an operator reading a
/// start-up error: they name the variable and the entry, never a key.
public enum SecretKeyringError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingVariable(String)
    case undecodableActiveKey
    case undecodableOldKey(position: Int)
    case duplicateKey(position: Int)
    case derivationFailed

    public var description: String {
        switch self {
        case let .missingVariable(name):
            return "\(name) is not set; OTA_WEBHOOK_SECRET_OLD_KEYS only lists retired keys beside the active one"
        case .undecodableActiveKey:
            return "OTA_WEBHOOK_SECRET_KEY must be hex or base64 of at least \(SecretBox.minimumMasterKeyLength) bytes (e.g. openssl rand -hex 32)"
        case let .undecodableOldKey(position):
            return "OTA_WEBHOOK_SECRET_OLD_KEYS entry \(position) must be hex or base64 of at least \(SecretBox.minimumMasterKeyLength) bytes"
        case let .duplicateKey(position):
            return "OTA_WEBHOOK_SECRET_OLD_KEYS entry \(position) repeats the active key or an earlier entry"
        case .derivationFailed:
            return "webhook secret key derivation (HKDF) failed in OpenSSL"
        }
    }
}

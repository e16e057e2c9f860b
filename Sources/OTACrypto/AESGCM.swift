import COpenSSL

/// AES-256-GCM through OpenSSL's EVP_CIPHER interface: 32-byte key, 96-bit nonce, 128-bit
/// tag. The sealed form is ciphertext followed by the tag.
///
/// A nonce must never repeat under one key; callers draw it from `SecureRandom` (96 random
/// bits: safe for far more tokens than one key will ever seal).
public enum AES256GCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try check(key: key, nonce: nonce)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .operationFailed("EVP_CIPHER_CTX_new") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, nil) == 1 else { throw .operationFailed("EVP_EncryptInit_ex2") }
        try feedAssociatedData(ctx, associatedData, encrypting: true)

        // GCM is a stream mode: the ciphertext is as long as the plaintext.
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var written: Int32 = 0
        var ok = out.withUnsafeMutableBufferPointer { o in
            plaintext.withUnsafeBufferPointer { p in
                guard p.count > 0 else { return Int32(1) }
                return EVP_EncryptUpdate(ctx, o.baseAddress, &written, p.baseAddress, Int32(p.count))
            }
        }
        guard ok == 1, Int(written) == plaintext.count || plaintext.isEmpty else { throw .operationFailed("EVP_EncryptUpdate") }
        var final: Int32 = 0
        ok = out.withUnsafeMutableBufferPointer { o in EVP_EncryptFinal_ex(ctx, o.baseAddress! + plaintext.count, &final) }
        guard ok == 1, final == 0 else { throw .operationFailed("EVP_EncryptFinal_ex") }
        ok = out.withUnsafeMutableBufferPointer { o in
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), o.baseAddress! + plaintext.count)
        }
        guard ok == 1 else { throw .operationFailed("EVP_CTRL_GCM_GET_TAG") }
        return out
    }

    /// The plaintext, or nil when the tag does not verify (wrong key, nonce, associated
    /// data, or any changed bit). Nothing of an unverified plaintext is returned.
    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) -> [UInt8]? {
        guard (try? check(key: key, nonce: nonce)) != nil, sealed.count >= tagLength else { return nil }
        guard let ctx = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, nil) == 1 else { return nil }
        guard (try? feedAssociatedData(ctx, associatedData, encrypting: false)) != nil else { return nil }

        let length = sealed.count - tagLength
        var plain = [UInt8](repeating: 0, count: length)
        var written: Int32 = 0
        var ok = plain.withUnsafeMutableBufferPointer { o in
            sealed.withUnsafeBufferPointer { s in
                guard length > 0 else { return Int32(1) }
                return EVP_DecryptUpdate(ctx, o.baseAddress, &written, s.baseAddress, Int32(length))
            }
        }
        guard ok == 1 else { return nil }
        var tag = Array(sealed[length...])
        ok = tag.withUnsafeMutableBufferPointer { t in EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), t.baseAddress) }
        guard ok == 1 else { return nil }
        // Final checks the tag; on failure wipe what was decrypted so it cannot leak out.
        var final: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        ok = scratch.withUnsafeMutableBufferPointer { s in EVP_DecryptFinal_ex(ctx, s.baseAddress, &final) }
        guard ok == 1 else {
            KeyMaterial.wipe(&plain)
            return nil
        }
        return plain
    }

    private static func check(key: [UInt8], nonce: [UInt8]) throws(CryptoError) {
        guard key.count == keyLength else { throw .invalidInput("AES-256-GCM key must be 32 bytes") }
        guard nonce.count == nonceLength else { throw .invalidInput("AES-256-GCM nonce must be 12 bytes") }
    }

    /// Associated data goes in through an update call with no output buffer.
    private static func feedAssociatedData(_ ctx: OpaquePointer, _ aad: [UInt8], encrypting: Bool) throws(CryptoError) {
        guard !aad.isEmpty else { return }
        var written: Int32 = 0
        let ok = aad.withUnsafeBufferPointer { a in
            encrypting ? EVP_EncryptUpdate(ctx, nil, &written, a.baseAddress, Int32(a.count))
                       : EVP_DecryptUpdate(ctx, nil, &written, a.baseAddress, Int32(a.count))
        }
        guard ok == 1 else { throw .operationFailed("AES-GCM associated data") }
    }
}

import COpenSSL

/// HKDF (RFC 5869) with SHA-256, through OpenSSL's EVP_KDF "HKDF". Derives the QR token's
/// encryption and MAC keys from one master secret, with a distinct `info` label per key so
/// neither key tells anything about the other.
public enum HKDF {
    /// `length` bytes of output keying material (1...8160). An empty `salt` is RFC 5869's
    /// default (HashLen zero bytes); fine for uniformly random input keying material.
    public static func sha256(key: [UInt8], salt: [UInt8] = [], info: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
        guard !key.isEmpty else { throw .invalidInput("HKDF input keying material is empty") }
        guard (1...255 * 32).contains(length) else { throw .invalidInput("HKDF output length must be 1...8160 bytes") }
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { throw .operationFailed("EVP_KDF_fetch(HKDF)") }
        defer { EVP_KDF_free(kdf) }
        guard let ctx = EVP_KDF_CTX_new(kdf) else { throw .operationFailed("EVP_KDF_CTX_new") }
        defer { EVP_KDF_CTX_free(ctx) }

        var out = [UInt8](repeating: 0, count: length)
        // Every buffer the parameters point to stays alive until EVP_KDF_derive returns.
        let ok = key.withUnsafeBytes { k in
            salt.withUnsafeBytes { s in
                info.withUnsafeBytes { i in
                    var params = [OSSLParam.utf8("digest", "SHA256"), OSSLParam.octets("key", k)]
                    if !salt.isEmpty { params.append(OSSLParam.octets("salt", s)) }
                    if !info.isEmpty { params.append(OSSLParam.octets("info", i)) }
                    params.append(OSSLParam.end())
                    return out.withUnsafeMutableBufferPointer { o in
                        params.withUnsafeBufferPointer { p in EVP_KDF_derive(ctx, o.baseAddress, length, p.baseAddress) }
                    }
                }
            }
        }
        guard ok == 1 else {
            KeyMaterial.wipe(&out)
            throw .operationFailed("EVP_KDF_derive(HKDF)")
        }
        return out
    }
}

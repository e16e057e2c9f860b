import COpenSSL

/// Best-effort wiping of secrets we hold in transient buffers (decoded master secrets,
/// derived key bytes before they are stored, password bytes). Swift arrays are
/// copy-on-write and may have been copied before, so this narrows, not closes, the window
/// in which a secret sits in freed memory. OPENSSL_cleanse cannot be optimised away.
enum KeyMaterial {
    static func wipe(_ bytes: inout [UInt8]) {
        let count = bytes.count
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress, count > 0 { OPENSSL_cleanse(base, count) }
        }
    }
}

/// Names and values of OSSL_PARAM entries. OSSL_PARAM keeps the *pointer* to its key, so
/// the key must outlive the call that reads the parameters: StaticString literals live for
/// the whole process, which a bridged Swift String does not.
enum OSSLParam {
    static func utf8(_ key: StaticString, _ value: StaticString) -> OSSL_PARAM {
        OSSL_PARAM_construct_utf8_string(cString(key), mutableCString(value), 0)
    }

    /// `buffer` must stay valid until the parameters are consumed.
    static func octets(_ key: StaticString, _ buffer: UnsafeRawBufferPointer) -> OSSL_PARAM {
        OSSL_PARAM_construct_octet_string(cString(key), UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
    }

    static func end() -> OSSL_PARAM { OSSL_PARAM_construct_end() }

    private static func cString(_ s: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// OpenSSL's constructor takes `char *` but only reads a value passed *in*.
    private static func mutableCString(_ s: StaticString) -> UnsafeMutablePointer<CChar> {
        UnsafeMutablePointer(mutating: cString(s))
    }
}

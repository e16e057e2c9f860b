import Testing
@testable import OTACrypto

/// The OpenSSL wrappers against published test vectors: a wrong parameter name, argument
/// order or length would show here, not as a token that merely round-trips with itself.
@Suite struct PrimitiveVectorTests {
    @Test func hkdfMatchesRFC5869TestCase1() throws {
        let okm = try HKDF.sha256(key: [UInt8](repeating: 0x0b, count: 22), salt: bytesFromHex("000102030405060708090a0b0c"),
                                  info: bytesFromHex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(Digest.hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test func hkdfMatchesRFC5869TestCase3WithoutSaltOrInfo() throws {
        let okm = try HKDF.sha256(key: [UInt8](repeating: 0x0b, count: 22), info: [], length: 42)
        #expect(Digest.hex(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test func hkdfRefusesImpossibleRequests() {
        #expect(throws: CryptoError.self) { try HKDF.sha256(key: [], info: [1], length: 32) }
        #expect(throws: CryptoError.self) { try HKDF.sha256(key: [1], info: [1], length: 255 * 32 + 1) }
    }

    @Test func hmacMatchesRFC4231TestCase2() throws {
        let mac = try HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMACSHA256.verify(mac, for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)))
        #expect(!HMACSHA256.verify(mac, for: Array("what do ya want for nothing!".utf8), key: Array("Jefe".utf8)))
        #expect(!HMACSHA256.verify(Array(mac.dropLast()), for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)))
    }

    /// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256,
    /// 96-bit IV, associated data, 60-byte plaintext).
    @Test func aesGCMMatchesMcGrewViegaTestCase16() throws {
        let key = bytesFromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let plaintext = bytesFromHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = bytesFromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let iv = bytesFromHex("cafebabefacedbaddecaf888")
        let sealed = try AES256GCM.seal(plaintext, key: key, nonce: iv, associatedData: aad)
        #expect(Digest.hex(Array(sealed.dropLast(16))) == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
            + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")
        #expect(Digest.hex(Array(sealed.suffix(16))) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(AES256GCM.open(sealed, key: key, nonce: iv, associatedData: aad) == plaintext)

        var tampered = sealed
        tampered[3] ^= 1
        #expect(AES256GCM.open(tampered, key: key, nonce: iv, associatedData: aad) == nil)
        #expect(AES256GCM.open(sealed, key: key, nonce: iv, associatedData: Array(aad.dropLast())) == nil)
    }

    /// Test case 13: zero key, empty plaintext, no associated data (tag only).
    @Test func aesGCMMatchesMcGrewViegaTestCase13() throws {
        let sealed = try AES256GCM.seal([], key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12), associatedData: [])
        #expect(Digest.hex(sealed) == "530f8afbc74536b9a963b4f1c4cb738b")
        #expect(AES256GCM.open(sealed, key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12), associatedData: []) == [])
    }

    @Test func aesGCMRefusesWrongKeyAndNonceLengths() {
        #expect(throws: CryptoError.self) { try AES256GCM.seal([1], key: [UInt8](repeating: 0, count: 16), nonce: [UInt8](repeating: 0, count: 12), associatedData: []) }
        #expect(throws: CryptoError.self) { try AES256GCM.seal([1], key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 16), associatedData: []) }
        #expect(AES256GCM.open([UInt8](repeating: 0, count: 15), key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12), associatedData: []) == nil)
    }

    @Test func base64urlRoundTripsEveryLengthAndIsStrict() throws {
        for n in 0...40 {
            let bytes = try SecureRandom.bytes(n)
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes)
        }
        // RFC 4648 §10 vectors, unpadded.
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64URL.encode(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("Zm9vYmE=") == nil)    // padding
        #expect(Base64URL.decode("Zm9vYmF") == nil)     // unused bits set: a second spelling
        #expect(Base64URL.decode("Zm9vY") == nil)       // a lone 6-bit character
        #expect(Base64URL.decode("Zm9v Ym") == nil)
        #expect(Base64URL.decode("+/8") == nil)         // standard alphabet
        #expect(Base64URL.decode("") == [])
    }
}

func bytesFromHex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(text.utf8).makeIterator()
    while let hi = chars.next(), let lo = chars.next() {
        out.append(UInt8(String(decoding: [hi, lo], as: UTF8.self), radix: 16)!)
    }
    return out
}

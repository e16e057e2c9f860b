// Shared by every fuzz harness (compiled into each by scripts/fuzz.sh).
//
// A harness reports a broken invariant by trapping: that is how libFuzzer (and the
// fallback driver) learn of a failure and save the input as a reproducer. This is test
// code fed by the fuzzer, never product code fed by a client.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fuzzer's input as bytes.
func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let data, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: count))
}

/// Stops the run on a broken invariant, saying which one.
func violated(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    // Straight to fd 2: buffered stdout would be lost in the abort.
    let text = Array("FUZZ INVARIANT BROKEN: \(message())\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    fatalError("fuzz invariant broken", file: file, line: line)
}

/// SplitMix64: derived from the input itself, so every choice a harness makes (where to
/// split, what to mutate) is a function of the input and a reproducer replays exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    init(hashing bytes: [UInt8]) {
        // FNV-1a over the input.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = hash
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

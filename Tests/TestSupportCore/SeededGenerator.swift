import Foundation

/// SplitMix64: a small deterministic RandomNumberGenerator, so a test that draws random
/// inputs draws the same ones again from the same seed and a failure reproduces.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator for one test, or one thread of it: the run's seed (`TestSeed.value`)
    /// mixed with a label, so tests do not share one sequence and each replays alone.
    public init(_ label: String, _ index: Int = 0) {
        // FNV-1a: stable across runs, unlike Hasher.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        state = TestSeed.value ^ hash ^ (UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed of this test run's random choices: $OTA_TEST_SEED, else drawn once. Printed
/// at first use; tests that draw from it name it in their failure messages
/// (`TestSeed.replay`), so `OTA_TEST_SEED=<n> make test` draws the same inputs again.
public enum TestSeed {
    public static let value: UInt64 = {
        let given = ProcessInfo.processInfo.environment["OTA_TEST_SEED"].flatMap { UInt64($0) }
        let seed = given ?? UInt64.random(in: 0...UInt64.max)
        print("random test inputs from OTA_TEST_SEED=\(seed)\(given == nil ? " (drawn for this run)" : "")")
        return seed
    }()

    /// For a failure message: how to draw the same inputs again.
    public static var replay: String { "replay with OTA_TEST_SEED=\(value)" }
}

import Testing
import TestSupportCore
@testable import HTTP

/// Mutated and random input must never crash the parser, and the outcome must not
/// depend on how the bytes were split.
@Suite struct ParserFuzzTests {
    // Fixed seeds (SeededGenerator is SplitMix64): the same corpus every run, and a
    // failing input is printed whole.

    static let interesting: [UInt8] = Array("\r\n:; \t0123456789abcdefABCDEF-,chunked".utf8) + [0, 0x7F, 0xFF]

    static func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
            let byte = Bool.random(using: &generator)
                ? interesting.randomElement(using: &generator)!
                : UInt8.random(in: 0...255, using: &generator)
            switch Int.random(in: 0..<3, using: &generator) {
            case 0 where !bytes.isEmpty: bytes[position] = byte
            case 1: bytes.insert(byte, at: position)
            default: if !bytes.isEmpty { bytes.remove(at: position) }
            }
        }
        return bytes
    }

    static func randomChunks(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let size = Int.random(in: 1...max(1, min(17, bytes.count - index)), using: &generator)
            chunks.append(Array(bytes[index..<(index + size)]))
            index += size
        }
        return chunks
    }

    @Test(arguments: 0..<8)
    func mutatedRequestsParseTheSameHoweverSplit(seed: Int) {
        var generator = SeededGenerator(seed: UInt64(seed) &* 7919)
        let seeds = ParserTests.validRequests.map { Array($0.utf8) }
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 256, maxBodyBytes: 64)
        for _ in 0..<300 {
            let input = Self.mutate(seeds.randomElement(using: &generator)!, using: &generator)
                + Self.mutate(seeds.randomElement(using: &generator)!, using: &generator)
            let whole = ParseHarness.parse([input], limits: limits)
            let split = ParseHarness.parse(Self.randomChunks(input, using: &generator), limits: limits)
            let byteByByte = ParseHarness.parse(input.map { [$0] }, limits: limits)
            #expect(whole == split, "input: \(input)")
            #expect(whole == byteByByte, "input: \(input)")
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<500 {
            let length = Int.random(in: 0..<300, using: &generator)
            let input = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = ParseHarness.parse(Self.randomChunks(input, using: &generator))
        }
    }
}

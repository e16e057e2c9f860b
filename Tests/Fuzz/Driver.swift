// FALLBACK ONLY, for toolchains without libFuzzer (`-sanitize=fuzzer`): a deterministic
// random-input driver for the same harnesses. It mutates the seed corpus blindly (no
// coverage feedback), so it finds far less than libFuzzer; scripts/fuzz.sh says so when it
// uses it. Linux toolchains from swift.org ship libFuzzer and never compile this file.
//
//   driver FILE                 replay one input
//   driver DIR...               mutate the inputs in DIRs; bounds from the environment:
//     OTA_FUZZ_RUNS (default 10000000), OTA_FUZZ_SECONDS, OTA_FUZZ_SEED (default 1),
//     OTA_FUZZ_ARTIFACT: the input being run is kept in this file, so that after a crash
//     it is the reproducer (removed after a clean run).

import Foundation

@main
enum FuzzDriver {
    static let interesting: [UInt8] = Array("\r\n:; \t\"\\{}[],0123456789abcdef-_=%".utf8) + [0, 0x7F, 0x80, 0xC3, 0xFF]

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let environment = ProcessInfo.processInfo.environment
        var isDirectory: ObjCBool = false
        if arguments.count == 1, FileManager.default.fileExists(atPath: arguments[0], isDirectory: &isDirectory), !isDirectory.boolValue {
            run(Array(FileManager.default.contents(atPath: arguments[0]) ?? Data()))
            print("replayed \(arguments[0]): no failure")
            return
        }
        var seeds: [[UInt8]] = []
        for directory in arguments {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() {
                if let data = FileManager.default.contents(atPath: directory + "/" + name) { seeds.append(Array(data)) }
            }
        }
        if seeds.isEmpty { seeds = [[]] }
        let runs = environment["OTA_FUZZ_RUNS"].flatMap { Int($0) } ?? 10_000_000
        let seconds = environment["OTA_FUZZ_SECONDS"].flatMap { Double($0) }
        var generator = SplitMix64(seed: environment["OTA_FUZZ_SEED"].flatMap { UInt64($0) } ?? 1)
        let artifact = environment["OTA_FUZZ_ARTIFACT"].map(Artifact.init)

        let start = Date()
        for seed in seeds { artifact?.keep(seed); run(seed) }
        var executed = seeds.count
        while executed < runs {
            // Checking the clock every 1024 inputs keeps it off the profile.
            if executed % 1024 == 0, let seconds, Date().timeIntervalSince(start) >= seconds { break }
            var input = seeds[generator.below(seeds.count)]
            for _ in 0...generator.below(8) { mutate(&input, seeds: seeds, using: &generator) }
            artifact?.keep(input)
            run(input)
            executed += 1
        }
        artifact?.remove()
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        print("fallback driver (no libFuzzer): \(executed) inputs in \(Int(elapsed)) s, \(Int(Double(executed) / elapsed)) exec/s, no failure")
    }

    static func run(_ input: [UInt8]) {
        _ = input.withUnsafeBufferPointer { fuzzOneInput($0.baseAddress, $0.count) }
    }

    static func mutate(_ bytes: inout [UInt8], seeds: [[UInt8]], using generator: inout SplitMix64) {
        let byte = generator.below(2) == 0 ? interesting[generator.below(interesting.count)] : UInt8(truncatingIfNeeded: generator.next())
        let position = generator.below(bytes.count + 1)
        switch generator.below(6) {
        case 0 where !bytes.isEmpty: bytes[position % bytes.count] = byte
        case 1 where bytes.count < 4096: bytes.insert(byte, at: position)
        case 2 where !bytes.isEmpty: bytes.remove(at: position % bytes.count)
        case 3 where !bytes.isEmpty: bytes[position % bytes.count] ^= 1 << UInt8(generator.below(8))
        case 4 where position < bytes.count && bytes.count < 4096:
            // Repeat a slice: long fields, deep nesting, many chunks.
            let end = min(bytes.count, position + 1 + generator.below(32))
            bytes.insert(contentsOf: bytes[position..<end], at: end)
        default:
            // Splice the start of this input with the end of another.
            let other = seeds[generator.below(seeds.count)]
            let cut = generator.below(other.count + 1)
            bytes = Array(bytes[..<position] + other[cut...].prefix(4096))
        }
    }

    /// The file that holds the input being run.
    struct Artifact {
        let path: String
        let descriptor: Int32

        init(path: String) {
            self.path = path
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }

        func keep(_ input: [UInt8]) {
            guard descriptor >= 0 else { return }
            _ = ftruncate(descriptor, 0)
            _ = input.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }

        func remove() {
            close(descriptor)
            unlink(path)
        }
    }
}

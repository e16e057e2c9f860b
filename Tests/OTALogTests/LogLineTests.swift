import Foundation
import JSON
import Testing
@testable import OTALog

/// Log's format: one JSON object per line on standard output, `ts`, `level` and `event`
/// first, then the fields in the order given; strings escaped so a line stays one line.
@Suite(.serialized) struct LogLineTests {
    /// An event name no other test logs.
    let marker = "otalog.test.\(UUID().uuidString.prefix(8))"

    static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    @Test func eachEventIsOneJSONObjectOnALineOfItsOwn() throws {
        let captured = try StandardOutputCapture.lines(containing: marker) {
            Log.event(marker, [("n", .int(1))])
            Log.event(marker, [("n", .int(2))])
            Log.event(marker, [("n", .int(3))])
        }
        #expect(captured.lines.count == 3)
        #expect(captured.lines.allSatisfy { $0.terminated }, "every line ends in a newline")
        let objects = captured.texts.compactMap(Self.object)
        #expect(objects.count == 3, "each line parses alone: \(captured.texts)")
        #expect(objects.map { $0["n"] as? Int } == [1, 2, 3])
        #expect(objects.allSatisfy { $0["event"] as? String == marker && $0["level"] as? String == "info" })
    }

    @Test func tsLevelAndEventComeFirstThenTheFieldsInTheirOrder() throws {
        let captured = try StandardOutputCapture.lines(containing: marker) {
            Log.event(marker, [("zeta", .string("z")), ("alpha", .int(7)), ("ok", .bool(true)), ("none", .null)], level: "error")
        }
        let line = try #require(captured.texts.first)
        #expect(line.hasPrefix(#"{"ts":""#), "\(line)")
        #expect(line.hasSuffix(#","level":"error","event":"\#(marker)","zeta":"z","alpha":7,"ok":true,"none":null}"#), "\(line)")
    }

    @Test func stringsAreEscapedSoALineStaysWhole() throws {
        let nasty = "quote \" backslash \\ newline \n return \r tab \t nul \u{0} bell \u{7} del \u{7F} café 🎫 \u{2028} end"
        let captured = try StandardOutputCapture.lines(containing: marker) {
            Log.event(marker, [("text", .string(nasty)), ("key \"with\" quotes\n", .string("v"))])
        }
        #expect(captured.lines.count == 1, "a newline in a value never splits the line")
        let line = try #require(captured.texts.first)
        #expect(!line.utf8.contains { $0 < 0x20 }, "no raw control character in the line")
        let object = try #require(Self.object(line), "\(line)")
        #expect(object["text"] as? String == nasty)
        #expect(object["key \"with\" quotes\n"] as? String == "v")
    }

    /// One write per line: lines from many threads at once never interleave.
    @Test func eventsFromManyThreadsAtOnceStayWhole() throws {
        let long = String(repeating: "x", count: 3000)
        let threads = 4, perThread = 100
        let captured = try StandardOutputCapture.lines(containing: marker) {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for i in 0..<perThread { Log.event(marker, [("thread", .int(t)), ("i", .int(i)), ("pad", .string(long))]) }
            }
        }
        #expect(captured.lines.count == threads * perThread)
        let objects = captured.texts.compactMap(Self.object)
        #expect(objects.count == threads * perThread, "every line parses alone")
        for t in 0..<threads {
            #expect(objects.filter { $0["thread"] as? Int == t }.compactMap { $0["i"] as? Int } == Array(0..<perThread),
                    "thread \(t)'s lines, each once and in order")
        }
    }

    @Test func tsIsUTCWithMillisecondsAndTheTimeOfTheCall() throws {
        let before = Date()
        let captured = try StandardOutputCapture.lines(containing: marker) { Log.event(marker) }
        let after = Date()
        let line = try #require(captured.texts.first)
        let ts = try #require(Self.object(line)?["ts"] as? String)
        #expect(ts.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(ts)")
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let at = try #require(parser.date(from: ts))
        // Truncated to the millisecond: never after the call, at most 1 ms before it began.
        #expect(at >= before.addingTimeInterval(-0.001) && at <= after, "\(ts) outside \(before)...\(after)")
        #expect(Log.isoNow().wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
    }
}

import Foundation
import Glibc
import Synchronization

/// What the process writes to file descriptor 1 while `body` runs, as Log writes there.
///
/// The test runner shares descriptor 1 with every test running in parallel, so it points
/// at a file only for the moment of `body`, and whatever else was written meanwhile (the
/// runner's own output, another test's print) is passed on to the real output afterwards:
/// nothing is lost, at most reordered. Captures never overlap (one lock).
enum StandardOutputCapture {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The lines written during `body` that contain `marker`, each with whether it ended in
    /// a newline, in the order written.
    struct Captured {
        var lines: [(text: String, terminated: Bool)]
        var texts: [String] { lines.map(\.text) }
    }

    private static let lock = Mutex(())

    static func lines(containing marker: String, during body: () -> Void) throws -> Captured {
        try lock.withLock { _ in
            let path = NSTemporaryDirectory() + "otalog-\(UUID().uuidString).out"
            defer { unlink(path) }
            // O_APPEND: concurrent writers each append whole writes, as to a pipe or journal.
            let file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
            guard file >= 0 else { throw Failure(description: "open \(path): errno \(errno)") }
            fflush(nil)  // all stdio streams: nothing buffered before goes into the capture
            let saved = dup(1)
            guard saved >= 0, dup2(file, 1) >= 0 else {
                close(file)
                throw Failure(description: "dup2 onto descriptor 1: errno \(errno)")
            }
            body()
            dup2(saved, 1)
            close(saved)
            close(file)

            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            var mine: [(String, Bool)] = []
            var others: [UInt8] = []
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: 0x0A)
                let line = Array(bytes[start..<(end ?? bytes.count)])
                let text = String(decoding: line, as: UTF8.self)
                if text.contains(marker) {
                    mine.append((text, end != nil))
                } else {
                    others += line + (end != nil ? [0x0A] : [])
                }
                start = (end ?? bytes.count) + 1
            }
            if !others.isEmpty { _ = others.withUnsafeBytes { write(1, $0.baseAddress, $0.count) } }
            return Captured(lines: mine)
        }
    }
}

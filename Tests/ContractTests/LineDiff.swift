/// A unified-diff-like listing of two texts, line by line, so that a failed snapshot
/// comparison shows what changed rather than two 3000-line strings.
enum LineDiff {
    enum Edit: Equatable {
        case same(Int, Int), removed(Int), added(Int)
    }

    /// "--- old\n+++ new\n@@ -a,b +c,d @@\n -line\n +line ..." with `context` unchanged lines
    /// around each change; "" when the texts are equal.
    static func unified(old: String, new: String, oldName: String = "snapshot", newName: String = "served", context: Int = 3) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false)
        let edits = self.edits(a, b)
        guard edits.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        var i = 0
        while i < edits.count {
            guard let firstChange = edits[i...].firstIndex(where: { if case .same = $0 { return false } else { return true } }) else { break }
            // A hunk runs from `context` lines before a change until `context` unchanged
            // lines follow the last change that is close enough to join it.
            let start = max(i, firstChange - context)
            var end = firstChange
            var unchanged = 0
            var k = firstChange
            while k < edits.count {
                if case .same = edits[k] {
                    unchanged += 1
                    if unchanged > 2 * context { break }
                } else {
                    unchanged = 0
                    end = k
                }
                k += 1
            }
            let stop = min(edits.count, end + context + 1)
            let hunk = edits[start..<stop]
            let oldStart = hunk.lazy.compactMap { e -> Int? in
                switch e { case let .same(x, _), let .removed(x): return x; case .added: return nil }
            }.first ?? 0
            let newStart = hunk.lazy.compactMap { e -> Int? in
                switch e { case let .same(_, y), let .added(y): return y; case .removed: return nil }
            }.first ?? 0
            let oldCount = hunk.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = hunk.filter { if case .removed = $0 { return false } else { return true } }.count
            out += "@@ -\(oldStart + 1),\(oldCount) +\(newStart + 1),\(newCount) @@\n"
            for e in hunk {
                switch e {
                case let .same(x, _): out += " \(a[x])\n"
                case let .removed(x): out += "-\(a[x])\n"
                case let .added(y): out += "+\(b[y])\n"
                }
            }
            i = stop
        }
        return out
    }

    /// A shortest edit script by longest common subsequence, after trimming the common
    /// head and tail (a document change is usually a few lines in one place).
    static func edits(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = Array(a[head..<(a.count - tail)])
        let y = Array(b[head..<(b.count - tail)])
        // lcs[i][j]: the LCS length of x[i...] and y[j...].
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var edits = (0..<head).map { Edit.same($0, $0) }
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] {
                edits.append(.same(head + i, head + j))
                i += 1
                j += 1
            } else if i < x.count, j == y.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                // Removals before additions, as diff(1) lists them.
                edits.append(.removed(head + i))
                i += 1
            } else {
                edits.append(.added(head + j))
                j += 1
            }
        }
        edits += (0..<tail).map { Edit.same(a.count - tail + $0, b.count - tail + $0) }
        return edits
    }
}

/// A small reader for `COMMAND [positionals] [--option value] [--flag]`, enough for this
/// tool without a package dependency. Options may come anywhere, as `--name value` or
/// `--name=value`; read the options first, then the positionals, then call `finish()` so
/// that anything left over is reported instead of ignored.
struct Arguments {
    /// The command being read ("partner create"), for messages.
    let command: String
    private var items: [String]

    init(command: String, _ items: [String]) {
        self.command = command
        self.items = items
    }

    var wantsHelp: Bool { items.contains("--help") || items.contains("-h") }
    var isEmpty: Bool { items.isEmpty }

    /// The next word, taken off the front (a subcommand), or nil at the end.
    mutating func next() -> String? { items.isEmpty ? nil : items.removeFirst() }

    /// What is left, read as `command` ("partner" -> "partner create").
    func named(_ command: String) -> Arguments { Arguments(command: command, items) }

    /// Takes a group's subcommand ("partner" -> "create") and leaves `self` as that
    /// subcommand's arguments ("partner create"). Returns nil once it has printed the group's
    /// `help` (no subcommand, `help`, `--help`, `-h`) or the subcommand's usage (its `--help`).
    mutating func subcommand(help: String, usages: [String: String]) throws(AdminError) -> String? {
        guard let sub = next(), sub != "--help", sub != "-h", sub != "help" else {
            print(help)
            return nil
        }
        guard let usage = usages[sub] else { throw .usage("unknown command \(command) \(sub); see ota-admin \(command) --help") }
        self = named("\(command) \(sub)")
        if wantsHelp {
            print(usage)
            return nil
        }
        return sub
    }

    /// The value of `--name`, removed from the arguments; nil when absent.
    mutating func value(_ name: String) throws(AdminError) -> String? {
        var found: String?
        var i = 0
        while i < items.count {
            let item = items[i]
            var value: String?
            if item == name {
                guard i + 1 < items.count, !items[i + 1].hasPrefix("--") else {
                    throw usage("\(name) needs a value")
                }
                value = items[i + 1]
                items.removeSubrange(i...(i + 1))
            } else if item.hasPrefix(name + "=") {
                value = String(item.dropFirst(name.count + 1))
                items.remove(at: i)
            } else {
                i += 1
                continue
            }
            guard found == nil else { throw usage("\(name) is given twice") }
            found = value
        }
        return found
    }

    /// `--name N` as a whole number within `range`; nil when absent.
    mutating func int(_ name: String, in range: ClosedRange<Int>) throws(AdminError) -> Int? {
        guard let text = try value(name) else { return nil }
        return try Self.int(text, name: name, in: range, command: command)
    }

    /// Whether `--name` is present (removed from the arguments).
    mutating func flag(_ name: String) -> Bool {
        guard let i = items.firstIndex(of: name) else { return false }
        items.remove(at: i)
        return true
    }

    /// The next positional argument, called `name` in messages ("PRODUCT").
    mutating func positional(_ name: String) throws(AdminError) -> String {
        guard let value = try optionalPositional(name) else { throw usage("missing \(name)") }
        return value
    }

    mutating func optionalPositional(_ name: String) throws(AdminError) -> String? {
        guard let first = items.first else { return nil }
        if first.hasPrefix("--") { throw usage("unknown option \(first)") }
        return items.removeFirst()
    }

    /// A positional whole number within `range`.
    mutating func int(positional name: String, in range: ClosedRange<Int>) throws(AdminError) -> Int {
        try Self.int(try positional(name), name: name, in: range, command: command)
    }

    /// Refuses whatever was not read.
    func finish() throws(AdminError) {
        guard let first = items.first else { return }
        throw usage(first.hasPrefix("--") ? "unknown option \(first)" : "unexpected argument \(first)")
    }

    func usage(_ message: String) -> AdminError {
        .usage("\(command): \(message); see ota-admin \(command) --help")
    }

    static func int(_ text: String, name: String, in range: ClosedRange<Int>, command: String) throws(AdminError) -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw AdminError.usage("\(command): \(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'; see ota-admin \(command) --help")
        }
        return n
    }
}

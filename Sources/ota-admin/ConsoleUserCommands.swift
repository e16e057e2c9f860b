import Foundation
import Glibc
import OTACrypto
import OTADomain
import OTAStore

/// `console-user create|list|disable|enable|password`: accounts of the operator's staff for
/// /console and /api/admin. Passwords are read from standard input, never from arguments
/// (which other users of the machine can see in the process list).
enum ConsoleUserCommands {
    static let help = """
        Usage: ota-admin console-user COMMAND [options]

        Commands:
          create USERNAME     a console account; its password is read from standard input
          list                usernames, status, created, last login
          disable USERNAME    refuses its logins and ends its sessions; `enable` undoes it
          enable USERNAME
          password USERNAME   a new password, read from standard input; ends its sessions
        The password is the first line of standard input (on a terminal it is asked for twice,
        without echo): 10 to 128 characters, as for venue operators.
        Run ota-admin console-user COMMAND --help for one command.
        """

    static let usages: [String: String] = [
        "create": "Usage: ota-admin console-user create USERNAME\nCreates a console account. USERNAME: 3-64 of a-z 0-9 . _ -. The password is read from standard input.",
        "list": "Usage: ota-admin console-user list\nEvery console account: username, status, created, last login.",
        "disable": "Usage: ota-admin console-user disable USERNAME\nRefuses the account's logins and ends its sessions.",
        "enable": "Usage: ota-admin console-user enable USERNAME\nLets a disabled account log in again.",
        "password": "Usage: ota-admin console-user password USERNAME\nSets a new password, read from standard input, and ends the account's sessions.",
    ]

    static func run(_ group: Arguments) throws(AdminError) {
        var args = group
        guard let sub = try args.subcommand(help: help, usages: usages) else { return }
        if sub == "list" {
            try args.finish()
            return try list()
        }
        let username = try args.positional("USERNAME").lowercased()
        try args.finish()
        guard ConsoleUser.isValidUsername(username) else {
            throw args.usage("USERNAME must be 3 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
        }
        switch sub {
        case "create":
            let hash = try passwordHash(for: username)
            let db = try Console.connect()
            switch try store({ () throws(StoreError) in try ConsoleUserStore(db).create(username: username, passwordHash: hash) }) {
            case .created: Console.note("console user \(username) created")
            case .usernameTaken: throw .failure("console user \(username) exists already; nothing was changed")
            }
        case "password":
            let hash = try passwordHash(for: username)
            let db = try Console.connect()
            guard try store({ () throws(StoreError) in try ConsoleUserStore(db).setPassword(username: username, passwordHash: hash) }) != nil else {
                throw .failure("no console user \(username)")
            }
            Console.note("password of \(username) changed; its sessions ended")
        default:
            let active = sub == "enable"
            let db = try Console.connect()
            guard try store({ () throws(StoreError) in try ConsoleUserStore(db).setActive(username: username, active) }) != nil else {
                throw .failure("no console user \(username)")
            }
            Console.note("console user \(username) \(active ? "enabled" : "disabled; its sessions ended")")
        }
    }

    static func list() throws(AdminError) {
        let db = try Console.connect()
        let users = try store { () throws(StoreError) in try ConsoleUserStore(db).list() }
        var table = Table("USERNAME", "STATUS", "CREATED", "LAST LOGIN")
        for u in users {
            table.add(u.username, u.isActive ? "active" : "disabled", Console.time(u.createdAt), Console.time(u.lastLoginAt))
        }
        table.print()
    }

    /// The password from standard input, checked against the policy, hashed.
    static func passwordHash(for username: String) throws(AdminError) -> String {
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            let first = try readHidden("Password for \(username): ")
            let second = try readHidden("Again: ")
            guard first == second else { throw .failure("the two passwords differ; nothing was changed") }
            password = first
        } else {
            guard let line = readLine(strippingNewline: true) else {
                throw .usage("no password on standard input (e.g. printf '%s\\n' \"$PASSWORD\" | ota-admin console-user create \(username))")
            }
            password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        }
        if let reason = PasswordPolicy.violation(password, username: username) { throw .usage("the password \(reason)") }
        do {
            return try PasswordHash.hash(password)
        } catch {
            throw .failure("hashing the password failed: \(error)")
        }
    }

    /// One line from the terminal with echo off.
    static func readHidden(_ prompt: String) throws(AdminError) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let haveTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        }
        let line = readLine(strippingNewline: true)
        if haveTerminal { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        FileHandle.standardError.write(Data("\n".utf8))
        guard let line else { throw .usage("no password given") }
        return line
    }
}

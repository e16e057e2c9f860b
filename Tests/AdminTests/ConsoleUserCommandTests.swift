import Foundation
import Testing
import OTACrypto
import Postgres
import TestSupport

/// `ota-admin console-user`: the password comes from standard input (never an argument),
/// is checked by the policy and stored as scrypt; disable and password end sessions.
@Suite struct ConsoleUserCommandTests {
    /// Runs ota-admin with `input` on its standard input.
    func run(_ db: TestDatabase, _ args: [String], input: String) throws -> (status: Int32, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: AdminTool.binary)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["OTA_DATABASE_URL"] = db.url
        process.environment = env
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: err, as: UTF8.self))
    }

    @Test func createListDisableAndPassword() throws {
        let t = try TestDatabase()
        let created = try run(t, ["console-user", "create", "Ops.Lead"], input: "harbour lights 2026\n")
        #expect(created.status == 0, "\(created.err)")
        let db = try t.connect()
        defer { db.close() }
        let hash = try #require(try db.query("SELECT password_hash FROM console_users WHERE username = 'ops.lead'").first?
            .decode("password_hash", as: String.self))
        #expect(hash.hasPrefix("scrypt$"))
        #expect(PasswordHash.verify("harbour lights 2026", against: hash))

        #expect(try run(t, ["console-user", "create", "ops.lead"], input: "another fine password\n").status == 1, "exists")
        #expect(try run(t, ["console-user", "create", "weak.one"], input: "short\n").status == 2, "policy")
        #expect(try run(t, ["console-user", "create", "no.input"], input: "").status == 2)
        #expect(try run(t, ["console-user", "create", "x"], input: "harbour lights 2026\n").status == 2, "username")

        try db.query("""
            INSERT INTO console_sessions (token_hash, console_user_id, expires_at)
            SELECT sha256('s1'), console_user_id, now() + interval '1 hour' FROM console_users WHERE username = 'ops.lead'
            """)
        #expect(try run(t, ["console-user", "password", "ops.lead"], input: "a brand new passphrase\n").status == 0)
        let live = try db.query("SELECT count(*)::int AS n FROM console_sessions WHERE revoked_at IS NULL").first?.decode("n", as: Int.self)
        #expect(live == 0, "a new password ends the sessions")
        #expect(try run(t, ["console-user", "disable", "ops.lead"], input: "").status == 0)
        #expect(try db.query("SELECT status FROM console_users").first?.decode("status", as: String.self) == "disabled")
        #expect(try run(t, ["console-user", "disable", "nobody"], input: "").status == 1)
        let list = try AdminTool(databaseURL: t.url).run("console-user", "list")
        #expect(list.status == 0)
        #expect(list.out.contains("ops.lead") && list.out.contains("disabled"))
        #expect(!list.out.contains("scrypt"))
    }
}

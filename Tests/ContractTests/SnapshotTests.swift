import Foundation
import HTTP
import OTAGateway
import Testing
import TestSupport

/// The committed snapshot is the API partners were promised. A change of the document is
/// a change of the contract: it must be looked at (is it breaking?) and then accepted by
/// refreshing the snapshot, so that it shows up in review as a diff of that file.
@Suite struct SnapshotTests {
    static let snapshotPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("openapi.snapshot.yaml").path

    @Test func theDocumentEqualsTheCommittedSnapshot() throws {
        let snapshot = try String(contentsOfFile: Self.snapshotPath, encoding: .utf8)
        let diff = LineDiff.unified(old: snapshot, new: OpenAPIDocument.yaml)
        guard !diff.isEmpty else { return }
        Issue.record("""
            The OpenAPI document differs from Tests/ContractTests/openapi.snapshot.yaml:

            \(diff)
            Review the change for breaking changes (removed or renamed paths, operations, \
            parameters, fields or enum values; new required request fields; narrowed types; \
            changed statuses). If it is intended, refresh the snapshot with `make openapi-snapshot` \
            and commit it with the change.
            """)
    }

    /// What partners download is that same document, byte for byte.
    @Test func theGatewayServesTheDocument() throws {
        let database = try TestDatabase()
        let gateway = try GatewayProcess(databaseURL: database.url)
        defer { gateway.stop() }
        let r = try gateway.client.request("GET", "/openapi.yaml")
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/yaml; charset=utf-8")
        #expect(r.header("X-Request-ID") != nil)
        #expect(r.body == Array(OpenAPIDocument.yaml.utf8), "served without a key, exactly as built")
    }

    @Test func theDiffNamesTheChangedLines() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n")
        let new = old.replacingOccurrences(of: "line 10", with: "line ten") + "\nline 21"
        let diff = LineDiff.unified(old: old, new: new)
        #expect(diff.contains("-line 10\n+line ten\n"))
        #expect(diff.contains("+line 21\n"))
        #expect(diff.contains("@@ -7,7 +7,7 @@"))
        #expect(!diff.contains(" line 2\n"), "lines far from a change are left out")
        #expect(LineDiff.unified(old: old, new: old).isEmpty)
    }
}

import Foundation
import HTTP
import OTAGateway
import Testing
import TestSupport

/// Sources/OTAGateway/openapi.yaml is the contract, the only copy: what the binary embeds
/// and what partners download are that file, byte for byte. A change of the contract is
/// reviewed as the diff of that file.
@Suite struct DocumentFileTests {
    static let filePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/OTAGateway/openapi.yaml").path

    static func fileBytes() throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: filePath)))
    }

    /// "" when equal, else where they part (a short message, not two 100 KB arrays).
    static func difference(_ a: [UInt8], _ b: [UInt8]) -> String {
        guard a != b else { return "" }
        let at = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        return "\(a.count) bytes vs \(b.count) bytes, first difference at byte \(at)"
    }

    @Test func theEmbeddedDocumentIsTheFile() throws {
        let file = try Self.fileBytes()
        #expect(file.count > 10_000)
        let diff = Self.difference(OpenAPIDocument.bytes, file)
        #expect(diff.isEmpty, "the build embeds openapi.yaml exactly (rebuild if you edited it): \(diff)")
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
        let diff = Self.difference(r.body, try Self.fileBytes())
        #expect(diff.isEmpty, "served without a key, exactly the file: \(diff)")
    }
}

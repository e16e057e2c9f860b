import Foundation
import Testing
@testable import OTAGateway

/// The document and the route table describe the same API: every route is documented with
/// its method, every documented operation is routed, and each operation declares the
/// authentication the pipeline really applies.
@Suite struct RouteCoverageTests {
    let outline = DocumentOutline(OpenAPIDocument.yaml)
    let routes = Endpoint.routes.registered

    /// "METHOD /pattern" of the routes the outline lacks, and of the operations no route has.
    static func differences(_ outline: DocumentOutline, _ routes: [(method: String, pattern: String)]) -> (undocumented: [String], unrouted: [String]) {
        let documented = Set(outline.operations.map { "\($0.method) \(shape($0.path))" })
        let routed = Set(routes.map { "\($0.method) \(shape($0.pattern))" })
        return (routes.filter { !documented.contains("\($0.method) \(shape($0.pattern))") }.map { "\($0.method) \($0.pattern)" },
                outline.operations.filter { !routed.contains("\($0.method) \(shape($0.path))") }.map { "\($0.method) \($0.path)" })
    }

    @Test func everyRouteIsDocumented() {
        let missing = Self.differences(outline, routes).undocumented
        #expect(missing.isEmpty, """
            Routed but not in the OpenAPI document (Sources/OTAGateway/OpenAPIDocument*.swift): \
            \(missing.joined(separator: ", ")). Document them, then `make openapi-snapshot`.
            """)
    }

    @Test func everyDocumentedOperationIsRouted() {
        let extra = Self.differences(outline, routes).unrouted
        #expect(extra.isEmpty, "In the OpenAPI document but not routed (Endpoint.routes): \(extra.joined(separator: ", ")).")
    }

    /// The check itself: a route left out of the document, or a method of a path, is found.
    @Test func aMissingRouteIsFound() {
        let without = OpenAPIDocument.yaml.replacingOccurrences(of: "  /api/ota/orders/{id}/tickets:\n    get:\n", with: "  /api/ota/orders/{id}/tickets:\n    put:\n")
        let (undocumented, unrouted) = Self.differences(DocumentOutline(without), routes)
        #expect(undocumented == ["GET /api/ota/orders/{id}/tickets"])
        #expect(unrouted == ["PUT /api/ota/orders/{id}/tickets"])
        var more = routes
        more.append((method: "DELETE", pattern: "/api/ota/orders/{order_id}"))
        #expect(Self.differences(outline, more).undocumented == ["DELETE /api/ota/orders/{order_id}"])
    }

    /// Parameter names are part of the contract too: the document names them as the
    /// handlers read them.
    @Test func pathParametersHaveTheRoutesNames() {
        let byShape = Dictionary(routes.map { ("\($0.method) \(shape($0.pattern))", $0.pattern) }, uniquingKeysWith: { a, _ in a })
        for op in outline.operations {
            guard let pattern = byShape["\(op.method) \(shape(op.path))"] else { continue }
            #expect(op.path == pattern, "\(op.method) \(op.path) is routed as \(pattern)")
        }
    }

    @Test func theDocumentIsOpenAPI303WithOneServer() {
        #expect(OpenAPIDocument.yaml.hasPrefix("openapi: 3.0.3\n"))
        #expect(OpenAPIDocument.yaml.contains("servers:\n  - url: http://127.0.0.1:8080\n"))
        #expect(!OpenAPIDocument.yaml.contains("\t"), "YAML indents with spaces only")
    }

    @Test func operationIdsAreUnique() {
        let ids = outline.operations.compactMap { op in
            op.lines.first { $0.hasPrefix("      operationId: ") }.map { String($0.dropFirst(19)) }
        }
        #expect(ids.count == outline.operations.count, "every operation has an operationId")
        #expect(Set(ids).count == ids.count, "operationIds are unique")
    }

    /// Partner routes: X-API-Key, the permission named, 401/403/429 documented. Venue-app
    /// routes: the operator's bearer token and 401. The rest: no authentication.
    @Test func securityMatchesThePipeline() {
        for op in outline.operations {
            let concrete = shape(op.path).replacing("{}", with: "x")
            guard case let .found(endpoint, _, _) = Endpoint.routes.match(method: op.method, path: concrete) else { continue }
            let name = "\(op.method) \(op.path)"
            if let permission = endpoint.permission {
                #expect(op.securitySchemes == ["ApiKeyAuth"], "\(name) needs X-API-Key")
                #expect(op.text.contains("`\(permission.rawValue)`"), "\(name) names its permission `\(permission.rawValue)`")
                for status in ["401", "403", "429", "500", "503"] {
                    #expect(op.statuses.contains(status), "\(name) documents \(status)")
                }
            } else if endpoint.needsOperatorSession {
                #expect(op.securitySchemes == ["OperatorBearer"], "\(name) needs the operator's bearer token")
                #expect(op.statuses.contains("401"), "\(name) documents 401")
            } else {
                #expect(op.securitySchemes == [], "\(name) says `security: []`")
            }
            #expect(op.statuses.contains { $0.hasPrefix("2") }, "\(name) documents its success")
        }
    }
}

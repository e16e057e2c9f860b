import Foundation
import Testing
import HTTP
@testable import OTAGateway
import OTADomain

/// The document and the route table describe the same API: every route is documented with
/// its method, every documented operation is routed, and each operation declares the
/// operationId, authentication and Idempotency-Key the route table really has.
@Suite struct RouteCoverageTests {
    let outline = DocumentOutline(OpenAPIDocument.yaml)
    let routes = Routes.table.registered

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
            Routed but not in the OpenAPI document (Sources/OTAGateway/openapi.yaml): \
            \(missing.joined(separator: ", ")). Document them.
            """)
    }

    @Test func everyDocumentedOperationIsRouted() {
        let extra = Self.differences(outline, routes).unrouted
        #expect(extra.isEmpty, "In the OpenAPI document but not routed (Routes in Sources/OTAGateway): \(extra.joined(separator: ", ")).")
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
        let ids = outline.operations.compactMap(\.operationId)
        #expect(ids.count == outline.operations.count, "every operation has an operationId")
        #expect(Set(ids).count == ids.count, "operationIds are unique")
    }

    /// The route a documented operation is served by.
    func route(of op: DocumentOutline.Operation) -> Route? {
        let concrete = shape(op.path).replacing("{}", with: "x")
        guard case let .found(route, _, _) = Routes.table.match(method: HTTPMethod(op.method), path: concrete) else { return nil }
        return route
    }

    /// Partner routes: X-API-Key, the permission named, 401/403/429 documented. Venue-app
    /// routes: the operator's bearer token and 401. Console routes: the console session
    /// cookie, 403 for partner keys. The rest: no authentication.
    @Test func securityMatchesThePipeline() {
        for op in outline.operations {
            guard let route = route(of: op) else { continue }
            let name = "\(op.method) \(op.path)"
            switch route.auth {
            case let .partner(permission):
                #expect(op.securitySchemes == ["ApiKeyAuth"], "\(name) needs X-API-Key")
                #expect(op.text.contains("`\(permission.rawValue)`"), "\(name) names its permission `\(permission.rawValue)`")
                for status in ["401", "403", "429", "500", "503"] {
                    #expect(op.statuses.contains(status), "\(name) documents \(status)")
                }
            case .operatorSession:
                #expect(op.securitySchemes == ["OperatorBearer"], "\(name) needs the operator's bearer token")
                #expect(op.statuses.contains("401"), "\(name) documents 401")
                #expect(op.statuses.contains("503"), "\(name) documents 503 (database away)")
            case .none:
                #expect(op.securitySchemes == [], "\(name) says `security: []`")
            case .scrapeToken:
                #expect(op.securitySchemes == ["{}", "MetricsToken"], "\(name): open, or the metrics token when configured")
                #expect(op.statuses.contains("401"), "\(name) documents 401")
            case .consoleSession:
                #expect(op.securitySchemes == ["ConsoleSession"], "\(name) needs the console session cookie")
                // A partner key is refused (403); a page without a session redirects (303), the API answers 401.
                for status in ["403", "503"] {
                    #expect(op.statuses.contains(status), "\(name) documents \(status)")
                }
                #expect(op.statuses.contains("401") || op.statuses.contains("303"), "\(name) documents 401 or its redirect")
            }
            if route.isConsole {
                #expect(op.statuses.contains("403"), "\(name): partner keys get 403 on the console")
            }
            // The console's form posts succeed with a redirect (303), as browsers expect.
            #expect(op.statuses.contains { $0.hasPrefix("2") || (route.isConsole && $0 == "303") }, "\(name) documents its success")
        }
    }

    /// The operationId is the route's name everywhere (document, metrics, logs).
    @Test func operationIdsAreTheRoutesNames() {
        for op in outline.operations {
            guard let route = route(of: op) else { continue }
            #expect(op.operationId == route.operationId, "\(op.method) \(op.path) is routed as \(route.operationId)")
        }
    }

    /// Idempotency-Key is documented exactly where the pipeline honours it: on every
    /// partner POST/PATCH that changes something (QR tokens are made anew each time).
    @Test func idempotencyKeyIsDocumentedWhereTheRouteTakesIt() {
        for op in outline.operations {
            guard let route = route(of: op) else { continue }
            #expect(op.takesIdempotencyKey == route.idempotent,
                    "\(op.method) \(op.path): document says \(op.takesIdempotencyKey), route says \(route.idempotent)")
            if route.idempotent {
                // A malformed key is 400, another body 422, a key still in use 409.
                for status in ["400", "409", "422"] {
                    #expect(op.statuses.contains(status), "\(op.method) \(op.path) takes Idempotency-Key: documents \(status)")
                }
            }
        }
        for route in Routes.all where route.idempotent {
            if case .partner = route.auth {} else { Issue.record("\(route.operationId): Idempotency-Key is scoped to a partner") }
        }
        let changing = Routes.all.filter { ["POST", "PATCH", "PUT", "DELETE"].contains($0.method) }
        for route in changing where route.operationId != "issueTicketQR" {
            if case .partner = route.auth { #expect(route.idempotent, "\(route.operationId) changes something: idempotent") }
        }
    }

    @Test func theTableHasOneRoutePerMethodAndPathAndUniqueNames() {
        let keys = Routes.all.map { "\($0.method) \($0.path)" }
        #expect(Set(keys).count == keys.count)
        let names = Routes.all.map(\.operationId)
        #expect(Set(names).count == names.count)
        #expect(Routes.table.registered.count == Routes.all.count)
    }
}

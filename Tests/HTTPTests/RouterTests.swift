import Testing
import HTTP

@Suite struct RouterTests {
    static func router() -> Router<String> {
        var router = Router<String>()
        router.add("GET", "/", "root")
        router.add("GET", "/api/ota/reservations/{id}", "get-reservation")
        router.add("POST", "/api/ota/reservations/{id}/cancel", "cancel")
        router.add("POST", "/api/ota/reservations", "create")
        router.add("GET", "/api/ota/reservations/export", "export")
        router.add("DELETE", "/api/ota/reservations/{id}", "delete")
        router.add("GET", "/a/{x}/b/{y}", "two-params")
        return router
    }

    func value(_ match: Router<String>.Match) -> String? {
        if case .found(let value, _, _) = match { return value }
        return nil
    }

    @Test func matchesLiteralsAndParameters() {
        let router = Self.router()
        #expect(value(router.match(method: "GET", path: "/")) == "root")
        guard case .found(let value, let params, let pattern) = router.match(method: "POST", path: "/api/ota/reservations/R-42/cancel") else {
            Issue.record("no match")
            return
        }
        #expect(value == "cancel")
        #expect(params == ["id": "R-42"])
        #expect(pattern == "/api/ota/reservations/{id}/cancel")
    }

    @Test func literalWinsOverParameterWhateverTheOrder() {
        #expect(value(Self.router().match(method: "GET", path: "/api/ota/reservations/export")) == "export")
        #expect(value(Self.router().match(method: "GET", path: "/api/ota/reservations/other")) == "get-reservation")
    }

    @Test func multipleParameters() {
        guard case .found(_, let params, _) = Self.router().match(method: "GET", path: "/a/1/b/2") else {
            Issue.record("no match")
            return
        }
        #expect(params == ["x": "1", "y": "2"])
    }

    @Test func methodNotAllowedListsAllowedMethods() {
        guard case .methodNotAllowed(let allowed) = Self.router().match(method: "PUT", path: "/api/ota/reservations/7") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["DELETE", "GET", "HEAD"])
    }

    @Test func notFound() {
        let router = Self.router()
        for path in ["/nope", "/api/ota/reservations/1/cancel/extra", "/api/ota/reservations/1/", "/a//b/2", ""] {
            if case .notFound = router.match(method: "GET", path: path) {} else {
                if path == "" { continue }  // "" is treated as "/"
                Issue.record("\(path) should not match")
            }
        }
    }

    @Test func headFallsBackToGet() {
        #expect(value(Self.router().match(method: "HEAD", path: "/")) == "root")
    }

    @Test func laterAddReplacesTheRoute() {
        var router = Router<Int>()
        router.add("GET", "/x", 1)
        router.add("GET", "/x", 2)
        guard case .found(let value, _, _) = router.match(method: "GET", path: "/x") else {
            Issue.record("no match")
            return
        }
        #expect(value == 2)
    }
}

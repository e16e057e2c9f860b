/// Maps (method, path) to a value. Patterns are literal segments and `{name}`
/// parameters: "/api/ota/reservations/{id}/cancel". A literal segment wins over a
/// parameter at the same position ("/a/new" before "/a/{id}"), whatever the order of
/// `add`, and shadows it: "/a/new" is never taken as "/a/{id}" for another method.
/// HEAD falls back to GET (the server drops the body).
///
/// A value type over an array of trie nodes, so it is Sendable and can be built once
/// and shared by every worker.
public struct Router<Value: Sendable>: Sendable {
    public enum Match: Sendable {
        case found(Value, params: [String: String], pattern: String)
        /// The path exists but not for this method; `allowed` is for the Allow header.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private struct Route: Sendable {
        var value: Value
        var pattern: String
        var parameterNames: [String]
    }

    private struct Node: Sendable {
        var literals: [String: Int] = [:]
        var parameter: Int?
        var routes: [HTTPMethod: Route] = [:]
    }

    private var nodes: [Node] = [Node()]

    public init() {}

    /// Every (method, pattern) added, sorted: read-only, for contract tests that compare
    /// the route table with the API document.
    public var registered: [(method: String, pattern: String)] {
        nodes.flatMap { node in node.routes.map { (method: $0.key.rawValue, pattern: $0.value.pattern) } }
            .sorted { ($0.pattern, $0.method) < ($1.pattern, $1.method) }
    }

    /// Adds (or replaces) the route for `method` and `pattern`.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ value: Value) {
        var node = 0
        var parameterNames: [String] = []
        for segment in Self.segments(pattern) {
            if segment.count >= 2, segment.first == "{", segment.last == "}" {
                parameterNames.append(String(segment.dropFirst().dropLast()))
                if let next = nodes[node].parameter {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].parameter = nodes.count - 1
                    node = nodes.count - 1
                }
            } else {
                let literal = String(segment)
                if let next = nodes[node].literals[literal] {
                    node = next
                } else {
                    nodes.append(Node())
                    nodes[node].literals[literal] = nodes.count - 1
                    node = nodes.count - 1
                }
            }
        }
        nodes[node].routes[method] = Route(value: value, pattern: pattern, parameterNames: parameterNames)
    }

    public func match(method: HTTPMethod, path: String) -> Match {
        let segments = Self.segments(path)
        var values: [Substring] = []
        var allowed: Set<HTTPMethod> = []
        if let (route, parameterValues) = search(node: 0, segments: segments[...], values: &values, method: method, allowed: &allowed) {
            var params: [String: String] = [:]
            for (name, value) in zip(route.parameterNames, parameterValues) {
                params[name] = String(value)
            }
            return .found(route.value, params: params, pattern: route.pattern)
        }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed: allowed.map(\.rawValue).sorted())
    }

    /// Depth-first, a literal segment instead of a parameter; collects the methods of paths
    /// that matched without the requested method.
    private func search(
        node: Int,
        segments: ArraySlice<Substring>,
        values: inout [Substring],
        method: HTTPMethod,
        allowed: inout Set<HTTPMethod>
    ) -> (Route, [Substring])? {
        guard let segment = segments.first else {
            let routes = nodes[node].routes
            if let route = routes[method] ?? (method == .head ? routes[.get] : nil) {
                return (route, values)
            }
            allowed.formUnion(routes.keys)
            return nil
        }
        let rest = segments.dropFirst()
        if let next = nodes[node].literals[String(segment)] {
            // A literal segment shadows the parameter beside it: "/tickets/bulk-generate" is
            // never the ticket "bulk-generate", so its 405 lists only the literal's methods.
            return search(node: next, segments: rest, values: &values, method: method, allowed: &allowed)
        }
        if let next = nodes[node].parameter, !segment.isEmpty {
            values.append(segment)
            if let found = search(node: next, segments: rest, values: &values, method: method, allowed: &allowed) {
                return found
            }
            values.removeLast()
        }
        return nil
    }

    /// "/a/b" -> ["a", "b"]; "/" -> []; a trailing slash is an empty last segment, so
    /// "/a/" does not match "/a".
    static func segments(_ path: String) -> [Substring] {
        var rest = Substring(path)
        if rest.first == "/" { rest = rest.dropFirst() }
        if rest.isEmpty { return [] }
        return rest.split(separator: "/", omittingEmptySubsequences: false)
    }
}

/// The operations of the OpenAPI document, read from its YAML text. The document is ours
/// and written in one layout (two-space indents, a path per line under `paths:`, methods
/// four spaces in), so a line scanner is enough and the tests need no YAML library.
struct DocumentOutline {
    struct Operation {
        var method: String
        /// As written in the document: "/api/ota/reservations/{id}".
        var path: String
        /// The operation's own lines (indented six spaces or more).
        var lines: [Substring]

        /// `security: []`, or the scheme names listed under `security:`.
        var securitySchemes: [String]? {
            guard let i = lines.firstIndex(where: { $0.hasPrefix("      security:") }) else { return nil }
            if lines[i].hasSuffix("[]") { return [] }
            var names: [String] = []
            for line in lines[(i + 1)...] {
                guard line.hasPrefix("        - ") else { break }
                names.append(String(line.dropFirst(10).prefix { $0 != ":" }))
            }
            return names
        }

        /// The response statuses it documents.
        var statuses: [String] {
            guard let i = lines.firstIndex(of: "      responses:") else { return [] }
            return lines[(i + 1)...].prefix { $0.hasPrefix("        ") }.compactMap { line in
                guard line.hasPrefix("        '"), line.hasSuffix("':") else { return nil }
                return String(line.dropFirst(9).dropLast(2))
            }
        }

        var text: String { lines.joined(separator: "\n") }

        var operationId: String? {
            lines.first { $0.hasPrefix("      operationId: ") }.map { String($0.dropFirst(19)) }
        }

        /// Whether it takes the Idempotency-Key header.
        var takesIdempotencyKey: Bool {
            lines.contains("        - $ref: '#/components/parameters/IdempotencyKey'")
        }
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    var operations: [Operation] = []

    init(_ yaml: String) {
        var inPaths = false
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                      case let m = String(line.dropFirst(4).dropLast()), Self.methods.contains(m), let p = path {
                operations.append(Operation(method: m.uppercased(), path: p, lines: []))
            } else if line.hasPrefix("      "), !operations.isEmpty {
                operations[operations.count - 1].lines.append(line)
            }
        }
    }
}

/// "/api/ota/batches/{batch_id}/tickets" -> "/api/ota/batches/{}/tickets": how a path and
/// a route are compared, whatever their parameters are called.
func shape(_ pattern: String) -> String {
    pattern.split(separator: "/", omittingEmptySubsequences: false)
        .map { $0.hasPrefix("{") && $0.hasSuffix("}") ? "{}" : String($0) }
        .joined(separator: "/")
}

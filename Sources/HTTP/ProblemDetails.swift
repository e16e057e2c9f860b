/// RFC 9457 problem details, the default body of responses the server makes itself
/// (400, 408, 413, 431, 503...).
enum ProblemDetails {
    static func response(status: Int, detail: String) -> HTTPResponse {
        var json = "{\"type\":\"about:blank\",\"title\":"
        appendJSONString(HTTPStatus.reasonPhrase(status), to: &json)
        json += ",\"status\":\(status),\"detail\":"
        appendJSONString(detail, to: &json)
        json += "}"
        return HTTPResponse(
            status: status,
            headers: HTTPHeaders([("Content-Type", "application/problem+json")]),
            body: Array(json.utf8)
        )
    }

    /// Appends `text` as a JSON string literal, escaping quotes, backslashes and controls.
    static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

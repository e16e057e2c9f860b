/// Serializes a response head and body into one buffer, so the whole response leaves in
/// a single `send` (two writes would meet Nagle and delayed ACK).
enum ResponseEncoder {
    /// Fields the server owns: it frames every response itself.
    private static let reserved: [[UInt8]] = [
        Array("content-length".utf8), Array("date".utf8), Array("connection".utf8),
        Array("transfer-encoding".utf8), Array("keep-alive".utf8),
    ]

    /// Appends the response to `out`. `omitBody` is for HEAD: the headers (including
    /// Content-Length) are those a GET would get, without the content.
    static func encode(
        _ response: HTTPResponse,
        keepAlive: Bool,
        omitBody: Bool,
        date: [UInt8],
        into out: inout [UInt8]
    ) {
        // A handler bug must not produce an unparseable status line.
        let status = (100...999).contains(response.status) ? response.status : 500
        let sendsContent = !HTTPStatus.forbidsContent(status)
        out.reserveCapacity(out.count + 128 + response.headers.count * 32 + (omitBody ? 0 : response.body.count))
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, to: &out)
        out.append(.space)
        out.append(contentsOf: HTTPStatus.reasonPhrase(status).utf8)
        out.append(contentsOf: "\r\n".utf8)
        for field in response.headers {
            var name = field.name
            var value = field.value
            let valid = name.withUTF8 { nameBytes in
                value.withUTF8 { valueBytes in
                    isAllowed(name: nameBytes, value: valueBytes)
                }
            }
            // Invalid fields (CR/LF injection, bad names) are dropped, not sent.
            guard valid else { continue }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if sendsContent {
            out.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: date)
        out.append(contentsOf: keepAlive ? "\r\nConnection: keep-alive\r\n\r\n".utf8 : "\r\nConnection: close\r\n\r\n".utf8)
        if sendsContent && !omitBody {
            out.append(contentsOf: response.body)
        }
    }

    private static func isAllowed(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter), value.allSatisfy(\.isFieldValueCharacter) else {
            return false
        }
        for reservedName in reserved where reservedName.count == name.count {
            if asciiCaseInsensitiveEqual(name, reservedName) { return false }
        }
        return true
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        guard value > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) {
                out.append(raw[index])
            }
        }
    }

    /// "HTTP/1.1 100 Continue", sent before reading a body the client holds back.
    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
}

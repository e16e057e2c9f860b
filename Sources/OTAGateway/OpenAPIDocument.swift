import HTTP

/// The OpenAPI 3.0.3 document of the whole API: Sources/OTAGateway/openapi.yaml, the one
/// copy, embedded in the binary at build time (the EmbedFiles plugin) and served byte for
/// byte at GET /openapi.yaml. The ContractTests check it against the route table.
public enum OpenAPIDocument {
    public static let bytes: [UInt8] = EmbeddedFiles.openapiYAML

    public static var yaml: String { String(decoding: bytes, as: UTF8.self) }

    static func response() -> HTTPResponse {
        var h = HTTPHeaders()
        h.set("Content-Type", "application/yaml; charset=utf-8")
        return HTTPResponse(status: 200, headers: h, body: bytes)
    }
}

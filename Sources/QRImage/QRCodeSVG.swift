import CQREncode

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum QRCodeError: Error, Sendable, Equatable {
    /// More than a QR code holds at error correction level M (2,331 bytes of 8-bit data).
    case tooLong
    /// NUL cannot travel through libqrencode's C string interface.
    case containsNUL
    case empty
    case invalidPixelSize
    case encodingFailed
}

/// A string as a QR code image in SVG, through libqrencode.
///
/// A target of its own, apart from OTACrypto, so that only the gateway (which serves the
/// images) links libqrencode; the worker and the tools do not.
///
/// Error correction level M (about 15% of the symbol may be damaged or dirty), the
/// standard quiet zone of 4 light modules, dark modules as one `<path>` of unit squares
/// (runs of a row merged) on a white background, `shape-rendering="crispEdges"` so no
/// renderer antialiases module edges into grey. libqrencode is thread-safe when built with
/// pthreads, as Debian's is.
public enum QRCodeSVG {
    public static let quietZone = 4

    /// `pixelSize`: the image's width and height in px; nil leaves them out so the image
    /// scales to its container (the viewBox keeps it square).
    public static func render(_ text: String, pixelSize: Int? = 256) throws(QRCodeError) -> String {
        if let pixelSize, !(16...4096).contains(pixelSize) { throw .invalidPixelSize }
        let matrix = try modules(text)
        let side = matrix.width + 2 * quietZone
        var path = ""
        path.reserveCapacity(matrix.width * matrix.width * 3)
        for y in 0..<matrix.width {
            var x = 0
            while x < matrix.width {
                guard matrix.isDark(x, y) else { x += 1; continue }
                var run = 1
                while x + run < matrix.width, matrix.isDark(x + run, y) { run += 1 }
                path += "M\(x + quietZone) \(y + quietZone)h\(run)v1h-\(run)z"
                x += run
            }
        }
        let size = pixelSize.map { #" width="\#($0)" height="\#($0)""# } ?? ""
        return #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 \#(side) \#(side)"\#(size) shape-rendering="crispEdges">"#
            + #"<rect width="\#(side)" height="\#(side)" fill="white"/>"#
            + #"<path fill="black" d="\#(path)"/></svg>"#
            + "\n"
    }

    /// The module matrix: `width` x `width`, row-major, true for dark.
    public struct Modules: Sendable, Equatable {
        public let width: Int
        public let dark: [Bool]
        public func isDark(_ x: Int, _ y: Int) -> Bool { dark[y * width + x] }
    }

    /// The symbol without a quiet zone. libqrencode picks the smallest version that fits and
    /// mixes numeric, alphanumeric and 8-bit segments for the shortest code.
    public static func modules(_ text: String) throws(QRCodeError) -> Modules {
        guard !text.isEmpty else { throw .empty }
        guard !text.utf8.contains(0) else { throw .containsNUL }
        errno = 0
        // version 0: the smallest that fits; case-sensitive, 8-bit for what is not alphanumeric.
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw errno == ERANGE ? .tooLong : .encodingFailed
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        guard width > 0, let data = code.pointee.data else { throw .encodingFailed }
        // Bit 0 of each byte is the colour (1 = dark); the other bits describe module roles.
        let dark = (0..<width * width).map { data[$0] & 1 == 1 }
        return Modules(width: width, dark: dark)
    }
}

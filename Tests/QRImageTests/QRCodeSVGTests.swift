import Foundation
import Testing
@testable import QRImage

@Suite struct QRCodeSVGTests {
    @Test func rendersOnePathWithQuietZoneAndFixedSize() throws {
        let svg = try QRCodeSVG.render("TKT-ABCDEFGHIJ0123456789")
        let modules = try QRCodeSVG.modules("TKT-ABCDEFGHIJ0123456789")
        let side = modules.width + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("width=\"256\" height=\"256\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        // Nothing is drawn inside the quiet zone: the top-left finder starts at (4, 4).
        #expect(svg.contains("d=\"M4 4h7v1h-7z"))
        #expect(!(try QRCodeSVG.render("x", pixelSize: nil)).contains("width=\"256\""))
    }

    @Test func symbolHasFinderPatternsAndGrowsWithInput() throws {
        let m = try QRCodeSVG.modules("hello")
        #expect(m.width == 21)   // version 1
        // 7x7 finder patterns in three corners: dark ring, light ring, dark 3x3 core.
        for (ox, oy) in [(0, 0), (m.width - 7, 0), (0, m.width - 7)] {
            for i in 0..<7 {
                #expect(m.isDark(ox + i, oy) && m.isDark(ox + i, oy + 6) && m.isDark(ox, oy + i) && m.isDark(ox + 6, oy + i))
            }
            #expect(!m.isDark(ox + 1, oy + 1) && m.isDark(ox + 3, oy + 3))
        }
        let token = String(repeating: "A1b-_", count: 35)  // a QR-token-sized string
        #expect(try QRCodeSVG.modules(token).width > 21)
    }

    @Test func refusesWhatCannotBeEncoded() {
        #expect(throws: QRCodeError.empty) { try QRCodeSVG.render("") }
        #expect(throws: QRCodeError.containsNUL) { try QRCodeSVG.render("a\u{0}b") }
        #expect(throws: QRCodeError.tooLong) { try QRCodeSVG.render(String(repeating: "x", count: 3000)) }
        #expect(throws: QRCodeError.invalidPixelSize) { try QRCodeSVG.render("x", pixelSize: 0) }
    }
}

import XCTest
@testable import ChurnCore

/// CSV header names: clear errors for names no tool could handle (control
/// characters, NUL, absurd lengths and widths), unique names otherwise.
final class CSVHeaderTests: XCTestCase {
    private func read(_ bytes: [UInt8], header: Bool = true) throws -> [String] {
        var o = CSVReadOptions()
        o.header = header
        return try CSVReader(options: o).read(bytes: bytes, name: "h.csv").frame.columns.map(\.name)
    }

    private func error(_ text: String) -> String {
        do { _ = try read(Array(text.utf8)); return "no error" } catch { return "\(error)" }
    }

    func testEmptyAndDuplicateNamesBecomeUnique() throws {
        XCTAssertEqual(try read(Array("a,,a,a.1,a\n1,2,3,4,5\n".utf8)), ["a", "column_2", "a.1", "a.1.1", "a.2"])
    }

    func testControlCharactersInNamesAreErrors() {
        XCTAssertEqual(error("a,b\u{0}c\n1,2\n"), "h.csv:1: column 2: column name contains the control character NUL")
        XCTAssertEqual(error("\"x\ny\",b\n1,2\n"), "h.csv:1: column 1: column name contains the control character 0xA")
        XCTAssertEqual(error("a,b\u{7F}\n1,2\n"), "h.csv:1: column 2: column name contains the control character 0x7F")
        XCTAssertEqual(error("a,\u{1B}[31mred\n1,2\n"), "h.csv:1: column 2: column name contains the control character 0x1B")
    }

    func testInvalidUTF8NameIsAnError() {
        XCTAssertThrowsError(try read([0x61, 0x2C, 0xFF, 0xFE, 0x0A, 0x31, 0x2C, 0x32, 0x0A])) {
            XCTAssertEqual("\($0)", "h.csv:1: column 2: invalid UTF-8 in column name")
        }
    }

    func testAbsurdNameLengthAndWidthAreErrors() {
        let long = String(repeating: "n", count: CSVHeader.maxNameBytes + 1)
        XCTAssertEqual(error("a,\(long)\n1,2\n"), "h.csv:1: column 2: column name is 4097 bytes long; at most 4096 are supported")
        XCTAssertEqual(error("a,\(long.dropLast())\n1,2\n"), "no error")
        let wide = String(repeating: "x,", count: CSVHeader.maxColumns) + "x\n"
        XCTAssertEqual(error(wide), "h.csv:1: the first record has 100001 columns; at most 100000 are supported")
        XCTAssertThrowsError(try read(Array(wide.utf8), header: false)) {
            XCTAssertEqual("\($0)", "h.csv:1: the first record has 100001 columns; at most 100000 are supported")
        }
    }
}

import XCTest
@testable import ChurnCore

/// Issue 11, item 12: CSV inputs that used to read silently wrong. Expected values are
/// pandas 3.1.1's (`pd.read_csv(io.BytesIO(...))`), except where ChurnLab deliberately
/// errors (NUL bytes, integers past Int64), as documented on `CSVReadOptions`.
final class CSVSilentResultsTests: XCTestCase {
    func read(_ bytes: [UInt8], _ options: CSVReadOptions = CSVReadOptions(), chunkBytes: Int? = nil) throws -> Frame {
        var r = CSVReader(options: options)
        if let chunkBytes { r.chunkBytes = chunkBytes }
        return try r.read(bytes: bytes, name: "t.csv").frame
    }
    func read(_ text: String, _ options: CSVReadOptions = CSVReadOptions()) throws -> Frame { try read(Array(text.utf8), options) }

    func ints(_ f: Frame, _ name: String) throws -> [Int64] {
        guard case .int64(let v) = try f.column(name).data else { XCTFail("\(name) is \(try f.column(name).dtype)"); return [] }
        return v
    }
    func strings(_ f: Frame, _ name: String) throws -> [String?] {
        let c = try f.column(name)
        return (0..<c.count).map { c.string(at: $0) }
    }

    /// pandas: read_csv(b"a,b\r1,x\r2,y\r") → {'a': [1, 2], 'b': ['x', 'y']};
    /// b'a,b\r1,"x\ry"\r2,y' → b = ['x\ry', 'y'] (a CR inside quotes is data).
    func testLoneCRIsALineEnd() throws {
        let f = try read("a,b\r1,x\r2,y\r")
        XCTAssertEqual(f.nrow, 2)
        XCTAssertEqual(try ints(f, "a"), [1, 2])
        XCTAssertEqual(try strings(f, "b"), ["x", "y"])
        let q = try read("a,b\r1,\"x\ry\"\r2,y")
        XCTAssertEqual(try strings(q, "b"), ["x\ry", "y"])
        // Mixed with CRLF and LF, and line numbers count CR-ended lines.
        let m = try read("a,b\r\n1,x\r2,y\n3,z")
        XCTAssertEqual(try ints(m, "a"), [1, 2, 3])
        XCTAssertThrowsError(try read("a,b\r1,x\r2,y,extra\r")) { e in
            XCTAssertEqual("\(e)", "t.csv:3: expected 2 fields, found 3")
        }
    }

    /// pandas accepts NUL silently (b"a,b\n1,x\x00y\n" → 'x\x00y'); ChurnLab refuses it
    /// with line and column: a NUL almost always means binary or UTF-16 input.
    func testNULBytesAreErrorsWithLineAndColumn() throws {
        XCTAssertThrowsError(try read([UInt8]("a,b\n1,x".utf8) + [0] + [UInt8]("y\n".utf8))) { e in
            XCTAssertTrue("\(e)".hasPrefix("t.csv:2: column 2 'b': NUL byte (0x00) in text"), "\(e)")
        }
        XCTAssertThrowsError(try read([UInt8]("a".utf8) + [0] + [UInt8]("c,b\n1,2\n".utf8))) { e in
            XCTAssertTrue("\(e)".hasPrefix("t.csv:1: column 1: column name contains the control character NUL"), "\(e)")
        }
        // A NUL in an otherwise numeric column, and the skip policy.
        let bytes = [UInt8]("a,b\n1,2\n3".utf8) + [0] + [UInt8]("\n5,6\n".utf8)
        XCTAssertThrowsError(try read(bytes)) { e in XCTAssertTrue("\(e)".hasPrefix("t.csv:3: column 1 'a': NUL byte"), "\(e)") }
        let r = try CSVReader(options: CSVReadOptions(badRows: .skip)).read(bytes: bytes, name: "t.csv")
        XCTAssertEqual(try ints(r.frame, "a"), [1, 5])
        XCTAssertEqual(r.badRows.map(\.line), [3])
    }

    /// pandas: 9223372036854775807 → int64; 9223372036854775808 → uint64 (we have no
    /// uint64: the column is text with the exact digits, never a rounded float).
    func testInt64BoundsStayExact() throws {
        let f = try read("a,b\n9223372036854775807,-9223372036854775808\n1,2\n")
        XCTAssertEqual(try ints(f, "a"), [9223372036854775807, 1])
        XCTAssertEqual(try ints(f, "b"), [-9223372036854775808, 2])
        for text in ["a\n9223372036854775808\n1\n", "a\n1\n9223372036854775808\n", "a\n1.5\n9223372036854775808\n",
                     "a\n-9223372036854775809\n2\n"] {
            let g = try read(text)
            XCTAssertEqual(try g.column("a").dtype, .string, text)
        }
        XCTAssertEqual(try strings(try read("a\n1\n18446744073709551616\n"), "a"), ["1", "18446744073709551616"])
        // Forced int: a bad row naming the range; forced float: converts as asked.
        XCTAssertThrowsError(try read("a\n1\n9223372036854775808\n", CSVReadOptions(types: ["a": .int64]))) { e in
            XCTAssertEqual("\(e)", "t.csv:3: column 1 'a': 9223372036854775808 is outside the Int64 range [-9223372036854775808, 9223372036854775807]")
        }
        let fl = try read("a\n9223372036854775808\n", CSVReadOptions(types: ["a": .float64]))
        XCTAssertEqual(try fl.column("a").double(at: 0), 9223372036854775808.0)
        // The same decision in every chunk, whatever the chunking.
        let many = "a\n" + (0..<2000).map { String($0) + "\n" }.joined() + "9223372036854775808\n"
        XCTAssertEqual(try read(Array(many.utf8), chunkBytes: 512).column("a").dtype, .string)
    }

    /// A row skipped under bad_rows = "skip" must not widen the column's type:
    /// a,b / 1,2 / x,y,z (ragged, skipped) / 3,4 → a stays int.
    func testSkippedRowsDoNotInfluenceTypes() throws {
        let opts = CSVReadOptions(badRows: .skip)
        let r = try CSVReader(options: opts).read(text: "a,b\n1,2\nx,y,z\n3,4\n", name: "t.csv")
        XCTAssertEqual(try ints(r.frame, "a"), [1, 3])
        XCTAssertEqual(try ints(r.frame, "b"), [2, 4])
        XCTAssertEqual(r.badRows.map(\.line), [3])
        // A float in a short row would have made the int column float.
        let r2 = try CSVReader(options: opts).read(text: "a,b\n1,2\n2.5\n3,4\n", name: "t.csv")
        XCTAssertEqual(try r2.frame.column("a").dtype, .int64)
        // A skipped row in a later chunk, with forced and inferred columns together.
        var reader = CSVReader(options: CSVReadOptions(types: ["b": .int64], badRows: .skip))
        reader.chunkBytes = 64
        let text = "a,b\n" + (0..<200).map { "\($0),\($0)\n" }.joined() + "oops,7,8\n" + "5,5\n"
        let r3 = try reader.read(text: text, name: "t.csv")
        XCTAssertEqual(try r3.frame.column("a").dtype, .int64)
        XCTAssertEqual(r3.frame.nrow, 201)
        XCTAssertEqual(r3.badRows.map(\.line), [202])
    }

    /// pandas skip_blank_lines=True: b"x\n\n\n\n" → shape (0, 1); b"\n\nx\n1\n\n2\n" → x = [1, 2];
    /// b"x\n  \n1\n" → x = [1] (a whitespace-only line is blank too).
    func testBlankLinesAreSkipped() throws {
        let f = try read("x\n\n\n\n")
        XCTAssertEqual(f.names, ["x"]); XCTAssertEqual(f.nrow, 0)
        XCTAssertEqual(try ints(try read("\n\nx\n1\n\n2\n"), "x"), [1, 2])
        XCTAssertEqual(try ints(try read("x\n  \n1\n"), "x"), [1])
        XCTAssertEqual(try ints(try read("x\r\n\r\n1\r\n"), "x"), [1])
        // Line numbers still count the blank lines.
        XCTAssertThrowsError(try read("\na,b\n\n1,2\n3\n")) { e in XCTAssertEqual("\(e)", "t.csv:5: column 2 'b': expected 2 fields, found 1") }
        // Only blank lines: no header.
        XCTAssertThrowsError(try read("\n\n\n")) { e in XCTAssertTrue("\(e)".contains("empty file"), "\(e)") }
        // A quoted empty field is a value, not a blank line.
        XCTAssertEqual(try strings(try read("x\n\"\"\n"), "x"), [""])
    }
}

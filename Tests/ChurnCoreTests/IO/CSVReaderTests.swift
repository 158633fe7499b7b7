import XCTest
@testable import ChurnCore

final class CSVReaderTests: XCTestCase {
    private func read(_ name: String, _ options: CSVReadOptions = CSVReadOptions()) throws -> CSVResult {
        try Frame.readCSV(path: IOFixture.path("csv/" + name), options: options)
    }

    private func assertError(_ name: String, _ options: CSVReadOptions = CSVReadOptions(), _ expected: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        let path = IOFixture.path("csv/" + name)
        XCTAssertThrowsError(try Frame.readCSV(path: path, options: options), file: file, line: line) { e in
            XCTAssertEqual("\(e)", path + ":" + expected, file: file, line: line)
        }
    }

    func testBasicTypesQuotingBOMCRLFAndCJK() throws {
        let f = try read("basic.csv").frame
        XCTAssertEqual(f.names, ["id", "name", "流失", "score", "signup", "last_seen", "note"])
        XCTAssertEqual(f.columns.map(\.dtype), [.int64, .string, .bool, .float64, .date, .timestamp, .string])
        XCTAssertEqual(f.nrow, 4)
        guard case .int64(let id) = try f.column("id").data else { return XCTFail() }
        XCTAssertEqual(id, [1, 2, 3, 4])
        let name = try f.column("name")
        XCTAssertEqual((0..<4).map { name.string(at: $0) }, ["Ann", "Bob", "李雷", ""])   // "" quoted: empty, not null
        let churn = try f.column("流失")
        XCTAssertEqual((0..<4).map { churn.isNull($0) ? nil : churn.double(at: $0) }, [1, 0, nil, 1])
        let score = try f.column("score")
        XCTAssertEqual(score.double(at: 0), 1.5)
        XCTAssertTrue(score.isNull(1))                 // NA → null
        XCTAssertTrue(score.double(at: 2)!.isNaN)      // NaN → the float NaN, not null
        XCTAssertEqual(score.double(at: 3), -2000)
        let signup = try f.column("signup")
        XCTAssertEqual(signup.double(at: 0), 19753)    // 2024-01-31 (python datetime)
        XCTAssertEqual(signup.double(at: 1), 19782)    // 2024-02-29
        XCTAssertTrue(signup.isNull(2))
        XCTAssertEqual(signup.double(at: 3), 0)
        guard case .timestamp(let ts) = try f.column("last_seen").data else { return XCTFail() }
        XCTAssertEqual(Array(ts[0..<3]), [1_706_782_830_000_000, 1_706_775_630_250_000, 1_709_251_200_000_001])
        XCTAssertTrue(try f.column("last_seen").isNull(3))
        let note = try f.column("note")
        XCTAssertEqual((0..<4).map { note.string(at: $0) }, ["hello, world", "multi\r\nline", "say \"hi\"", nil])
    }

    func testRaggedLongRow() {
        assertError("ragged_long.csv", CSVReadOptions(), "3: expected 3 fields, found 4")
    }

    func testRaggedShortRowAfterMultilineField() {
        assertError("ragged_short.csv", CSVReadOptions(), "3: column 3 'c': expected 3 fields, found 2")
    }

    func testUnterminatedQuote() {
        assertError("unterminated_quote.csv", CSVReadOptions(), "3: column 2 'b': unterminated quote")
    }

    func testInvalidUTF8() {
        assertError("invalid_utf8.csv", CSVReadOptions(), "3: column 2 'b': invalid UTF-8")
    }

    func testForcedTypeThatDoesNotParse() {
        assertError("bad_int.csv", CSVReadOptions(types: ["n": .int64]), "4: column 2 'n': cannot parse \"1x\" as int")
    }

    /// The message quotes the field's value after unescaping ("" → "), whether the field was
    /// quoted with escapes or plain (both paths build the message only on failure).
    func testForcedTypeMessageShowsTheUnescapedValue() {
        let text = "id,n\n1,2\n2,\"1\"\"2\"\n"
        XCTAssertThrowsError(try CSVReader(options: CSVReadOptions(types: ["n": .int64])).read(text: text, name: "q.csv")) { e in
            XCTAssertEqual("\(e)", "q.csv:3: column 2 'n': cannot parse \"1\"2\" as int")
        }
    }

    func testStrayQuotes() {
        assertError("stray_quote.csv", CSVReadOptions(), "2: column 2 'b': quote inside an unquoted field")
        assertError("text_after_quote.csv", CSVReadOptions(), "2: column 2 'b': unexpected text after a closing quote")
    }

    func testBadRowsSkip() throws {
        let r = try read("bad_rows.csv", CSVReadOptions(types: ["n": .int64], badRows: .skip))
        guard case .int64(let id) = try r.frame.column("id").data else { return XCTFail() }
        XCTAssertEqual(id, [1, 5])
        XCTAssertEqual(r.badRows.map(\.description), [
            "line 3, column 2 'n': cannot parse \"zz\" as int",
            "line 4, column 3 's': expected 3 fields, found 2",
            "line 5: expected 3 fields, found 4",
        ])
        XCTAssertEqual(try r.frame.column("s").string(at: 1), "e")
    }

    func testBadRowsNull() throws {
        let r = try read("bad_rows.csv", CSVReadOptions(types: ["n": .int64], badRows: .null))
        XCTAssertEqual(r.frame.nrow, 5)
        let n = try r.frame.column("n"), s = try r.frame.column("s")
        XCTAssertEqual((0..<5).map { n.double(at: $0) }, [10, nil, 30, 40, 50])
        XCTAssertEqual((0..<5).map { s.string(at: $0) }, ["a", "b", nil, "d", "e"])
        XCTAssertEqual(r.badRows.map(\.line), [3, 4, 5])
    }

    func testSeparatorTimestampFormatSubsetAndOverrides() throws {
        let opts = CSVReadOptions(sep: ";", types: ["user": .category], columns: ["when", "user"],
                                  timestampFormat: "%d/%m/%Y %H:%M")
        let f = try read("semicolon_ts.csv", opts).frame
        XCTAssertEqual(f.names, ["when", "user"])
        guard case .timestamp(let t) = try f.column("when").data else { return XCTFail("\(f.columns.map(\.dtype))") }
        XCTAssertEqual(t, [1_709_280_900_000_000, 1_702_684_740_000_000])
        guard case .category(let codes, let levels) = try f.column("user").data else { return XCTFail() }
        XCTAssertEqual(levels, ["7", "8"])
        XCTAssertEqual(codes, [0, 1])
        XCTAssertThrowsError(try read("semicolon_ts.csv", CSVReadOptions(sep: ";", columns: ["usr"]))) { e in
            XCTAssertTrue("\(e)".hasSuffix("no column 'usr' in \(IOFixture.path("csv/semicolon_ts.csv")); did you mean 'user'?"), "\(e)")
        }
        XCTAssertThrowsError(try read("semicolon_ts.csv", CSVReadOptions(sep: ";;")))
        XCTAssertThrowsError(try CSVReader(options: CSVReadOptions(timestampFormat: "%Q")).read(text: "a\n1\n")) { e in
            XCTAssertTrue("\(e)".contains("unsupported directive %Q"))
        }
    }

    func testInferenceWideningAndNulls() throws {
        let text = "a,b,c,d,e,f\n1,2024-01-01,true,,x,1\n2.5,2024-01-02 03:00,false,,7,\n,2024-01-03,,,,2\n"
        let f = try CSVReader().read(text: text).frame
        XCTAssertEqual(f.columns.map(\.dtype), [.float64, .timestamp, .bool, .string, .string, .int64])
        XCTAssertEqual(try f.column("a").double(at: 0), 1)
        XCTAssertEqual(try f.column("d").nullCount, 3)
        XCTAssertEqual(try f.column("e").string(at: 1), "7")
        XCTAssertEqual(try f.column("b").double(at: 1), Double(19724 * 86_400 + 3 * 3600) * 1e6)
        XCTAssertEqual(try f.column("f").double(at: 2), 2)
    }

    /// Tiny chunks put seams inside quoted multi-line fields and make each chunk infer
    /// differently; the result must equal the single-chunk parse.
    func testChunkSeamsGiveTheSameFrame() throws {
        var rng = SeededRandom(seed: 7)
        var text = "id,val,label,mixed,when\n"
        for i in 0..<600 {
            let label = rng.below(5) == 0 ? "\"line\nbreak, \"\"q\"\" \(i % 7)\"" : "plain\(i % 11)"
            let mixed = i == 590 ? "oops" : String(i * 3)
            let val = i % 50 == 0 ? "" : (i < 300 ? String(i) : String(Double(i) / 8))
            text += "\(i),\(val),\(label),\(mixed),2024-03-\(10 + i % 9)\(i > 400 ? " 12:00:01" : "")\r\n"
        }
        let whole = try CSVReader().read(text: text).frame
        var small = CSVReader()
        small.chunkBytes = 97
        let chunked = try small.read(text: text).frame
        XCTAssertEqual(whole.columns.map(\.dtype), [.int64, .float64, .string, .string, .timestamp])
        assertFramesEqual(whole, chunked)
        guard case .string(_, let dict) = try chunked.column("label").data else { return XCTFail() }
        XCTAssertEqual(dict.first, "plain0")   // dictionary in order of first appearance
        XCTAssertEqual(try chunked.column("mixed").string(at: 590), "oops")
        XCTAssertEqual(try chunked.column("mixed").string(at: 3), "9")
    }

    /// The tokeniser indexes separators, newlines and quotes 64 KiB at a time; quoted fields
    /// with separators and newlines inside cross many window edges here (about 700 KB in one
    /// chunk), and every value must come back as written.
    func testQuotedFieldsAcrossScanWindows() throws {
        var text = "id,note,amount\n"
        for i in 0..<20_000 {
            let note = i % 3 == 0 ? "\"a, \"\"b\"\"\nline \(i)\"" : "n\(i % 13)"
            text += "\(i),\(note),\(i / 4).\(i % 4 * 25)\n"
        }
        let f = try CSVReader().read(text: text).frame
        XCTAssertEqual(f.nrow, 20_000)
        let ids = try f.column("id"), notes = try f.column("note"), amounts = try f.column("amount")
        for i in stride(from: 0, to: 20_000, by: 7) {
            XCTAssertEqual(ids.double(at: i), Double(i))
            XCTAssertEqual(notes.string(at: i), i % 3 == 0 ? "a, \"b\"\nline \(i)" : "n\(i % 13)")
            XCTAssertEqual(amounts.double(at: i), Double(i / 4) + Double(i % 4 * 25) / 100)
        }
    }

    func testFloatParsingMatchesStrtod() {
        var rng = SeededRandom(seed: 11)
        for k in 0..<20_000 {
            let digits = 1 + rng.below(20)
            var s = rng.below(2) == 0 ? "-" : ""
            for d in 0..<digits { s += String(rng.below(10)); if d == digits / 2, k % 3 != 0 { s += "." } }
            if k % 4 == 0 { s += "e\(rng.below(700) - 350)" }
            let expected = strtod(s, nil)
            let got = Array(s.utf8).withUnsafeBufferPointer { FieldParse.double($0.baseAddress!, $0.count) }
            XCTAssertEqual(got?.bitPattern, expected.bitPattern, s)
        }
        for bad in ["", "-", ".", "1e", "e5", "1.2.3", "0x10", " 1", "1 ", "nan1", "--1"] {
            XCTAssertNil(Array(bad.utf8).withUnsafeBufferPointer { FieldParse.double($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }, bad)
        }
        XCTAssertEqual(Array("-9223372036854775808".utf8).withUnsafeBufferPointer { FieldParse.int64($0.baseAddress!, $0.count) }, .min)
        XCTAssertNil(Array("9223372036854775808".utf8).withUnsafeBufferPointer { FieldParse.int64($0.baseAddress!, $0.count) })
    }

    /// Expected values: Tests/ChurnCoreTests/References/io_mlc_churn.py (pandas 2 / polars).
    func testMLCChurnLoadsWithPandasTypesAndValues() throws {
        let f = try Frame.readCSV(path: IOFixture.path("mlc_churn.csv")).frame
        XCTAssertEqual(f.nrow, 5000)
        XCTAssertEqual(f.ncol, 20)
        let ints = ["account_length", "number_vmail_messages", "total_day_calls", "total_eve_calls", "total_night_calls",
                    "total_intl_calls", "number_customer_service_calls"]
        let strs = ["state", "area_code", "international_plan", "voice_mail_plan", "churn"]
        for c in f.columns {
            let want: DType = ints.contains(c.name) ? .int64 : strs.contains(c.name) ? .string : .float64
            XCTAssertEqual(c.dtype, want, c.name)
            XCTAssertEqual(c.nullCount, 0)
        }
        let row0 = f.columns.map { CellText.plain($0, 0)! }
        XCTAssertEqual(row0, ["KS", "128", "area_code_415", "no", "yes", "25", "265.1", "110", "45.07", "197.4", "99",
                              "16.78", "244.7", "91", "11.01", "10.0", "3", "2.7", "1", "no"])
        let last = f.columns.map { CellText.plain($0, 4999)! }
        XCTAssertEqual(last, ["VT", "86", "area_code_415", "no", "yes", "34", "129.4", "102", "22.0", "267.1", "104",
                              "22.7", "154.8", "100", "6.97", "9.3", "16", "2.51", "0", "no"])
        let churn = try f.column("churn")
        XCTAssertEqual((0..<5000).filter { churn.string(at: $0) == "yes" }.count, 707)
        guard case .string(_, let states) = try f.column("state").data else { return XCTFail() }
        XCTAssertEqual(states.count, 51)
        XCTAssertEqual(Array(states.prefix(5)), ["KS", "OH", "NJ", "OK", "AL"])
        XCTAssertEqual(try f.column("total_day_minutes").sum(), 901444.5, accuracy: 1e-6)
        XCTAssertEqual(try f.column("account_length").integerSum(), 501293)
    }
}

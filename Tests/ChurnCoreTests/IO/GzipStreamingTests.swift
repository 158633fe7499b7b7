import ExecutionControl
import Foundation
import XCTest
@testable import ChurnCore

/// Streaming gzip CSV input (`CSVGzipStream`, `GzipInflater`). The reference for
/// every case is the same reader on the plain bytes: frames (names, types, values,
/// nulls, column order), bad rows and error messages must be identical, for window
/// sizes from 64 bytes up, so window cuts fall at every kind of place.
final class GzipStreamingTests: XCTestCase {
    static let windows = [64, 97, 130, 256, 1000, 4096]

    /// The plain read (or its error text) and the gzip read at each window size must agree.
    func assertStreamsLikePlain(_ text: String, _ options: CSVReadOptions = CSVReadOptions(), members: [Int] = [],
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let plainBytes = Array(text.utf8)
        // Members: the text cut at these byte offsets (anywhere, not at record ends), each part its own member.
        var gz: [UInt8] = []
        var at = 0
        for cut in members + [plainBytes.count] where cut >= at {
            gz += try Gzip.member(Array(plainBytes[at..<min(cut, plainBytes.count)]))
            at = min(cut, plainBytes.count)
        }
        let plain = Result { try CSVReader(options: options).read(bytes: plainBytes, name: "t.csv") }
        for w in Self.windows {
            for chunk in [w / 2, 1 << 20] {
                var r = CSVReader(options: options)
                r.gzipWindowBytes = w
                r.chunkBytes = max(16, chunk)
                // One thread too at one size: the next window is then inflated before the chunks are parsed.
                let got = Result { try Parallel.withThreads(w == 97 && chunk < w ? 1 : nil) { try r.read(bytes: gz, name: "t.csv") } }
                switch (plain, got) {
                case (.success(let p), .success(let g)):
                    assertFramesEqual(p.frame, g.frame, file: file, line: line)
                    XCTAssertEqual(p.badRows, g.badRows, "window \(w)", file: file, line: line)
                case (.failure(let p), .failure(let g)):
                    XCTAssertEqual("\(p)", "\(g)", "window \(w)", file: file, line: line)
                default:
                    XCTFail("window \(w): plain \(plain), gzip \(got)", file: file, line: line)
                }
            }
        }
    }

    func testNumbersThenTextLateReReadsEarlyWindowsAsText() throws {
        var s = "id,code,amount,when\n"
        for i in 0..<400 {
            let code = i == 371 ? "X-17" : String(i % 13)                        // int, then text near the end
            let amount = i == 390 ? "12.5" : String(i * 3)                         // int widened to float late
            let when = i == 385 ? "2024-05-01 10:00:00" : "2024-05-0\(1 + i % 9)"  // date widened to timestamp
            s += "\(i),\(code),\(amount),\(when)\n"
        }
        try assertStreamsLikePlain(s)
        let f = try Self.gzipRead(s, window: 64)
        XCTAssertEqual(try f.column("code").dtype, .string)
        XCTAssertEqual(CellText.plain(try f.column("code"), 0), "0")
        XCTAssertEqual(CellText.plain(try f.column("code"), 371), "X-17")
        XCTAssertEqual(try f.column("amount").dtype, .float64)
        XCTAssertEqual(try f.column("when").dtype, .timestamp)
        // Dictionary order follows first appearance in the file, as for the plain file.
        if case .string(_, let dict) = try f.column("code").data { XCTAssertEqual(Array(dict.prefix(3)), ["0", "1", "2"]) }
    }

    func testQuotedNewlinesAndEscapedQuotesAcrossCuts() throws {
        var s = "k,note,v\n"
        for i in 0..<120 {
            let note = i % 3 == 0 ? "\"first line\nsecond \"\"quoted\"\" line\n\"" : (i % 3 == 1 ? "\"a,b\"" : "plain")
            s += "\(i),\(note),\(Double(i) / 4)\n"
        }
        try assertStreamsLikePlain(s)
        let f = try Self.gzipRead(s, window: 97)
        XCTAssertEqual(f.nrow, 120)
        XCTAssertEqual(CellText.plain(try f.column("note"), 3), "first line\nsecond \"quoted\" line\n")
    }

    func testCRLFEmptyLinesBOMAndNoFinalNewline() throws {
        var s = "\u{FEFF}\r\n\na,b,c\r\n"
        for i in 0..<150 {
            s += "\(i),x\(i % 7),\(i % 2 == 0 ? "true" : "false")\r\n"
            if i % 17 == 0 { s += "\r\n\n  \r\n" }   // blank lines, one of spaces
        }
        s += "150,last,true"   // no newline at the end
        try assertStreamsLikePlain(s)
        let f = try Self.gzipRead(s, window: 64)
        XCTAssertEqual(f.names, ["a", "b", "c"])
        XCTAssertEqual(f.nrow, 151)
        XCTAssertEqual(CellText.plain(try f.column("b"), 150), "last")
        XCTAssertEqual(try f.column("c").dtype, .bool)
    }

    func testMultiMemberStreamsCutAnywhere() throws {
        var s = "u,x\n"
        for i in 0..<300 { s += "\(i),\(i % 5 == 0 ? "NA" : String(i))\n" }
        try assertStreamsLikePlain(s, members: [1, 50, 51, 777, 2000])
    }

    func testOptionsColumnsForcedTypesNATokensSeparator() throws {
        var s = "a;b;c;d\n"
        for i in 0..<200 { s += "\(i);\(i % 4 == 0 ? "-" : "v\(i % 9)");\(i * 7 % 11);\(i % 6 == 0 ? "missing" : "1.5")\n" }
        var o = CSVReadOptions(sep: ";", na: ["-", "missing"])
        try assertStreamsLikePlain(s, o)
        o.columns = ["d", "b"]
        try assertStreamsLikePlain(s, o)
        // Every read column typed: the single-pass path.
        o.types = ["d": .float64, "b": .category]
        try assertStreamsLikePlain(s, o)
        o.header = false
        o.columns = nil
        o.types = [:]
        try assertStreamsLikePlain(s, o)
    }

    /// A chunk holding only nulls in a column forced to text or category has no value to
    /// map its codes to; it once trapped in assembly (found by the one-record chunks here).
    func testForcedTextChunkOfOnlyNulls() throws {
        var s = "a,b\n"
        for i in 0..<60 { s += i < 20 || i % 2 == 0 ? "\(i),NA\n" : "\(i),v\(i % 3)\n" }
        for t in [DType.category, .string] {
            let o = CSVReadOptions(types: ["b": t])
            try assertStreamsLikePlain(s, o)
            var r = CSVReader(options: o)
            r.chunkBytes = 16
            let f = try r.read(text: s).frame
            let b = try f.column("b")
            XCTAssertEqual(b.dtype, t)
            XCTAssertTrue(b.isNull(0) && b.isNull(19) && b.isNull(22))
            XCTAssertEqual(CellText.plain(b, 21), "v0")
            XCTAssertEqual(CellText.plain(b, 23), "v2")
        }
    }

    func testErrorLineNumbersAndBadRowsCountAcrossWindows() throws {
        var s = "a,b\n"
        for i in 0..<250 {
            s += i == 201 ? "1,2,3\n" : "\(i),\"q\n\(i)\"\n"   // two physical lines a record; a ragged row late
        }
        try assertStreamsLikePlain(s)
        XCTAssertThrowsError(try Self.gzipRead(s, window: 64)) { e in
            // Header line 1, records from line 2, each two lines: record 201 starts at line 2 + 2·201.
            XCTAssertEqual("\(e)", "t.csv:404: expected 2 fields, found 3")
        }
        for policy in [BadRowPolicy.skip, .null] { try assertStreamsLikePlain(s, CSVReadOptions(badRows: policy)) }
        // A value that does not parse under a forced type, far into the file.
        var t = "n\n"
        for i in 0..<300 { t += i == 280 ? "12x\n" : "\(i)\n" }
        try assertStreamsLikePlain(t, CSVReadOptions(types: ["n": .int64]))
        try assertStreamsLikePlain(t, CSVReadOptions(types: ["n": .int64], badRows: .skip))
    }

    func testLongHeaderAndRecordsLongerThanTheWindow() throws {
        let names = (0..<30).map { "column_with_a_long_name_\($0)" }
        var s = names.joined(separator: ",") + "\n"
        for i in 0..<20 {
            s += (0..<30).map { c in c == 3 ? "\"" + String(repeating: "long \(i) ", count: 40) + "\"" : String(i * c) }
                .joined(separator: ",") + "\n"
        }
        try assertStreamsLikePlain(s)
    }

    func testLoneCRLineEndsFallBackToTheWholeText() throws {
        var s = "a,b\r"
        for i in 0..<100 { s += "\(i),\"x\ry\"\r" }
        try assertStreamsLikePlain(s)
        XCTAssertEqual(try Self.gzipRead(s, window: 64).nrow, 100)
        // A lone CR only late in the file (after several windows were parsed).
        var t = "a,b\n"
        for i in 0..<100 { t += "\(i),\(i)" + (i == 90 ? "\r" : "\n") }
        try assertStreamsLikePlain(t)
    }

    func testEmptyAndHeaderOnlyFiles() throws {
        try assertStreamsLikePlain("")
        try assertStreamsLikePlain("a,b\n")
        try assertStreamsLikePlain("", CSVReadOptions(header: false))
        try assertStreamsLikePlain("\n\n\n")
    }

    func testCorruptAndTruncatedStreamsNameTheFile() throws {
        var s = "a,b\n"
        for i in 0..<20_000 { s += "\(i),\(i &* 2654435761 % 1000)\n" }
        let gz = try Gzip.member(Array(s.utf8))
        var r = CSVReader()
        r.gzipWindowBytes = 4096
        r.chunkBytes = 1024
        for cut in [gz.count / 3, gz.count - 9, gz.count - 1] {
            XCTAssertThrowsError(try r.read(bytes: Array(gz.prefix(cut)), name: "cut.csv.gz")) { e in
                XCTAssertTrue("\(e)".hasPrefix("cut.csv.gz: gzip: truncated file"), "\(e)")
            }
        }
        var bad = gz
        for i in (gz.count / 2)..<(gz.count / 2 + 64) { bad[i] ^= 0xA5 }
        XCTAssertThrowsError(try r.read(bytes: bad, name: "bad.csv.gz")) { e in
            XCTAssertTrue("\(e)".hasPrefix("bad.csv.gz: gzip: corrupt data at compressed offset"), "\(e)")
        }
        // The same through a mapped file, with the memory budget returned after the failure.
        let path = IOFixture.tempPath("stream-cut.csv.gz")
        try Data(gz.prefix(gz.count / 2)).write(to: URL(fileURLWithPath: path))
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 512 << 20))
        try ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try r.read(path: path)) { e in XCTAssertTrue("\(e)".contains("stream-cut.csv.gz: gzip: truncated"), "\(e)") }
        }
        XCTAssertEqual(ctx.budget.charged, 0)
    }

    func testBudgetIsChargedAndReturnedAndCancellationStops() throws {
        var s = "a,b,c\n"
        for i in 0..<50_000 { s += "\(i),\(Double(i) / 8),s\(i % 100)\n" }
        let gz = try Gzip.member(Array(s.utf8))
        var r = CSVReader()
        r.gzipWindowBytes = 64 << 10
        r.chunkBytes = 16 << 10
        let roomy = ExecutionContext(budget: MemoryBudget(limit: 256 << 20))
        let f = try ExecutionContext.run(in: roomy) { try r.read(bytes: gz, name: "b.csv.gz").frame }
        XCTAssertEqual(f.nrow, 50_000)
        XCTAssertEqual(roomy.budget.charged, 0)
        let tight = ExecutionContext(budget: MemoryBudget(limit: 200 << 10))
        try ExecutionContext.run(in: tight) {
            XCTAssertThrowsError(try r.read(bytes: gz, name: "b.csv.gz")) { e in XCTAssertTrue(e is MemoryLimitError, "\(e)") }
        }
        XCTAssertEqual(tight.budget.charged, 0)
        let cancelled = ExecutionContext()
        cancelled.token.cancel(.interrupted)
        try ExecutionContext.run(in: cancelled) {
            XCTAssertThrowsError(try r.read(bytes: gz, name: "b.csv.gz")) { e in
                XCTAssertEqual(e as? CancellationError, CancellationError(reason: .interrupted))
            }
        }
    }

    /// Seeded random CSV-like texts (quotes, separators, CR, LF, blanks, numbers, words), each read
    /// plain and gzip-streamed through 64- and 130-byte windows: same frame, bad rows or error text.
    func testRandomTextsStreamLikePlain() throws {
        let pieces = ["a", "1", "2.5", "-7", ",", ",", "\"", "\n", "\n", "\r\n", "\r", " ", "NA", "x\"y", "2024-01-02", "true"]
        var x: UInt64 = 20261204
        func next(_ n: Int) -> Int { x = x &* 6364136223846793005 &+ 1442695040888963407; return Int(x >> 33) % n }
        for case_ in 0..<150 {
            var text = "h1,h2,h3\n"
            for _ in 0..<(40 + next(200)) { text += pieces[next(pieces.count)] }
            let policy = [BadRowPolicy.error, .skip, .null][case_ % 3]
            try assertStreamsLikePlain(text, CSVReadOptions(badRows: policy), members: case_ % 4 == 0 ? [text.utf8.count / 2] : [])
        }
    }

    /// Resuming from any checkpoint yields exactly the bytes a straight read gives from there.
    func testInflaterCheckpointsResumeExactly() throws {
        var text: [UInt8] = []
        var x: UInt64 = 12345
        for _ in 0..<200_000 { x = x &* 6364136223846793005 &+ 1442695040888963407; text.append(UInt8(97 + (x >> 59))) }
        let gz = try Gzip.member(Array(text[..<70_000])) + Gzip.member(Array(text[70_000...]))
        let src = ByteSource(bytes: gz)
        let z = try GzipInflater(source: src, name: "c.gz", checkpointInterval: 10_000)
        var out = [UInt8](repeating: 0, count: text.count + 10)
        let n = try out.withUnsafeMutableBufferPointer { try z.read(into: $0.baseAddress!, capacity: $0.count) }
        XCTAssertEqual(n, text.count)
        XCTAssertTrue(z.atEnd)
        XCTAssertEqual(Array(out[..<n]), text)
        XCTAssertEqual(z.checkpoints.map(\.produced), Array(stride(from: 0, to: text.count, by: 10_000)))
        for at in [0, 9_999, 10_000, 69_999, 70_000, 70_001, 123_456, 199_999] {
            let cp = try XCTUnwrap(z.checkpoint(before: at))
            XCTAssertLessThanOrEqual(cp.produced, at)
            XCTAssertGreaterThan(cp.produced + 10_000, at)
            let r = try GzipInflater(resumingFrom: cp, source: src, name: "c.gz")
            try r.skip(at - cp.produced)
            var piece = [UInt8](repeating: 0, count: 500)
            let got = try piece.withUnsafeMutableBufferPointer { try r.read(into: $0.baseAddress!, capacity: $0.count) }
            XCTAssertEqual(Array(piece[..<got]), Array(text[at..<min(text.count, at + 500)]), "from \(at)")
        }
    }

    static func gzipRead(_ text: String, window: Int, _ options: CSVReadOptions = CSVReadOptions()) throws -> Frame {
        var r = CSVReader(options: options)
        r.gzipWindowBytes = window
        r.chunkBytes = max(16, window / 2)
        return try r.read(bytes: Gzip.member(Array(text.utf8)), name: "t.csv").frame
    }
}

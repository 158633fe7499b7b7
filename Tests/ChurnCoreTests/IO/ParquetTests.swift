import Foundation
import XCTest
@testable import ChurnCore

/// Parquet reader and writer. Reference: pyarrow. The fixtures in
/// Fixtures/parquet were written by pyarrow (scripts/reference/parquet_fixtures.py,
/// which also records pyarrow's own reading of each as NAME.expected.json and
/// checks that pyarrow reads the files this writer produces equal).
final class ParquetTests: XCTestCase {
    static let fixtures = ["mixed_snappy_v1", "mixed_zstd_v2_plain", "mixed_gzip_v2_dict", "int96_legacy", "many_pages_none"]

    func testReadsPyarrowFixturesEqualToPyarrow() throws {
        for name in Self.fixtures {
            let frame = try Frame.readParquet(path: IOFixture.path("parquet/\(name).parquet"))
            let data = try Data(contentsOf: URL(fileURLWithPath: IOFixture.path("parquet/\(name).expected.json")))
            let want = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(frame.names, want["names"] as? [String], name)
            XCTAssertEqual(frame.nrow, want["rows"] as? Int, name)
            let cols = try XCTUnwrap(want["columns"] as? [String: [String: Any]])
            for c in frame.columns {
                let spec = try XCTUnwrap(cols[c.name])
                let values = try XCTUnwrap(spec["values"] as? [Any])
                let type = spec["type"] as? String
                let expectedType: DType = ["int": .int64, "float": .float64, "bool": .bool, "string": .string,
                                           "date": .date, "timestamp": .timestamp][type ?? ""]!
                XCTAssertEqual(c.dtype, expectedType, "\(name).\(c.name)")
                for (i, v) in values.enumerated() {
                    let at = "\(name).\(c.name)[\(i)]"
                    if v is NSNull { XCTAssertTrue(c.isNull(i), at); continue }
                    XCTAssertFalse(c.isNull(i), at)
                    switch c.data {
                    case .int64(let x): XCTAssertEqual(x[i], (v as! NSNumber).int64Value, at)
                    case .timestamp(let x): XCTAssertEqual(x[i], (v as! NSNumber).int64Value, at)
                    case .date(let x): XCTAssertEqual(Int(x[i]), (v as! NSNumber).intValue, at)
                    case .bool(let x): XCTAssertEqual(x[i], (v as! NSNumber).boolValue, at)
                    case .float64(let x):
                        let s = v as! String   // "NaN" or exact hexadecimal (float.hex)
                        if s == "NaN" { XCTAssertTrue(x[i].isNaN, at) } else { XCTAssertEqual(x[i], Double(s), at) }
                    case .string(let codes, let dict): XCTAssertEqual(dict[Int(codes[i])], v as? String, at)
                    default: XCTFail("unexpected type at \(at)")
                    }
                }
            }
        }
    }

    func testColumnSelection() throws {
        let f = try Frame.readParquet(path: IOFixture.path("parquet/mixed_snappy_v1.parquet"),
                                      options: ParquetReadOptions(columns: ["s", "i64"]))
        XCTAssertEqual(f.names, ["s", "i64"])
        XCTAssertThrowsError(try Frame.readParquet(path: IOFixture.path("parquet/mixed_snappy_v1.parquet"),
                                                   options: ParquetReadOptions(columns: ["nope"]))) { e in
            XCTAssertTrue("\(e)".contains("no column 'nope'") && "\(e)".contains("mixed_snappy_v1.parquet"), "\(e)")
        }
    }

    static func sampleFrame(_ n: Int) throws -> Frame {
        try Frame([
            .int("id", (0..<n).map { Int64($0) * 7_919 - 1_000 }, nulls: (0..<n).map { $0 % 17 == 3 }),
            .float("x", (0..<n).map { $0 == 5 ? .nan : Double($0) / 7 - 3 }, nulls: (0..<n).map { $0 % 13 == 0 }),
            .bool("b", (0..<n).map { $0 % 3 == 0 }, nulls: (0..<n).map { $0 % 29 == 1 }),
            .string("s", (0..<n).map { $0 % 11 == 0 ? nil : ["a", "", "流失 ü", "delta"][$0 % 4] }),
            .string("c", (0..<n).map { "lvl\($0 % 3)" }, category: true),
            Column(name: "d", data: .date((0..<n).map { Int32($0 * 3 - 40) }), validity: Validity((0..<n).map { $0 % 7 != 2 })),
            Column(name: "t", data: .timestamp((0..<n).map { Int64($0) * 3_600_000_123 - 86_400_000_000 })),
        ])
    }

    func testRoundTripEveryCompressionDictionaryAndRowGroups() throws {
        let f = try Self.sampleFrame(2_500)
        var asString = f.columns
        if case .category(let codes, let levels) = asString[4].data { asString[4].data = .string(codes: codes, dictionary: levels) }
        let expected = try Frame(asString)
        for comp in ParquetWriteOptions.compressions {
            for dict in [true, false] {
                for groups in [1_000_000, 999] {
                    for version in ParquetWriteOptions.dataPageVersions {
                        let path = IOFixture.tempPath("rt-\(comp)-\(dict)-\(groups)-v\(version).parquet")
                        var o = ParquetWriteOptions(compression: comp, rowGroupSize: groups, dictionary: dict)
                        o.dataPageVersion = version
                        try f.writeParquet(path: path, options: o)
                        assertFramesEqual(try Frame.readParquet(path: path), expected)
                    }
                }
            }
        }
        // A frame without columns.
        let none = IOFixture.tempPath("nocols.parquet")
        try Frame([]).writeParquet(path: none)
        XCTAssertEqual(try Frame.readParquet(path: none).ncol, 0)
        // Empty frame with columns.
        let empty = try Self.sampleFrame(0)
        let p = IOFixture.tempPath("empty.parquet")
        try empty.writeParquet(path: p)
        XCTAssertEqual(try Frame.readParquet(path: p).nrow, 0)
        XCTAssertEqual(try Frame.readParquet(path: p).ncol, 7)
    }

    /// Column chunk statistics, hand-computed: PLAIN bytes of min and max
    /// (little-endian; text bytewise), NaN skipped, zero bounds signed as the
    /// format asks (min -0.0, max +0.0), none for an all-null chunk.
    /// (pyarrow reading them: scripts/reference/parquet_fixtures.py --check.)
    func testStatisticsValues() throws {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let ints = Column.int("i", [5, -3, 9, 0], nulls: [false, false, true, false])
        let si = ParquetStatistics(ints, rows: [0, 1, 3])
        XCTAssertEqual(si.min, le(Int64(-3))); XCTAssertEqual(si.max, le(Int64(5)))
        let fl = Column.float("f", [.nan, 0.0, -2.5, 0.0])
        let sf = ParquetStatistics(fl, rows: [0, 1, 2, 3])
        XCTAssertEqual(sf.min, le((-2.5).bitPattern)); XCTAssertEqual(sf.max, le((0.0).bitPattern))
        let zeros = ParquetStatistics(Column.float("z", [0.0, 0.0]), rows: [0, 1])
        XCTAssertEqual(zeros.min, le((-0.0).bitPattern)); XCTAssertEqual(zeros.max, le((0.0).bitPattern))
        XCTAssertNil(ParquetStatistics(Column.float("n", [.nan]), rows: [0]).min)
        let text = Column.string("s", ["b", "Z", "ä", "a"])
        let st = ParquetStatistics(text, rows: [0, 1, 2, 3])
        XCTAssertEqual(st.min, Array("Z".utf8)); XCTAssertEqual(st.max, Array("ä".utf8))   // bytewise: 'Z' < 'a' < 0xC3
        let b = ParquetStatistics(Column.bool("b", [true, true]), rows: [0, 1])
        XCTAssertEqual(b.min, [1]); XCTAssertEqual(b.max, [1])
        XCTAssertNil(ParquetStatistics(ints, rows: []).max)
    }

    func testBadOptions() throws {
        let f = try Self.sampleFrame(3)
        XCTAssertThrowsError(try f.writeParquet(path: IOFixture.tempPath("x.parquet"), options: ParquetWriteOptions(compression: "lz4"))) { e in
            XCTAssertTrue("\(e)".contains("compression must be one of snappy, zstd, gzip, none"), "\(e)")
        }
        XCTAssertThrowsError(try f.writeParquet(path: IOFixture.tempPath("x.parquet"), options: ParquetWriteOptions(rowGroupSize: 0)))
        var v3 = ParquetWriteOptions(); v3.dataPageVersion = 3
        XCTAssertThrowsError(try f.writeParquet(path: IOFixture.tempPath("x.parquet"), options: v3)) { e in
            XCTAssertTrue("\(e)".contains("data_page_version must be 1 or 2"), "\(e)")
        }
    }

    func testCorruptFilesGiveErrorsNeverCrashes() throws {
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: IOFixture.path("parquet/mixed_snappy_v1.parquet"))))
        XCTAssertThrowsError(try ParquetReader().read(bytes: Array("a,b\n1,2\n".utf8), name: "t.parquet")) { e in
            XCTAssertEqual("\(e)", "t.parquet: not a Parquet file (no PAR1 magic at both ends)")
        }
        // Every truncation keeps the leading magic but loses the footer.
        for cut in stride(from: 0, to: good.count, by: 7) {
            XCTAssertThrowsError(try ParquetReader().read(bytes: Array(good.prefix(cut)), name: "cut.parquet"))
        }
        // Deterministic byte flips all over the file (footer, page headers, pages): an error or a frame, no trap.
        var rng = SplitMix64(seed: 12)
        var errors = 0
        for _ in 0..<3_000 {
            var b = good
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let i = 4 + Int(rng.next() % UInt64(b.count - 8))
                b[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            do { _ = try ParquetReader().read(bytes: b, name: "flip.parquet") } catch { errors += 1; _ = "\(error)" }
        }
        XCTAssertGreaterThan(errors, 100)
        // A footer length larger than the file.
        var lying = good
        lying[lying.count - 8] = 0xFF; lying[lying.count - 7] = 0xFF
        XCTAssertThrowsError(try ParquetReader().read(bytes: lying, name: "lie.parquet")) { e in
            XCTAssertTrue("\(e)".contains("footer length"), "\(e)")
        }
    }

    /// Found by FuzzParquet: INT96 values whose Julian day is far from 1970 overflowed the
    /// microsecond arithmetic (a trap). The file is kept here and in the fuzz corpus.
    func testOutOfRangeTimestampsAreErrorsNotTraps() throws {
        let crafted = Array(try Data(contentsOf: URL(fileURLWithPath: IOFixture.path("parquet/crafted_int96_overflow.parquet"))))
        XCTAssertThrowsError(try ParquetReader().read(bytes: crafted, name: "crafted.parquet")) { e in
            XCTAssertTrue("\(e)".contains("out of range"), "\(e)")
        }
    }

    func testRLEHybridRoundTrip() throws {
        var rng = SplitMix64(seed: 3)
        for width in [1, 2, 3, 7, 8, 13, 20, 32] {
            let maxV: UInt64 = width == 32 ? UInt64(UInt32.max) : (1 << UInt64(width)) - 1
            var v: [UInt32] = []
            while v.count < 5_000 {
                let x = UInt32(rng.next() % (maxV + 1))
                let run = rng.next() % 3 == 0 ? Int(rng.next() % 40) + 1 : 1
                v += [UInt32](repeating: x, count: run)
            }
            let enc = ParquetRLE.encode(v, bitWidth: width)
            var out = [UInt32](repeating: 0, count: v.count)
            try enc.withUnsafeBufferPointer { e in
                try out.withUnsafeMutableBufferPointer { o in
                    try ParquetRLE.decode(e.baseAddress!, 0, e.count, bitWidth: width, count: v.count, into: o.baseAddress!)
                }
            }
            XCTAssertEqual(out, v, "width \(width)")
        }
    }
}

/// A tiny deterministic generator for the tests above.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

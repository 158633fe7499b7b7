import Foundation
import XCTest
@testable import ChurnCore

final class CSVWriterTests: XCTestCase {
    static func allTypesFrame() throws -> Frame {
        try Frame([
            .float("f", [1.5, -0.0, .nan, .infinity, -.infinity, 1e-300, 0.1 + 0.2, 0, 5, 123456789.123456789],
                   nulls: [false, false, false, false, false, false, false, true, false, false]),
            .int("i", [0, -1, .max, .min, 7, 8, 9, 0, 11, 12], nulls: [false, false, false, false, false, false, false, true, false, false]),
            .bool("b", [true, false, true, false, true, false, true, false, true, false],
                  nulls: [false, false, true, false, false, false, false, false, false, false]),
            .string("s", ["", "NA", "say \"hi\"", "a,b", "line\nbreak", "流失", " padded ", nil, "null", "x\r\ny"]),
            Column(name: "d", data: .date([-25567, 19782, 0, 1, 2, 3, 4, 5, 6, 7])),   // 1900-01-01, 2024-02-29, …
            Column(name: "t", data: .timestamp([-1, 1_709_251_200_000_001, 0, 1_000_000, 86_400_000_000, 5, 6, 7, 8, 9]),
                   validity: Validity([true, true, true, true, true, true, true, true, false, true])),
            .string("c", ["lo", "hi", "lo", "mid", "hi", "lo", "lo", "mid", nil, "hi"], category: true),
        ])
    }

    func testRoundTripAllTypesExactly() throws {
        let f = try Self.allTypesFrame()
        let path = IOFixture.tempPath("roundtrip.csv")
        try f.writeCSV(path: path)
        let back = try Frame.readCSV(path: path, options: CSVReadOptions(types: ["c": .category])).frame
        assertFramesEqual(f, back)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("f,i,b,s,d,t,c\n1.5,0,true,\"\",1900-01-01,1969-12-31T23:59:59.999999,lo\n"), text)
        XCTAssertTrue(text.contains("\n-0.0,-1,false,\"NA\",2024-02-29,2024-03-01T00:00:00.000001,hi\n"))
        XCTAssertTrue(text.contains("NaN,9223372036854775807,,\"say \"\"hi\"\"\",1970-01-01,1970-01-01T00:00:00,lo\n"))
    }

    func testRandomFloatsRoundTripBitExact() throws {
        var rng = SeededRandom(seed: 3)
        var xs: [Double] = []
        while xs.count < 3000 {
            let x = Double(bitPattern: rng.next())
            if x.isFinite { xs.append(x) }
        }
        xs += (0..<1000).map { _ in (rng.uniform() * 2000).rounded() / 100 }   // typical 2-decimal money values
        let f = try Frame([.float("x", xs)])
        let path = IOFixture.tempPath("floats.csv")
        try f.writeCSV(path: path)
        var reader = CSVReader()
        reader.chunkBytes = 4096
        assertFramesEqual(f, try reader.read(path: path).frame)
    }

    func testWriteIsAtomic() throws {
        let path = IOFixture.tempPath("atomic.csv")
        try Frame([.int("a", [1, 2])]).writeCSV(path: path)
        // A directory in the way of the rename: the write fails and the old file stays whole.
        let dir = IOFixture.tempPath("no-such-dir/sub/x.csv")
        XCTAssertThrowsError(try Frame([.int("a", [3])]).writeCSV(path: dir))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "a\n1\n2\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
            .filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
        XCTAssertEqual(try Frame([.int("a", [1])]).csvText(options: CSVWriteOptions(sep: "\t")), "a\n1\n")
    }
}

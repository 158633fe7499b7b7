import Foundation
import XCTest
@testable import ChurnCore

/// gzip CSV in and out. The reference is the system `gzip` tool: the fixture
/// `csv/basic.csv.gz` is `gzip -9n basic.csv`, and files we write must
/// decompress with `gzip -dc` to exactly the plain CSV we write.
final class GzipCSVTests: XCTestCase {
    func testReadsGzipFixtureLikeThePlainFile() throws {
        let plain = try Frame.readCSV(path: IOFixture.path("csv/basic.csv")).frame
        let gz = try Frame.readCSV(path: IOFixture.path("csv/basic.csv.gz")).frame
        assertFramesEqual(plain, gz)
        XCTAssertEqual(gz.nrow, 4)
    }

    func testGzipIsRecognisedByMagicBytesWhateverTheName() throws {
        let misnamed = IOFixture.tempPath("really_gzip.csv")
        try? FileManager.default.removeItem(atPath: misnamed)
        try FileManager.default.copyItem(atPath: IOFixture.path("csv/basic.csv.gz"), toPath: misnamed)
        let f = try Frame.readCSV(path: misnamed).frame
        assertFramesEqual(try Frame.readCSV(path: IOFixture.path("csv/basic.csv")).frame, f)
    }

    func testWriteGzipRoundTripsAndGunzipsToThePlainText() throws {
        let n = 40_000   // more than two 16 Ki-row blocks: several gzip members
        let f = try Frame([
            .int("id", (0..<n).map { Int64($0) }),
            .float("x", (0..<n).map { Double($0) * 0.25 - 7 }, nulls: (0..<n).map { $0 % 97 == 0 }),
            .string("s", (0..<n).map { $0 % 5 == 0 ? nil : "u\($0 % 31)" }),
        ])
        let gzPath = IOFixture.tempPath("round.csv.gz")
        let plainPath = IOFixture.tempPath("round.csv")
        try f.writeCSV(path: gzPath)
        try f.writeCSV(path: plainPath)
        let gzBytes = try Data(contentsOf: URL(fileURLWithPath: gzPath))
        XCTAssertEqual(Array(gzBytes.prefix(2)), [0x1F, 0x8B])
        XCTAssertLessThan(gzBytes.count, try Data(contentsOf: URL(fileURLWithPath: plainPath)).count / 2)
        assertFramesEqual(try Frame.readCSV(path: gzPath).frame, try Frame.readCSV(path: plainPath).frame)
        // Reference: the system gzip decompresses all members to our plain text.
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", gzPath]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        XCTAssertEqual(gunzip.terminationStatus, 0)
        XCTAssertEqual(out, try Data(contentsOf: URL(fileURLWithPath: plainPath)))
    }

    func testTruncatedGzipIsAClearErrorNamingTheFile() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: IOFixture.path("csv/basic.csv.gz"))))
        let cut = IOFixture.tempPath("cut.csv.gz")
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try Frame.readCSV(path: cut)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("cut.csv.gz") && m.contains("gzip: truncated"), m)
        }
    }

    func testCorruptGzipIsAClearError() throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: IOFixture.path("csv/basic.csv.gz"))))
        for i in 12..<min(bytes.count, 40) { bytes[i] ^= 0x5A }
        XCTAssertThrowsError(try CSVReader().read(bytes: bytes, name: "bad.csv.gz")) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("bad.csv.gz") && m.contains("gzip"), m)
        }
        // A header alone (magic and nothing else) is truncated, not a crash.
        XCTAssertThrowsError(try CSVReader().read(bytes: [0x1F, 0x8B], name: "two.gz"))
        XCTAssertThrowsError(try CSVReader().read(bytes: [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3], name: "ten.gz"))
    }

    func testConcatenatedMembersReadAsOneStream() throws {
        let a = try Gzip.member(Array("a,b\n1,2\n".utf8))
        let b = try Gzip.member(Array("3,4\n".utf8))
        let f = try CSVReader().read(bytes: a + b, name: "two-members.csv.gz").frame
        XCTAssertEqual(f.nrow, 2)
        XCTAssertEqual(CellText.plain(f.columns[1], 1), "4")
        // Garbage after the last member is an error, not ignored.
        XCTAssertThrowsError(try CSVReader().read(bytes: a + [7, 7, 7], name: "tail.gz")) { e in
            XCTAssertTrue("\(e)".contains("unexpected bytes after the compressed data"), "\(e)")
        }
    }

    /// The rules outbox (a CSV or JSON-lines file the CLI writes) is gzip-compressed for a .gz path too.
    func testOutboxGzipByExtension() throws {
        XCTAssertEqual(Outbox.format(forPath: "out/2024-10-01.jsonl.gz"), .jsonl)
        XCTAssertEqual(Outbox.format(forPath: "out/2024-10-01.csv.gz"), .csv)
        let path = IOFixture.tempPath("outbox.csv.gz")
        try Outbox.write([], to: path)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(bytes.prefix(2)), [0x1F, 0x8B])
        let f = try CSVReader().read(bytes: bytes, name: path).frame
        XCTAssertEqual(f.names, ["run_id", "as_of", "user_id", "rule", "tier", "channel", "offer", "cost", "group", "message", "reason", "action", "propensity"])
    }
}

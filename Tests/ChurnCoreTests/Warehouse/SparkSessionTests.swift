import XCTest
@testable import ChurnCore

/// The parts of the Spark transport that need no Spark: how a statement is fed to
/// `spark-sql` (its CLI ends a statement at a line ending in `;`), how Spark's error
/// stream is read, and the checks made before any process starts. The run against a
/// real Spark is Tests/lua/warehouse_spark_test.lua (scripts/test provides Spark).
final class SparkSessionTests: XCTestCase {
    func testCLITextEndsOnlyAtTheLastLine() {
        let sql = "-- a comment ending in a semicolon;\nSELECT 1 AS x -- note;\nFROM t;\n"
        let text = SparkSession.cliText(sql)
        XCTAssertEqual(text, "-- a comment ending in a semicolon; --\nSELECT 1 AS x -- note; --\nFROM t\n;\n")
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.trimmingCharacters(in: .whitespaces).hasSuffix(";") }.count, 1)
    }

    func testSparkLiteralsHoldNoLineBreak() throws {
        XCTAssertEqual(try SQLDialect.spark.literal("a\nb'c\\"), "'a\\nb\\'c\\\\'")
    }

    func testErrorLinesAndPosition() {
        XCTAssertTrue(SparkSession.isErrorLine("[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column … SQLSTATE: 42703; line 12 pos 7;"))
        XCTAssertTrue(SparkSession.isErrorLine("org.apache.spark.SparkException: Job aborted"))
        XCTAssertFalse(SparkSession.isErrorLine("26/12/03 08:41:56 WARN Utils: Your hostname resolves to a loopback address"))
        XCTAssertTrue(SparkSession.isLogLine("26/12/03 08:41:56 WARN Utils: x"))
        XCTAssertEqual(SparkSession.errorLine("… SQLSTATE: 42703; line 12 pos 7;"), 12)
        XCTAssertNil(SparkSession.errorLine("no position here"))
    }

    func testOptionsRefusedBeforeSparkStarts() {
        XCTAssertThrowsError(try SparkSession.validate(master: "local[2] --conf x=y", conf: [:]))
        XCTAssertThrowsError(try SparkSession.validate(master: "local[2]", conf: ["k": "a\nb"]))
        XCTAssertNoThrow(try SparkSession.validate(master: "spark://host:7077", conf: ["spark.sql.shuffle.partitions": "4"]))
        XCTAssertThrowsError(try SparkSession.Options.findSparkHome("/nonexistent/spark")) { e in
            XCTAssertTrue("\(e)".contains("bin/spark-sql"), "\(e)")
        }
    }

    func testFormatFromExtension() throws {
        let s = try SparkSession(.init(sparkHome: "/nonexistent"))
        let ev = WarehouseEvents(table: ["x"])
        XCTAssertEqual(try SparkEventSource(session: s, path: "/d/e.csv", format: nil, events: ev, amountIfPresent: true).format, "csv")
        XCTAssertEqual(try SparkEventSource(session: s, path: "/d/events", format: nil, events: ev, amountIfPresent: true).format, "parquet")
        XCTAssertThrowsError(try SparkEventSource(session: s, path: "/d/e", format: "xls", events: ev, amountIfPresent: true))
        XCTAssertFalse(s.isRunning)
    }

    /// Parquet files: the column types come from the footer (no data page read), for a file or a
    /// directory of part files; a directory with subdirectories (partition columns) is left to Spark.
    /// Resolved before Spark starts: a misnamed column is an error although Spark is not even installed here.
    func testParquetSchemaFromTheFooterBeforeSparkStarts() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.path + "/churnlab-footer-" + UUID().uuidString
        try fm.createDirectory(atPath: dir + "/parts", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        let f = try Frame([Column(name: "user_id", data: .int64([1, 2])), Column(name: "ts", data: .timestamp([0, 1_000_000])),
                           Column(name: "event", data: .string(codes: [0, 1], dictionary: ["a", "b"])),
                           Column(name: "day", data: .date([0, 1])), Column(name: "amount", data: .float64([1.5, 2]))])
        let file = dir + "/parts/part-00000.parquet"
        try f.writeParquet(path: file)
        fm.createFile(atPath: dir + "/parts/_SUCCESS", contents: Data())
        let schema = try ParquetReader().schema(path: file)
        XCTAssertEqual(schema.columns.map(\.name), ["user_id", "ts", "event", "day", "amount"])
        XCTAssertEqual(schema.columns.map { $0.data.dtype }, [.int64, .timestamp, .string, .date, .float64])
        XCTAssertEqual(schema.nrow, 0)
        XCTAssertEqual(SparkEventSource.footerFile(file), file)
        XCTAssertEqual(SparkEventSource.footerFile(dir + "/parts"), file)
        XCTAssertNil(SparkEventSource.footerFile(dir + "/missing"))
        try fm.createDirectory(atPath: dir + "/parts/region=eu", withIntermediateDirectories: true)
        XCTAssertNil(SparkEventSource.footerFile(dir + "/parts"))
        XCTAssertThrowsError(try ParquetReader().schema(path: dir + "/parts/_SUCCESS"))

        let s = try SparkSession(.init(sparkHome: "/nonexistent"))
        let src = try SparkEventSource(session: s, path: file, format: nil, events: WarehouseEvents(table: ["x"], event: "kind"), amountIfPresent: true)
        XCTAssertThrowsError(try src.compiled(FeatureSpec(asOf: 0))) { e in
            XCTAssertTrue("\(e)".contains("event column 'kind' is not in table"), "\(e)")
        }
        XCTAssertFalse(s.isRunning)
    }

    /// Spark's console progress bar (redrawn after `\r` on the error stream): the last complete bar wins,
    /// and it never counts as an error line nor hides one printed after it on the same line.
    func testProgressBarAndScreenLines() {
        let err = "\r[Stage 0:>                 (0 + 2) / 4]\r[Stage 0:=====>           (1 + 2) / 4]" +
                  "\r[Stage 3:=========>      (5 + 2) / 12][Stage 4:>   (0 + 0) / 2]\r                 \r"
        XCTAssertEqual(SparkSession.parseProgressBar(err).map { [$0.stage, $0.done, $0.total] }, [4, 0, 2])
        XCTAssertEqual(SparkSession.parseProgressBar("\r[Stage 7:==>  (3 + 1) / 9]").map { [$0.stage, $0.done, $0.total] }, [7, 3, 9])
        XCTAssertNil(SparkSession.parseProgressBar("no bar here"))
        XCTAssertNil(SparkSession.parseProgressBar("\r[Stage 2:==>  (3 + 1"))   // cut off mid-bar
        let lines = SparkSession.screenLines(err + "[UNRESOLVED_COLUMN] nosuchcol\n\r[Stage 1:>  (0 + 1) / 1]\n")
        XCTAssertEqual(lines, ["[UNRESOLVED_COLUMN] nosuchcol", "[Stage 1:>  (0 + 1) / 1]"])
        XCTAssertTrue(SparkSession.isErrorLine(lines[0]))
        XCTAssertFalse(SparkSession.isErrorLine(lines[1]))
    }
}

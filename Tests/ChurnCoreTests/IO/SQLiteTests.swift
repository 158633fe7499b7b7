import Foundation
import XCTest
@testable import ChurnCore

final class SQLiteTests: XCTestCase {
    private func freshDB(_ name: String) -> String {
        let p = IOFixture.tempPath(name)
        try? FileManager.default.removeItem(atPath: p)
        return p
    }

    func testWriteReadRoundTripWithTypes() throws {
        let db = freshDB("round.sqlite")
        var f = try CSVWriterTests.allTypesFrame()
        // SQLite stores NaN as NULL and -0.0 as 0 (documented); compare on a frame without them.
        let fc = try f.column("f")
        guard case .float64(var xs) = fc.data else { return XCTFail() }
        xs[2] = 2.5
        xs[1] = 0
        try f.append(Column(name: "f", data: .float64(xs), validity: fc.validity))
        try f.writeSQLite(path: db, table: "all types", mode: .replace)
        let back = try Frame.readSQLite(path: db, sql: "SELECT * FROM \"all types\"")
        XCTAssertEqual(back.columns.map(\.dtype), [.float64, .int64, .bool, .string, .date, .timestamp, .string])
        let expected = try Frame(f.columns.map { c in
            c.dtype == .category ? Column.string(c.name, (0..<c.count).map { c.string(at: $0) }) : c
        })
        assertFramesEqual(expected, back)
    }

    func testParamsAndAppend() throws {
        let db = freshDB("params.sqlite")
        let a = try Frame([.int("id", [1, 2, 3]), .string("plan", ["basic", "plus", nil]), .float("fee", [9.5, 19, 0])])
        try a.writeSQLite(path: db, table: "subs")
        try a.writeSQLite(path: db, table: "subs", mode: .append)
        let r = try Frame.readSQLite(path: db, sql: "SELECT id, fee * 2 AS fee2 FROM subs WHERE id >= ? AND plan IS NOT ? ORDER BY id",
                                     params: [.int(2), .text("basic")])
        XCTAssertEqual(r.names, ["id", "fee2"])
        XCTAssertEqual((0..<r.nrow).map { r.columns[0].double(at: $0)! }, [2, 2, 3, 3])   // IS NOT keeps the null plan
        XCTAssertEqual(r.columns[1].dtype, .float64)
        XCTAssertEqual(r.columns[1].double(at: 0), 38)
        let n = try Frame.readSQLite(path: db, sql: "SELECT count(*) AS n FROM subs WHERE plan IS ?", params: [.null])
        XCTAssertEqual(n.columns[0].double(at: 0), 2)
        XCTAssertThrowsError(try Frame.readSQLite(path: db, sql: "SELECT * FROM subs WHERE id = ?", params: [])) { e in
            XCTAssertEqual("\(e)", "\(db): query has 1 parameter(s), 0 given")
        }
        XCTAssertThrowsError(try Frame.readSQLite(path: db, sql: "SELECT * FROM nope")) { e in
            XCTAssertEqual("\(e)", "\(db): cannot prepare query: no such table: nope")
        }
    }

    func testFailedWriteRollsBack() throws {
        let db = freshDB("rollback.sqlite")
        let setup = try Frame([.int("id", [1, 2])])
        try setup.writeSQLite(path: db, table: "t")
        // A unique index makes the third new row fail: nothing of the append may remain.
        let conn = try SQLiteConnection(path: db, readOnly: false)
        try conn.exec("CREATE UNIQUE INDEX t_id ON t(id)")
        let more = try Frame([.int("id", [10, 11, 2, 12])])
        XCTAssertThrowsError(try more.writeSQLite(path: db, table: "t", mode: .append)) { e in
            XCTAssertTrue("\(e)".contains("insert of row 3 into t failed: UNIQUE constraint failed: t.id"), "\(e)")
        }
        let after = try Frame.readSQLite(path: db, sql: "SELECT id FROM t ORDER BY id")
        XCTAssertEqual((0..<after.nrow).map { after.columns[0].double(at: $0)! }, [1, 2])
        // A replace that fails (unknown column type can't happen, so use a bad table name collision
        // with an index) leaves the old table too.
        XCTAssertThrowsError(try Frame([.int("id", [5])]).writeSQLite(path: db, table: "t_id", mode: .replace))
        XCTAssertEqual(try Frame.readSQLite(path: db, sql: "SELECT count(*) AS n FROM t").columns[0].double(at: 0), 2)
    }
}

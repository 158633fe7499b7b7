import XCTest
@testable import ChurnCore

final class FormatTests: XCTestCase {
    private static let churn: Frame = try! Frame.readCSV(path: IOFixture.path("mlc_churn.csv")).frame

    /// pandas `df.describe()` numbers from Tests/ChurnCoreTests/References/io_mlc_churn.py.
    func testDescribeMatchesPandas() throws {
        let d = try Self.churn.describe()
        XCTAssertEqual(d.nrow, 20)
        XCTAssertEqual(d.names, ["column", "type", "count", "nulls", "mean", "std", "min", "25%", "50%", "75%", "max",
                                 "unique", "top", "freq"])
        func row(_ name: String) throws -> Int { try (0..<d.nrow).first { try d.column("column").string(at: $0) == name }! }
        func stats(_ name: String) throws -> [Double] {
            let r = try row(name)
            return try ["count", "mean", "std", "min", "25%", "50%", "75%", "max"].map { try d.column($0).double(at: r)! }
        }
        let pandas: [String: [Double]] = [
            "account_length": [5000, 100.2586, 39.694559547267055, 1, 73, 100, 127, 243],
            "total_day_minutes": [5000, 180.2889, 53.894699168932206, 0, 143.7, 180.1, 216.2, 351.5],
            "number_customer_service_calls": [5000, 1.5704, 1.3063633327031978, 0, 1, 1, 2, 9],
            "total_intl_charge": [5000, 2.7711959999999998, 0.7455137072660329, 0, 2.3, 2.78, 3.24, 5.4],
        ]
        for (name, want) in pandas {
            let got = try stats(name)
            for (g, w) in zip(got, want) { XCTAssertEqual(g, w, accuracy: abs(w) * 1e-13, name) }
            XCTAssertEqual(Array(got[3...]), Array(want[3...]), name)   // order statistics are exact
        }
        // pandas describe() on text: count, unique, top, freq.
        for (name, unique, top, freq) in [("state", 51, "WV", 158), ("churn", 2, "no", 4293), ("international_plan", 2, "no", 4527)] {
            let r = try row(name)
            XCTAssertEqual(try d.column("count").double(at: r), 5000)
            XCTAssertEqual(try d.column("unique").double(at: r), Double(unique))
            XCTAssertEqual(try d.column("top").string(at: r), top)
            XCTAssertEqual(try d.column("freq").double(at: r), Double(freq))
            XCTAssertTrue(try d.column("mean").isNull(r))
        }
    }

    /// pandas numbers from Tests/ChurnCoreTests/References/io_mlc_churn.py.
    func testColumnStatsMatchPandas() throws {
        let eve = try Self.churn.column("total_eve_minutes")
        XCTAssertEqual(try eve.quantiles([0.1, 0.25, 0.5, 0.9, 0.99]), [136.7, 166.375, 201.0, 265.3200000000001, 318.8020000000001])
        let night = try Self.churn.column("total_night_charge")
        XCTAssertEqual(try night.std()!, 2.2737626559293957, accuracy: 1e-14)
        XCTAssertEqual(try night.mean()!, 9.017732, accuracy: 1e-13)
        let intl = try Self.churn.column("total_intl_minutes")
        XCTAssertEqual(try intl.min(), 0)
        XCTAssertEqual(try intl.max(), 20)
        let vc = try Self.churn.column("area_code").valueCounts()
        XCTAssertEqual(vc.names, ["area_code", "count"])
        XCTAssertEqual((0..<3).map { vc.columns[0].string(at: $0)! }, ["area_code_415", "area_code_408", "area_code_510"])
        XCTAssertEqual((0..<3).map { vc.columns[1].double(at: $0)! }, [2495, 1259, 1246])
        XCTAssertEqual(try Self.churn.column("state").minText(), "AK")
        XCTAssertThrowsError(try Self.churn.column("state").mean()) { e in
            XCTAssertEqual("\(e)", "column 'state' is string, expected a numeric column")
        }
        XCTAssertThrowsError(try eve.quantile(1.5))
    }

    func testStatsOnSmallColumnsWithNullsAndNaN() throws {
        let c = Column.float("x", [3, 1, 0, 2, 2], nulls: [false, false, true, false, false])
        XCTAssertEqual(try c.sum(), 8)
        XCTAssertEqual(try c.mean(), 2)
        XCTAssertEqual(try c.std()!, (2.0 / 3).squareRoot(), accuracy: 1e-15)   // values 3,1,2,2: ss = 2, ddof 1
        XCTAssertEqual(try c.quantile(0.5), 2)
        XCTAssertEqual(c.nunique(), 3)
        let u = c.unique()
        XCTAssertEqual((0..<u.count).map { u.double(at: $0) }, [3, 1, nil, 2])
        XCTAssertEqual((0..<5).map { c.isNullMask().double(at: $0)! }, [0, 0, 1, 0, 0])
        XCTAssertTrue(try Column.float("n", [1, .nan]).mean()!.isNaN)
        XCTAssertNil(try Column.float("e", []).mean())
        XCTAssertNil(try Column.float("one", [4]).std())
        XCTAssertEqual(try Column.int("i", [.max, 1]).integerSum(), nil)   // overflow reported, not wrapped
        XCTAssertEqual(try Column.bool("b", [true, true, false]).integerSum(), 2)
    }

    func testHeadTail() throws {
        let f = try Frame([.int("a", [1, 2, 3, 4, 5]), .string("s", ["a", nil, "c", "d", "e"])])
        XCTAssertEqual(f.head(2).columns[0].double(at: 1), 2)
        XCTAssertEqual(f.head(2).nrow, 2)
        XCTAssertEqual(f.head(-2).nrow, 3)
        XCTAssertEqual(f.tail(2).columns[1].string(at: 0), "d")
        XCTAssertTrue(f.head(3).columns[1].isNull(1))
        XCTAssertEqual(f.tail(10).nrow, 5)
        XCTAssertEqual(f.tail(-4).columns[0].double(at: 0), 5)
    }

    func testRenderAlignsCJK() throws {
        let f = try Frame([.string("名前", ["李雷", "Ann", nil]), .int("n", [1, 22, 333]), .float("x", [1.5, .nan, 0.1])])
        XCTAssertEqual(f.render(), """
        名前    n    x
        string  int  float
        李雷      1    1.5
        Ann      22    NaN
        null    333    0.1
        [3 rows × 3 columns]
        """)
    }

    func testRenderTruncatesRowsColumnsAndCells() throws {
        let cols = (0..<8).map { j in Column.int("column_\(j)", (0..<9).map { Int64($0 * 10 + j) }) }
        let f = try Frame(cols + [.string("long", (0..<9).map { _ in "abcdefghijklmnopqrstuvwxyz" })])
        let s = f.render(maxRows: 4, maxWidth: 40, maxCellWidth: 10)
        XCTAssertEqual(s, """
        column_0  column_1  …  long
        int       int       …  string
               0         1  …  abcdefghi…
              10        11  …  abcdefghi…
        …         …         …  …
              70        71  …  abcdefghi…
              80        81  …  abcdefghi…
        [9 rows × 9 columns]
        """)
    }

    func testHTMLTableEscapes() throws {
        let f = try Frame([.string("a<b", ["x & y", nil]), .float("v", [1, 2.5])])
        XCTAssertEqual(f.htmlTable(), """
        <table class="churnlab-frame">
        <caption>2 rows × 2 columns</caption>
        <thead><tr><th>a&lt;b<br><small>string</small></th><th>v<br><small>float</small></th></tr></thead>
        <tbody>
        <tr><td>x &amp; y</td><td style="text-align:right">1.0</td></tr>
        <tr><td class="null">null</td><td style="text-align:right">2.5</td></tr>
        </tbody>
        </table>
        """)
    }
}

extension FormatTests {
    /// Extreme arguments (as a fuzzer or a Lua script may pass) never trap.
    func testExtremeArgumentsAreSafe() throws {
        let f = try Frame([.int("a", [1, 2, 3])])
        XCTAssertEqual(f.head(.min).nrow, 0)
        XCTAssertEqual(f.tail(.min).nrow, 0)
        XCTAssertEqual(f.head(.max).nrow, 3)
        XCTAssertEqual(f.tail(.max).nrow, 3)
        XCTAssertTrue(f.render(maxRows: .min, maxWidth: .min, maxCellWidth: .min).hasSuffix("[3 rows × 1 column]"))
        XCTAssertTrue(f.render(maxRows: .max, maxWidth: .max, maxCellWidth: .max).contains("3"))
        XCTAssertTrue(f.htmlTable(maxRows: -5).contains("<td>…</td>"))
        XCTAssertThrowsError(try f.columns[0].std(ddof: .min))
        XCTAssertNil(try f.columns[0].std(ddof: .max))
    }
}

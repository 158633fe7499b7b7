import Foundation
import XCTest
@testable import ChurnCore

/// Expected numbers from Tests/ChurnCoreTests/References/prep_preprocess_ref.py
/// (scikit-learn): fit on the first 4000 rows of mlc_churn.csv, transform the last 1000.
final class PrepTests: XCTestCase {
    static let mlc = try! PrepTestData.mlcChurn()
    static let train = try! mlc.take(rows: Array(0..<4000))
    static let test = try! mlc.take(rows: Array(4000..<5000))
    let num = ["account_length", "total_day_minutes", "number_customer_service_calls"]

    func close(_ a: [Double?], _ e: [Double], _ tol: Double = 1e-12, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, e.count, file: file, line: line)
        for (x, y) in zip(a, e) { XCTAssertEqual(x!, y, accuracy: tol * max(1, abs(y)), file: file, line: line) }
    }

    func row(_ f: Frame, _ r: Int, _ cols: [String]) throws -> [Double?] { try cols.map { try f.column($0).double(at: r) } }

    func testStandardScalerMatchesSklearn() throws {
        var s = StandardScaler(columns: num)
        try s.fit(Self.train)
        close(num.map { s.means[$0] }, [100.85625, 180.14714999999998, 1.55675])
        close(num.map { s.scales[$0] }, [39.584543523166964, 54.39295309943651, 1.3058634834851612])
        let t = try s.transform(Self.test)
        close(try row(t, 0, num), [0.45835440768393143, 0.31351211927812517, -0.42634625061581066])
        close(try row(t, 999, num), [-0.3753043152134707, -0.9329728780716945, -1.1921230815377875])
        XCTAssertEqual(try t.column("state").dtype, .string)       // untouched columns stay
    }

    func testMinMaxScalerMatchesSklearn() throws {
        var s = MinMaxScaler(columns: num)
        let t = try { try s.fit(Self.train); return try s.transform(Self.test) }()
        close(try row(t, 0, num), [0.487603305785124, 0.5610241820768137, 0.1111111111111111])
        close(try row(t, 999, num), [0.35123966942148765, 0.36813655761024183, 0.0])
        close(try num.map { try t.column($0).doubles.compactMap { $0 }.max() }, [0.9793388429752067, 0.9448079658605976, 0.7777777777777777])
    }

    func testOneHotMatchesSklearn() throws {
        var oh = OneHotEncoder(columns: ["international_plan", "area_code"], dropFirst: true, unknown: .error)
        try oh.fit(Self.train)
        XCTAssertEqual(oh.categories["area_code"], ["area_code_408", "area_code_415", "area_code_510"])
        let t = try oh.transform(Self.test)
        let names = ["international_plan_yes", "area_code_area_code_415", "area_code_area_code_510"]
        XCTAssertEqual(Array(t.names[2..<5]), ["area_code_area_code_415", "area_code_area_code_510", "international_plan_yes"])
        XCTAssertFalse(t.has("international_plan"))
        close(try names.map { try t.column($0).doubles.reduce(0) { $0 + $1! } }, [93, 512, 233])

        var st = OneHotEncoder(columns: ["state"], unknown: .ignore)
        try st.fit(Self.train.take(rows: Array(0..<300)))
        XCTAssertEqual(st.categories["state"]!.count, 50)
        let s = try st.transform(Self.test)
        let cols = st.outputNames("state").map { try! s.column($0).doubles }
        let zeroRows = (0..<1000).filter { r in cols.allSatisfy { $0[r] == 0 } }.count
        XCTAssertEqual(zeroRows, 17)
        var strict = st
        strict.unknown = .error
        XCTAssertThrowsError(try strict.transform(Self.test)) { e in
            XCTAssertTrue("\(e)".hasPrefix("one_hot: column 'state' row "), "\(e)")
        }
    }

    func testLabelEncoderMatchesSklearn() throws {
        var le = LabelEncoder(columns: ["state"])
        try le.fit(Self.train)
        XCTAssertEqual(le.classes["state"]!.count, 51)
        let t = try le.transform(Self.test)
        XCTAssertEqual(Array(try t.column("state").ints.prefix(5)), [14, 47, 31, 48, 49])
        let back = try le.inverse(try t.column("state"), as: "state")
        XCTAssertEqual(back.strings.prefix(5), try Self.test.column("state").strings.prefix(5))
        var strict = LabelEncoder(columns: ["s"])
        try strict.fit(try Frame([.string("s", ["a", "b"])]))
        XCTAssertThrowsError(try strict.transform(try Frame([.string("s", ["a", "c"])]))) { e in
            XCTAssertEqual("\(e)", "label_encoder: column 's' row 2 has category 'c' not seen in fit")
        }
    }

    func testImputerMatchesSklearn() throws {
        let x = try Frame([
            .float("a", [1, .nan, 3, 4, 0, 10], nulls: [false, false, false, false, true, false]),
            .int("b", [2, 2, 5, 5, 7, 0], nulls: [false, false, false, false, false, true]),
            .string("s", ["x", "y", nil, "y", "x", "z"]),
        ])
        for (strategy, expected) in [(ImputeStrategy.mean, [4.5, 4.2]), (.median, [3.5, 5.0]), (.mostFrequent, [1.0, 2.0])] {
            var imp = Imputer(columns: ["a", "b"], strategy: strategy)
            try imp.fit(x)
            close(["a", "b"].map { imp.statistics[$0]!.number }, expected)
            let t = try imp.transform(x)
            XCTAssertEqual(try t.column("a").doubles[1], expected[0])   // NaN imputed too
            XCTAssertEqual(try t.column("b").double(at: 5), expected[1])
            XCTAssertEqual(try t.column("b").nullCount, 0)
        }
        var mf = Imputer(columns: ["s"], strategy: .mostFrequent)
        XCTAssertEqual(try mf.fitTransform(x).column("s").strings, ["x", "y", "x", "y", "x", "z"])
        var c = Imputer(strategy: .constant, fillValue: .int(0))
        XCTAssertThrowsError(try c.fit(x))   // 0 cannot fill the text column
        c.columns = ["b"]
        XCTAssertEqual(try c.fitTransform(x).column("b").ints, [2, 2, 5, 5, 7, 0])
    }

    func testWinsorizeMatchesNumpy() throws {
        var w = Clipper.winsorize(columns: ["total_day_minutes"], lower: 0.05, upper: 0.95)
        try w.fit(Self.train)
        close(w.bounds["total_day_minutes"]!, [89.7, 271.405])
        let t = try w.transform(Self.test)
        XCTAssertEqual(try t.column("total_day_minutes").doubles.reduce(0) { $0 + $1! }, 180957.63499999998, accuracy: 1e-6)
        var b = Clipper(columns: ["x"], lower: 0, upper: 1)
        XCTAssertEqual(try b.fitTransform(try Frame([.float("x", [-1, 0.5, 3])])).column("x").doubles, [0, 0.5, 1])
    }

    func testPipelineFitTransformAndCodableRoundTrip() throws {
        var p = PrepPipeline([
            .imputer(Imputer(columns: ["total_day_minutes"], strategy: .median)),
            .clip(Clipper.winsorize(columns: ["total_day_minutes"], lower: 0.05, upper: 0.95)),
            .standardScaler(StandardScaler(columns: num)),
            .oneHot(OneHotEncoder(columns: ["international_plan"], dropFirst: true)),
        ])
        XCTAssertThrowsError(try p.transform(Self.test)) { e in XCTAssertEqual("\(e)", "pipeline: transform called before fit") }
        let fitted = try p.fitTransform(Self.train)
        XCTAssertEqual(try fitted.column("total_day_minutes").doubles.reduce(0) { $0 + $1! } / 4000, 0, accuracy: 1e-12)
        let a = try p.transform(Self.test)
        let data = try JSONEncoder().encode(p)
        let q = try JSONDecoder().decode(PrepPipeline.self, from: data)
        XCTAssertEqual(p, q)
        let b = try q.transform(Self.test)
        XCTAssertEqual(try a.column("total_day_minutes").doubles, try b.column("total_day_minutes").doubles)
        XCTAssertEqual(try b.column("international_plan_yes").doubles.reduce(0) { $0 + $1! }, 93)
    }

    func testDefaultsPickNumericOrTextColumnsAndKeepNulls() throws {
        let f = try Frame([.float("x", [1, 3, 0], nulls: [false, false, true]), .int("k", [1, 2, 3]),
                           .string("s", ["a", "b", nil])])
        var s = StandardScaler()
        let t = try s.fitTransform(f)
        XCTAssertEqual(s.fittedColumns, ["x", "k"])
        XCTAssertEqual(try t.column("x").doubles, [-1, 1, nil])
        var oh = OneHotEncoder()
        let o = try oh.fitTransform(f)
        XCTAssertEqual(o.names, ["x", "k", "s_a", "s_b"])
        XCTAssertEqual(try o.column("s_a").doubles, [1, 0, 0])     // null → all zeros
        var bad = StandardScaler(columns: ["s"])
        XCTAssertThrowsError(try bad.fit(f)) { e in
            XCTAssertEqual("\(e)", "column 's' is string, expected a numeric column for standard_scaler")
        }
    }
}

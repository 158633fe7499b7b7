import XCTest
@testable import ChurnCore

final class ExprTests: XCTestCase {
    let f: Frame = try! Frame([
        .int("tenure", [1, 24, 0, 60, 12], nulls: [false, false, true, false, false]),
        .float("score", [0.9, 0.2, 0.75, 0.7, .nan]),
        .string("plan", ["basic", "pro", nil, "basic", "team"]),
        .bool("active", [true, false, false, true, true], nulls: [false, false, false, true, false]),
        .init(name: "signup", data: .date([19_723, 19_000, 19_500, 19_800, 19_900])),   // 2024-01-01, ...
        .init(name: "ts", data: .timestamp([1_704_067_200_000_000, 1_704_110_400_000_000, 0, 1_706_745_600_000_000, 1_704_067_200_000_000])),
    ])

    func testArithmeticTypesAndNulls() throws {
        let c = try (Expr.col("tenure") * 2 + 1).evaluate(on: f)
        XCTAssertEqual(c.dtype, .int64)
        XCTAssertEqual(c.ints, [3, 49, nil, 121, 25])
        XCTAssertEqual(c.name, "tenure")
        XCTAssertEqual(try (Expr.col("tenure") / 4).evaluate(on: f).doubles, [0.25, 6, nil, 15, 3])
        XCTAssertEqual(try (Expr.col("tenure") % 7).evaluate(on: f).ints, [1, 3, nil, 4, 5])
        XCTAssertEqual(try ((-Expr.col("tenure")) % 7).evaluate(on: f).ints, [6, 4, nil, 3, 2])   // floor modulo
        XCTAssertEqual(try (Expr.col("tenure") % 0).evaluate(on: f).nullCount, 5)
        let mixed = try (Expr.col("tenure") + Expr.col("score")).evaluate(on: f)
        XCTAssertEqual(mixed.dtype, .float64)
        XCTAssertEqual(mixed.doubles[0]!, 1.9, accuracy: 1e-12)
        XCTAssertTrue(mixed.doubles[4]!.isNaN)      // NaN is a value, not a null
        XCTAssertNil(mixed.doubles[2])
    }

    func testComparisonsAndThreeValuedLogic() throws {
        let ge = try (Expr.col("score") >= 0.7).evaluate(on: f)
        XCTAssertEqual(ge.strings.count, 5)
        XCTAssertEqual(flags(ge), [true, false, true, true, false])
        // active: T, F, F, null, T ; tenure > 10: F, T, null, T, T
        let and = try (Expr.col("active") & (Expr.col("tenure") > 10)).evaluate(on: f)
        XCTAssertEqual(flags(and), [false, false, false, nil, true])   // false & null = false
        let or = try (Expr.col("active") | (Expr.col("tenure") > 10)).evaluate(on: f)
        XCTAssertEqual(flags(or), [true, true, nil, true, true])
        XCTAssertEqual(flags(try (~Expr.col("active")).evaluate(on: f)), [false, true, true, nil, false])
        XCTAssertEqual(flags(try (Expr.col("active") & false).evaluate(on: f)), [false, false, false, false, false])
        XCTAssertEqual(flags(try (Expr.col("active") | true).evaluate(on: f)), [true, true, true, true, true])
        XCTAssertEqual(flags(try Expr.col("tenure").isNull().evaluate(on: f)), [false, false, true, false, false])
        XCTAssertEqual(flags(try Expr.col("tenure").between(1, 24).evaluate(on: f)), [true, true, nil, false, true])
    }

    func testStringComparisonsUseDictionary() throws {
        XCTAssertEqual(flags(try Expr.col("plan").eq("basic").evaluate(on: f)), [true, false, nil, true, false])
        XCTAssertEqual(flags(try Expr.col("plan").ne("basic").evaluate(on: f)), [false, true, nil, false, true])
        XCTAssertEqual(flags(try (Expr.col("plan") > "pro").evaluate(on: f)), [false, false, nil, false, true])
        XCTAssertEqual(flags(try ("pro" < Expr.col("plan")).evaluate(on: f)), [false, false, nil, false, true])
        XCTAssertEqual(flags(try Expr.col("plan").eq("gold").evaluate(on: f)), [false, false, nil, false, false])
        XCTAssertEqual(flags(try Expr.col("plan").isIn([.string("pro"), .string("team")]).evaluate(on: f)),
                       [false, true, nil, false, true])
        let g = try f.withColumns([Column.string("other", ["team", "pro", "x", "basic", "pro"])])
        XCTAssertEqual(flags(try Expr.col("plan").eq(.col("other")).evaluate(on: g)), [false, true, nil, true, false])
        XCTAssertEqual(flags(try (Expr.col("plan") < Expr.col("other")).evaluate(on: g)), [true, false, nil, false, false])
    }

    func testWhenAndDateArithmetic() throws {
        let w = try Expr.when(Expr.col("tenure") > 10, then: "long", otherwise: "short").evaluate(on: f)
        XCTAssertEqual(w.strings, ["short", "long", "short", "long", "long"])   // null condition → otherwise
        let n = try Expr.when(Expr.col("active"), then: .col("score"), otherwise: 0).evaluate(on: f)
        XCTAssertEqual(n.dtype, .float64)
        XCTAssertEqual(Array(n.doubles.prefix(4)), [0.9, 0, 0, 0])
        // signup 19723 = 2024-01-01; until 2024-10-01 = 274 days.
        let du = try Expr.col("signup").daysUntil("2024-10-01").evaluate(on: f)
        XCTAssertEqual(du.dtype, .int64)
        XCTAssertEqual(du.ints[0], 274)
        XCTAssertEqual(try Expr.col("signup").daysSince("2024-01-01").evaluate(on: f).ints, [0, -723, -223, 77, 177])
        let ts = try Expr.col("ts").daysUntil("2024-01-02 12:00:00").evaluate(on: f)
        XCTAssertEqual(ts.doubles[0], 1.5)
        XCTAssertEqual(ts.doubles[1], 1.0)
        XCTAssertEqual(try (Expr.col("ts") - Expr.col("signup")).evaluate(on: f).doubles[0], 0)
        XCTAssertEqual(flags(try (Expr.col("signup") >= "2024-02-01").evaluate(on: f)), [false, false, false, true, true])
        XCTAssertEqual(try (Expr.col("signup") + 31).evaluate(on: f).value(at: 0), .date(19_754))
        XCTAssertEqual(DateText.format(days: 19_754), "2024-02-01")
        XCTAssertEqual(DateText.parseTimestamp("2024-01-01T00:00:00Z"), 1_704_067_200_000_000)
    }

    func testFilterAndWithColumnsFromExpressions() throws {
        let g = try f.filter((Expr.col("score") >= 0.7) & Expr.col("plan").eq("basic"))
        XCTAssertEqual(g.nrow, 2)
        let h = try f.withColumns([(name: "t2", expr: Expr.col("tenure") * 2), (name: "one", expr: 1)])
        XCTAssertEqual(try h.column("t2").ints, [2, 48, nil, 120, 24])
        XCTAssertEqual(try h.column("one").ints, [1, 1, 1, 1, 1])
    }

    func testErrorsNameColumnsAndTypes() throws {
        XCTAssertThrowsError(try (Expr.col("plan") + 1).evaluate(on: f)) { e in
            XCTAssertEqual("\(e)", "in (col(\"plan\") + 1): cannot apply + to string and int")
        }
        XCTAssertThrowsError(try (Expr.col("plan") > 3).evaluate(on: f)) { e in
            XCTAssertEqual("\(e)", "in (col(\"plan\") > 3): cannot compare string with int")
        }
        XCTAssertThrowsError(try (Expr.col("tenure") & true).evaluate(on: f)) { e in
            XCTAssertEqual("\(e)", "in (col(\"tenure\") & true): & needs bool operands, got int")
        }
        XCTAssertThrowsError(try Expr.col("tenur").evaluate(on: f)) { e in
            XCTAssertEqual("\(e)", "no column 'tenur'; did you mean 'tenure'?")
        }
        XCTAssertThrowsError(try Expr.col("signup").daysUntil("soon").evaluate(on: f)) { e in
            XCTAssertTrue("\(e)".contains("'soon' is not a date or timestamp"))
        }
        XCTAssertThrowsError(try f.filter(Expr.col("tenure") + 1))
    }

    private func flags(_ c: Column) -> [Bool?] {
        guard case .bool(let v) = c.data else { XCTFail("not bool: \(c.dtype)"); return [] }
        return v.indices.map { c.isNull($0) ? nil : v[$0] }
    }
}

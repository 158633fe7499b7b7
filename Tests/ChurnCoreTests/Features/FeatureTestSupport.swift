import XCTest
@testable import ChurnCore

/// µs helpers for hand-built logs: `fday(95, h: 12, m: 50)`.
let DAY_US = TimeUnit.microsPerDay
func fday(_ d: Int64, h: Int64 = 0, m: Int64 = 0) -> Int64 { d * DAY_US + h * 3_600_000_000 + m * TimeUnit.microsPerMinute }

/// An event frame from (user, time, type, amount?) rows.
func featureEventFrame(_ rows: [(Int64, Int64, String, Double?)]) throws -> Frame {
    try Frame([
        .int("user_id", rows.map { $0.0 }),
        Column(name: "ts", data: .timestamp(rows.map { $0.1 })),
        .string("event", rows.map { $0.2 }),
        .float("amount", rows.map { $0.3 ?? 0 }, nulls: rows.map { $0.3 == nil }),
    ])
}

/// Value of `name` for the row whose int user id is `user`; nil when null; fails when the user is absent.
func featureValue(_ f: Frame, _ name: String, user: Int64, file: StaticString = #filePath, line: UInt = #line) throws -> Double? {
    let ids = try f.column("user_id")
    guard case .int64(let v) = ids.data, let r = v.firstIndex(of: user) else {
        XCTFail("user \(user) absent", file: file, line: line); return nil
    }
    return try f.column(name).double(at: r)
}

func featureUserIDs(_ f: Frame) throws -> [Int64] {
    guard case .int64(let v) = try f.column("user_id").data else { return [] }
    return v
}

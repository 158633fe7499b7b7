import XCTest
@testable import ChurnCore

/// Test-only loader for Fixtures/mlc_churn.csv (simple CSV: no embedded commas;
/// quoted fields are text, the rest numbers). The data layer's real CSV reader
/// lives on another branch.
enum LinearTestData {
    static let small = ["account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls",
                        "total_eve_minutes", "total_eve_calls", "total_night_minutes", "total_night_calls",
                        "total_intl_minutes", "total_intl_calls", "number_customer_service_calls",
                        "international_plan", "voice_mail_plan"]
    static let all = ["account_length", "number_vmail_messages", "total_day_minutes", "total_day_calls", "total_day_charge",
                      "total_eve_minutes", "total_eve_calls", "total_eve_charge", "total_night_minutes", "total_night_calls",
                      "total_night_charge", "total_intl_minutes", "total_intl_calls", "total_intl_charge",
                      "number_customer_service_calls", "international_plan", "voice_mail_plan"]

    nonisolated(unsafe) private static var cached: Frame?

    /// The whole table (5000 rows).
    static func churnFrame() throws -> Frame {
        if let cached { return cached }
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mlc_churn.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline)
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        var cells = [[Substring]](repeating: [], count: header.count)
        for line in lines {
            for (j, c) in line.split(separator: ",", omittingEmptySubsequences: false).enumerated() { cells[j].append(c) }
        }
        var cols: [Column] = []
        for (j, name) in header.enumerated() {
            if cells[j].first?.hasPrefix("\"") == true {
                cols.append(.string(name, cells[j].map { String($0.dropFirst().dropLast()) }))
            } else {
                cols.append(.float(name, cells[j].map { Double($0)! }))
            }
        }
        let f = try Frame(cols)
        cached = f
        return f
    }

    /// First `rows` rows of `columns` plus the churn target (yes = 1).
    static func split(_ columns: [String], rows: Range<Int> = 0..<4000) throws -> (FeatureMatrix, [Double]) {
        let f = try churnFrame()
        let X = try FeatureMatrix(frame: f, columns: columns).take(Array(rows))
        let y = try BinaryTarget(column: f.column("churn"), positive: "yes").y
        return (X, Array(y[rows]))
    }
}

/// Asserts |a − e| ≤ rel·|e| + abs for every entry.
func assertClose(_ actual: [Double], _ expected: [Double], rel: Double, abs absTol: Double = 0,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "length " + message, file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(Swift.abs(a - e) <= rel * Swift.abs(e) + absTol) {
        XCTFail("\(message) [\(i)]: \(a) vs expected \(e) (rel err \(Swift.abs(a - e) / Swift.abs(e)))", file: file, line: line)
    }
}

import Foundation
@testable import ChurnCore

/// Test inputs for the frame/prep tests. The CSV reader is not on this branch,
/// so `mlcChurn()` parses the fixture's simple layout here (quoted text, bare
/// numbers, no embedded commas) — enough to feed real data to the kernels.
enum PrepTestData {
    /// The 12-row frame used by Tests/ChurnCoreTests/References/prep_frame_ref.py.
    static func small() throws -> Frame {
        try Frame([
            .string("user", ["a", "b", "a", "c", "b", "a", "c", "d", "b", "a", "d", "c"]),
            .int("plan", [1, 2, 1, 1, 2, 2, 1, 3, 2, 1, 3, 1]),
            .float("amount", [10.5, 3.0, 0, 7.25, 8.0, 1.5, 0, 4.0, 2.5, 6.0, 9.75, 3.5],
                   nulls: [false, false, true, false, false, false, true, false, false, false, false, false]),
            .int("n", [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]),
        ])
    }

    static func mlcChurn() throws -> Frame {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/mlc_churn.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst().split(separator: ",").map { $0.replacingOccurrences(of: "\"", with: "") }
        let rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var cols: [Column] = []
        for (j, name) in header.enumerated() {
            let cells = rows.map { $0[j] }
            if cells[0].hasPrefix("\"") {
                cols.append(.string(name, cells.map { $0.replacingOccurrences(of: "\"", with: "") }))
            } else if cells.allSatisfy({ Int64($0) != nil }) {
                cols.append(.int(name, cells.map { Int64($0)! }))
            } else {
                cols.append(.float(name, cells.map { Double($0)! }))
            }
        }
        return try Frame(cols)
    }
}

extension Column {
    /// Values as Double? for assertions (nil = null).
    var doubles: [Double?] { (0..<count).map { double(at: $0) } }
    var strings: [String?] { (0..<count).map { string(at: $0) } }
    var ints: [Int64?] { (0..<count).map { if case .int64(let v) = data, !isNull($0) { return v[$0] }; return nil } }
}

import XCTest
@testable import ChurnCore

/// Active users, cohort retention and the retention curve of a seeded log checked
/// against pandas: values pasted from
/// Tests/ChurnCoreTests/References/analytics_pandas_reference.py.
final class AnalyticsPandasReferenceTests: XCTestCase {
    let events: [(Int64, Int64)] = [  // (user, minutes since 2024-01-01)
        (1, 18933), (1, 26498), (1, 28696), (1, 29588), (2, 11445), (2, 59010), (3, 90234), (3, 102232), (3, 125676), (3, 132272), (4, 19928), (4, 28150), (4, 37414), (4, 40292), (4, 44834), (4, 50694), (4, 56604), (5, 80237), (5, 111218), (5, 134772), (5, 166755), (5, 171196), (6, 124512), (6, 162267), (7, 40170), (7, 40756), (8, 60590), (8, 79491), (8, 85771), (9, 129851), (9, 155809), (10, 63848), (10, 77603), (10, 82104), (10, 88281), (10, 90950), (10, 92165), (10, 100794), (11, 12738), (11, 13065), (11, 15246), (11, 21629), (11, 37884), (11, 48863), (11, 56617), (12, 43871), (12, 45255), (12, 47703), (12, 52768), (13, 105323), (13, 108861), (13, 168288), (14, 129319), (14, 146200), (15, 27385), (15, 82598), (16, 42112), (16, 65253), (16, 72686), (16, 95411), (16, 112902), (16, 135328), (16, 144529), (17, 135812), (17, 152638), (17, 165234), (17, 171183), (18, 6341), (18, 12929), (19, 35878), (19, 36996), (19, 41585), (19, 45764), (19, 48336), (19, 50295), (20, 68318), (20, 69812), (20, 71692), (20, 78746), (21, 128944), (21, 132478), (21, 135565), (21, 138447), (21, 141071), (22, 35813), (22, 40806), (22, 98836), (22, 109749), (23, 22350), (24, 10245), (24, 17056), (24, 19519), (24, 27722), (25, 91226), (25, 92292), (25, 99548), (25, 102562)
    ]
    let dau: [Double] = [1.0, 3.0, 0.0, 3.0, 1.0, 1.0, 1.0, 0.0, 0.0, 2.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    let wau: [Double] = [7.0, 7.0, 7.0, 7.0, 7.0, 5.0, 4.0, 4.0, 4.0, 4.0, 5.0, 4.0, 5.0, 4.0, 5.0]
    let mau: [Double] = [13.0, 13.0, 13.0, 13.0, 13.0, 13.0, 13.0, 12.0, 11.0, 11.0, 12.0, 12.0, 13.0, 13.0, 14.0]
    let cohortSizes: [Double] = [13.0, 4.0, 7.0, 1.0]
    let cohortMatrix: [[Double?]] = [
        [1.0, 0.5384615384615384, 0.15384615384615385, 0.07692307692307693],
        [1.0, 0.5, 0.25, nil],
        [1.0, 0.8571428571428571, nil, nil],
        [1.0, nil, nil, nil],
    ]
    let eligible: [Double] = [25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 25.0, 24.0, 24.0, 24.0, 24.0, 23.0, 21.0, 21.0, 21.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0, 19.0, 19.0, 19.0, 19.0, 19.0, 19.0, 19.0, 19.0, 19.0, 19.0, 18.0, 17.0, 17.0, 17.0, 17.0]
    let retained: [Double] = [25.0, 24.0, 23.0, 23.0, 23.0, 22.0, 22.0, 21.0, 19.0, 17.0, 17.0, 16.0, 16.0, 14.0, 14.0, 14.0, 14.0, 14.0, 13.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0, 11.0, 10.0, 8.0, 8.0, 8.0, 7.0, 7.0, 6.0, 6.0, 5.0, 5.0, 5.0, 5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]

    static let start: Int64 = 19_723   // 2024-01-01

    func log() throws -> EventLog {
        try EventLog(try featureEventFrame(events.map { ($0.0, Self.start * DAY_US + $0.1 * TimeUnit.microsPerMinute, "e", nil) }))
    }

    func column(_ f: Frame, _ name: String) throws -> [Double?] {
        let c = try f.column(name)
        return (0..<c.count).map { c.double(at: $0) }
    }

    func testActiveUsersMatchPandas() throws {
        let f = try activeUsers(try log(), from: Int32(Self.start + 30), to: Int32(Self.start + 45))
        XCTAssertEqual(try column(f, "dau"), dau)
        XCTAssertEqual(try column(f, "wau"), wau)
        XCTAssertEqual(try column(f, "mau"), mau)
    }

    func testCohortRetentionMatchesPandas() throws {
        let f = try cohortRetention(try log())
        XCTAssertEqual(try column(f, "users"), cohortSizes)
        for k in 0..<4 {
            let got = try column(f, "m\(k)")
            for (c, want) in cohortMatrix.enumerated() {
                if let w = want[k] { XCTAssertEqual(got[c]!, w, accuracy: 1e-12, "cohort \(c) m\(k)") }
                else { XCTAssertNil(got[c], "cohort \(c) m\(k)") }
            }
        }
    }

    func testRetentionCurveMatchesPandas() throws {
        let f = try retentionCurve(try log(), maxDays: 60)
        XCTAssertEqual(try column(f, "eligible"), eligible)
        XCTAssertEqual(try column(f, "retained"), retained)
    }
}

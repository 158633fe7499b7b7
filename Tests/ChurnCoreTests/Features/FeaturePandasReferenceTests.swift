import XCTest
@testable import ChurnCore

/// Features of a seeded random log checked against pandas: values pasted from
/// Tests/ChurnCoreTests/References/features_pandas_reference.py (as of day 100).
final class FeaturePandasReferenceTests: XCTestCase {
    // events: (user, minutes since epoch, type, amount or nil)
    let events: [(Int64, Int64, String, Double?)] = [
        (7, 122194, "view", nil),
        (5, 122174, "login", nil),
        (5, 113715, "buy", 86),
        (7, 157941, "view", nil),
        (5, 157914, "login", nil),
        (6, 87249, "view", nil),
        (6, 100272, "buy", 14),
        (2, 100252, "buy", 27),
        (1, 156169, "view", nil),
        (3, 149921, "login", nil),
        (2, 149892, "login", nil),
        (7, 100843, "buy", 45),
        (7, 113031, "view", nil),
        (1, 113006, "login", nil),
        (4, 121609, "buy", 16),
        (6, 130893, "view", nil),
        (1, 130863, "view", nil),
        (6, 146163, "login", nil),
        (1, 97564, "login", nil),
        (4, 97521, "login", nil),
        (6, 124833, "login", nil),
        (3, 155879, "buy", 74),
        (3, 155872, "login", nil),
        (2, 149783, "view", nil),
        (6, 123129, "login", nil),
        (2, 123104, "view", nil),
        (7, 154062, "login", nil),
        (4, 137390, "login", nil),
        (4, 137370, "login", nil),
        (4, 132459, "login", nil),
        (5, 139823, "buy", 71),
        (4, 139807, "view", nil),
        (4, 120492, "login", nil),
        (7, 104013, "view", nil),
        (6, 104002, "buy", 25),
        (6, 125362, "login", nil),
        (5, 122962, "view", nil),
        (5, 122959, "view", nil),
        (3, 130532, "login", nil),
        (7, 135811, "view", nil),
        (4, 135793, "view", nil),
        (2, 112411, "buy", 25),
        (6, 129506, "login", nil),
        (2, 129469, "buy", 80),
        (7, 94192, "login", nil),
        (5, 133936, "view", nil),
        (1, 133931, "view", nil),
        (1, 114309, "login", nil),
        (4, 109676, "login", nil),
        (1, 109658, "view", nil),
        (1, 102646, "login", nil),
        (4, 113916, "view", nil),
        (7, 113873, "view", nil),
        (4, 145176, "view", nil),
        (6, 113762, "view", nil),
        (7, 113720, "login", nil),
        (6, 127827, "login", nil),
        (5, 114651, "login", nil),
        (4, 114641, "login", nil),
        (4, 128879, "login", nil),
    ]
    // expected features by column, users ascending; nil = null
    let expectedUsers: [Int64] = [1, 2, 3, 4, 5, 6, 7]
    let expected: [String: [Double?]] = [
        "events_7d": [1.0, 0.0, 0.0, 4.0, 2.0, 0.0, 1.0],
        "active_days_7d": [1.0, 0.0, 0.0, 3.0, 2.0, 0.0, 1.0],
        "view_7d": [1.0, 0.0, 0.0, 2.0, 1.0, 0.0, 1.0],
        "amount_7d": [0.0, 0.0, 0.0, 0.0, 71.0, 0.0, 0.0],
        "amount_mean_7d": [nil, nil, nil, nil, 71.0, nil, nil],
        "trend_7d": [1.0, 0.0, 0.0, 2.0, 2.0, 0.0, 1.0],
        "events_30d": [6.0, 3.0, 1.0, 11.0, 7.0, 8.0, 7.0],
        "active_days_30d": [6.0, 3.0, 1.0, 9.0, 6.0, 8.0, 6.0],
        "view_30d": [3.0, 1.0, 0.0, 3.0, 3.0, 2.0, 5.0],
        "amount_30d": [0.0, 105.0, 0.0, 16.0, 157.0, 25.0, 45.0],
        "amount_mean_30d": [nil, 52.5, nil, 16.0, 78.5, 25.0, 45.0],
        "trend_30d": [6.0, 3.0, 1.0, 11.0, 7.0, 4.0, 7.0],
        "recency_days": [6.992361111111111, 10.090972222222222, 9.352777777777778, 2.9118055555555555, 2.9006944444444445, 9.102083333333333, 5.686805555555556],
        "recency_buy_days": [nil, 10.090972222222222, nil, 15.549305555555556, 2.9006944444444445, 27.77638888888889, 29.97013888888889],
        "tenure_days": [32.24722222222222, 30.380555555555556, 9.352777777777778, 32.27708333333333, 21.03125, 39.41041666666667, 34.58888888888889],
        "gap_mean_days": [4.209143518518519, 6.763194444444444, nil, 2.669570707070707, 3.0217592592592593, 3.3675925925925925, 4.128869047619047],
        "gap_max_days": [11.495833333333334, 8.44375, nil, 8.440972222222221, 7.620833333333334, 9.04375, 9.45625],
        "sessions_30d": [6.0, 3.0, 1.0, 10.0, 6.0, 8.0, 7.0],
        "session_minutes_mean_30d": [0.0, 0.0, 0.0, 2.0, 0.5, 0.0, 0.0],
        "weekend_share_30d": [0.3333333333333333, 0.0, 0.0, 0.2727272727272727, 0.2857142857142857, 0.5, 0.42857142857142855],
    ]

    func testMatchesPandas() throws {
        let log = try EventLog(try featureEventFrame(events.map { ($0.0, $0.1 * TimeUnit.microsPerMinute, $0.2, $0.3) }), amount: "amount")
        let spec = FeatureSpec(asOf: fday(100), windows: [7, 30], eventTypes: ["view"], recencyTypes: ["buy"])
        let f = try buildFeatures(log, spec)
        XCTAssertEqual(try featureUserIDs(f), expectedUsers)
        XCTAssertEqual(expected.count, 20)
        for (name, want) in expected {
            let col = try f.column(name)
            for (r, w) in want.enumerated() {
                let got = col.double(at: r)
                if let w, let got { XCTAssertEqual(got, w, accuracy: 1e-9, "\(name) row \(r)") }
                else { XCTAssertTrue(got == nil && w == nil, "\(name) row \(r): \(String(describing: got)) vs \(String(describing: w))") }
            }
        }
    }
}

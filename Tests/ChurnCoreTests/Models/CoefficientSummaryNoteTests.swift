import XCTest
@testable import ChurnCore

/// Defect 9: a penalised fit's summary says why SE/z/p are empty.
final class CoefficientSummaryNoteTests: XCTestCase {
    func testPenalisedSummaryExplainsEmptyColumns() throws {
        let (X, y) = try LinearTestData.split(LinearTestData.small, rows: 0..<500)
        let penalised = try LogisticRegression.fit(X, y, options: .init(penalty: .l2, C: 1, standardize: true))
        let s = penalised.summary()
        XCTAssertTrue(s.contains("note: std err, z, P>|z| and the interval are left empty: with penalty 'l2'"), s)
        let plain = try LogisticRegression.fit(X, y, options: .init(penalty: .none, standardize: false))
        XCTAssertFalse(plain.summary().contains("note:"), plain.summary())
    }
}

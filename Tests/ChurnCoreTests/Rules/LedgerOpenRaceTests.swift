import Foundation
import XCTest
@testable import ChurnCore

final class LedgerOpenRaceTests: XCTestCase {
    /// Two schedulers starting together on a new ledger: both opens must
    /// succeed (switching to WAL can report "locked" without SQLite retrying).
    func testConcurrentOpensOfANewLedger() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for round in 0..<40 {
            let path = dir.appendingPathComponent("l\(round).db").path
            let errors = NSLock()
            var failures: [String] = []
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do { _ = try Ledger(path: path) } catch {
                    errors.lock(); failures.append("\(error)"); errors.unlock()
                }
            }
            XCTAssertEqual(failures, [], "round \(round)")
        }
    }
}

import XCTest
@testable import ChurnCore

final class SimulatorTests: XCTestCase {
    func testDeterministicAndThreadIndependent() throws {
        let o = SimulationOptions(users: 300, days: 120, seed: 7)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let a = try simulatePlatform(o)
        Parallel.threads = 5
        let b = try simulatePlatform(o)
        XCTAssertEqual(a.events.nrow, b.events.nrow)
        XCTAssertTrue(try a.events.column("ts").toDoubles()! == b.events.column("ts").toDoubles()!)
        XCTAssertTrue(try a.subscriptions.column("price").toDoubles()! == b.subscriptions.column("price").toDoubles()!)
        let c = try simulatePlatform(SimulationOptions(users: 300, days: 120, seed: 8))
        XCTAssertFalse(try a.events.column("ts").toDoubles()! == c.events.column("ts").toDoubles()!)
    }

    func testTablesAreConsistent() throws {
        let sim = try simulatePlatform(SimulationOptions(users: 400, days: 200, start: 19_723, seed: 3))
        XCTAssertEqual(sim.users.nrow, 400)
        XCTAssertEqual(sim.events.names, ["user_id", "ts", "event", "amount"])
        let log = try EventLog(sim.events, amount: "amount")
        XCTAssertEqual(log.userCount, 400)                      // everyone logs in at signup
        // Already grouped by user and time-ordered: indexing keeps the row order.
        XCTAssertTrue(log.times == (try sim.events.column("ts").toDoubles()!.map { Int64($0) }))
        let r = log.timeRange!
        XCTAssertGreaterThanOrEqual(r.min, 19_723 * DAY_US)
        XCTAssertLessThan(r.max, (19_723 + 200 + 1) * DAY_US)
        // Every paid term has its purchase or renew event on its start day.
        let subs = try Subscriptions(sim.subscriptions, autoRenew: "auto_renew", discount: "discount")
        let payments = (0..<log.count).filter { log.typeNames[Int(log.types[$0])] == "renew" ||
            (log.typeNames[Int(log.types[$0])] == "purchase" && [29.0, 199.0, 23.2, 14.5, 159.2, 99.5].contains(log.amounts![$0])) }
        XCTAssertEqual(payments.count, subs.count)
        for ty in simulatedEventTypes { XCTAssertNotNil(log.typeCode(ty)) }
    }

    /// Features built as of day 240 predict 30-day inactivity churn; a noise feature does not.
    func testFeaturesPredictChurn() throws {
        let start: Int32 = 19_723
        let sim = try simulatePlatform(SimulationOptions(users: 4000, days: 300, start: start, seed: 11))
        let log = try EventLog(sim.events, amount: "amount")
        func dataset(_ asOfDay: Int64) throws -> (X: [[Double]], noise: [[Double]], y: [Double]) {
            let asOf = (Int64(start) + asOfDay) * DAY_US
            let spec = FeatureSpec(asOf: asOf, windows: [7, 30], families: [.activity, .recency, .trend, .tenure, .types])
            let s = try snapshots(log, SnapshotOptions(from: asOf, to: asOf, spec: spec,
                                                       label: LabelOptions(asOf: asOf, horizon: 30, activeWithin: 30)))
            let names = ["events_7d", "events_30d", "active_days_30d", "recency_days", "trend_30d", "tenure_days", "finish_lesson_30d"]
            let X = try names.map { try s.column($0).toDoubles()! }
            // Device is pure noise in the simulator: join it by user id (ids are 1…n, row = id − 1).
            let dev = try sim.users.column("device")
            let ids = try s.column("user_id").toDoubles()!
            let noise = [ids.map { Double(dev.string(at: Int($0) - 1) == "ios" ? 1 : 0) },
                         ids.map { Double(dev.string(at: Int($0) - 1) == "web" ? 1 : 0) }]
            return (X, noise, try s.column("churn").toDoubles()!)
        }
        let train = try dataset(200), test = try dataset(240)
        let rate = test.y.reduce(0, +) / Double(test.y.count)
        XCTAssertGreaterThan(rate, 0.05); XCTAssertLessThan(rate, 0.5)
        let model = TinyLogistic.fit(train.X, train.y)
        let auc = TinyLogistic.auc(TinyLogistic.predict(model, test.X), test.y)
        let noiseModel = TinyLogistic.fit(train.noise, train.y)
        let noiseAUC = TinyLogistic.auc(TinyLogistic.predict(noiseModel, test.noise), test.y)
        print("simulator: churn rate \(rate), n=\(test.y.count), AUC \(auc), noise AUC \(noiseAUC)")
        XCTAssertGreaterThan(auc, 0.75); XCTAssertLessThan(auc, 0.92)
        XCTAssertEqual(noiseAUC, 0.5, accuracy: 0.06)
    }
}

import XCTest
@testable import ChurnCore

final class CatalogueTests: XCTestCase {
    /// The catalogue draws from streams of its own: the other tables are identical with and without it.
    func testCatalogueLeavesOtherTablesUnchanged() throws {
        let a = try simulatePlatform(SimulationOptions(users: 300, days: 120, seed: 7, courses: 0))
        let b = try simulatePlatform(SimulationOptions(users: 300, days: 120, seed: 7))
        XCTAssertEqual(a.interactions.nrow, 0)
        XCTAssertEqual(a.events.nrow, b.events.nrow)
        XCTAssertTrue(try a.events.column("ts").toDoubles()! == b.events.column("ts").toDoubles()!)
        XCTAssertTrue(try a.subscriptions.column("end").toDoubles()! == b.subscriptions.column("end").toDoubles()!)
        let c = try simulatePlatform(SimulationOptions(users: 300, days: 120, seed: 7))
        XCTAssertTrue(try b.interactions.column("course_id").toDoubles()! == c.interactions.column("course_id").toDoubles()!)
    }

    func testCatalogueAndInteractionsAreConsistent() throws {
        let sim = try simulatePlatform(SimulationOptions(users: 400, days: 200, seed: 3))
        let courses = sim.courses
        XCTAssertEqual(courses.nrow, 120)
        XCTAssertEqual(courses.names, ["course_id", "title", "topic", "level", "price", "lessons", "description"])
        let desc = try courses.column("description")
        let chinese = (0..<courses.nrow).filter { desc.string(at: $0)!.unicodeScalars.contains { TextTokenizer.isCJK($0) } }.count
        XCTAssertGreaterThan(chinese, 20); XCTAssertLessThan(chinese, 70)
        let it = sim.interactions
        XCTAssertEqual(it.names, ["user_id", "ts", "course_id", "action", "rating"])
        // One view per view_course event.
        let ev = try sim.events.column("event")
        let views = (0..<sim.events.nrow).filter { ev.string(at: $0) == "view_course" }.count
        let act = try it.column("action")
        let actions = (0..<it.nrow).map { act.string(at: $0)! }
        XCTAssertEqual(actions.filter { $0 == "view" }.count, views)
        // Grouped by user, time-ordered; ratings 1…5 exactly on rate rows; a finish follows a start.
        let u = try it.column("user_id").toDoubles()!, ts = try it.column("ts").toDoubles()!
        let cid = try it.column("course_id").toDoubles()!
        let rating = try it.column("rating")
        var started = Set<[Double]>()
        for r in 0..<it.nrow {
            if r > 0 { XCTAssertTrue(u[r] > u[r - 1] || (u[r] == u[r - 1] && ts[r] >= ts[r - 1])) }
            XCTAssertEqual(!rating.isNull(r), actions[r] == "rate")
            if actions[r] == "rate" { let v = rating.double(at: r)!; XCTAssertTrue((1...5).contains(v) && v == v.rounded()) }
            if actions[r] == "start" { started.insert([u[r], cid[r]]) }
            if actions[r] == "finish" { XCTAssertTrue(started.contains([u[r], cid[r]])) }
            XCTAssertTrue((1...120).contains(cid[r]))
        }
        XCTAssertGreaterThan(actions.filter { $0 == "finish" }.count, 30)
        XCTAssertGreaterThan(actions.filter { $0 == "purchase" }.count, 5)
    }

    /// Personal recommenders beat popularity on held-out finished courses:
    /// each user's last finished course is held out and the recommenders are
    /// trained on the rest of the `actions` rows (NDCG@10, seen items excluded).
    static func simulatorNDCG(users n: Int, seed: UInt64, actions: Set<String>) throws -> (popular: Double, itemKNN: Double, als: Double, users: Int) {
        let sim = try simulatePlatform(SimulationOptions(users: n, days: 365, seed: seed))
        let it = sim.interactions
        let act = try it.column("action")
        let rows = (0..<it.nrow).filter { actions.contains(act.string(at: $0)!) }
        let frame = try it.take(rows: rows)
        let users = try frame.column("user_id").toDoubles()!.map { String(Int($0)) }
        let items = try frame.column("course_id").toDoubles()!.map { String(Int($0)) }
                // Hold out the last finish per user (users with 2+ finishes), and every row on that course.
        let all = (0..<it.nrow).filter { act.string(at: $0) == "finish" }
        let fu = try it.column("user_id").toDoubles()!, fc = try it.column("course_id").toDoubles()!, ft = try it.column("ts").toDoubles()!
        let (_, finTest) = try RecommendSplit.leaveLastOut(users: all.map { String(Int(fu[$0])) }, items: all.map { String(Int(fc[$0])) },
                                                           times: all.map { Int64(ft[$0]) })
        var held: [String: String] = [:]
        for r in finTest { held[String(Int(fu[all[r]]))] = String(Int(fc[all[r]])) }
        let train = (0..<frame.nrow).filter { held[users[$0]] != items[$0] }
        let m = try InteractionMatrix(users: train.map { users[$0] }, items: train.map { items[$0] })
        let testUsers = held.keys.sorted().filter { m.userIndex[$0] != nil }
        let rel = testUsers.map { [held[$0]!] }
        func ndcg(_ rec: (String) -> Recommendation?) throws -> Double {
            let lists = testUsers.map { u in rec(u).map { $0.items.map { m.items[$0] } } ?? [] }
            return try RecommendationMetrics.score(.ndcg, recommended: lists, relevant: rel, k: 10)
        }
        let pop = PopularityRecommender(m)
        let knn = try ItemKNNRecommender(m, neighbours: 50)
        var o = ALSOptions(); o.factors = 16; o.iterations = 10; o.regularization = 0.1; o.alpha = 10
        let als = try ALSModel.fit(m, o)
        return (try ndcg { pop.recommend(user: $0, k: 10, excludeSeen: true) },
                try ndcg { knn.recommend(user: $0, k: 10, excludeSeen: true) },
                try ndcg { als.recommend(user: $0, k: 10, excludeSeen: true) }, testUsers.count)
    }

    /// Measured (3000 users, seed 11, 489 users with 2+ finishes): training on views —
    /// popular 0.108, item_knn 0.462, ALS 0.305; on starts only — popular 0.108, item_knn 0.145, ALS 0.319.
    func testPersonalisationBeatsPopularity() throws {
        let r = try Self.simulatorNDCG(users: 3000, seed: 11, actions: ["view"])
        print("simulator NDCG@10 (views, \(r.users) users): popular \(r.popular), item_knn \(r.itemKNN), als \(r.als)")
        XCTAssertGreaterThan(r.users, 300)
        XCTAssertGreaterThan(r.itemKNN, 2 * r.popular)
        XCTAssertGreaterThan(r.als, 1.5 * r.popular)
    }
}

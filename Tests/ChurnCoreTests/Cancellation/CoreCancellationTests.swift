import XCTest
@testable import ChurnCore

/// Every long native operation stops when the current context's token is
/// cancelled (issue 11 item 7), with the token's own error — never wrapped as
/// a fold's or candidate's failure — and charges its large allocations to the
/// context's memory budget before making them (item 8).
final class CoreCancellationTests: XCTestCase {
    // MARK: data

    /// n rows, 4 numeric features and one categorical; y depends on x0, x1 and the category.
    static func dataset(_ n: Int, seed: UInt64 = 1) throws -> (FeatureMatrix, [Double]) {
        var rng = SeededRandom(seed: seed, stream: 0)
        var cols = [[Double]](repeating: [], count: 4)
        var codes: [Int32] = [], y: [Double] = []
        for _ in 0..<n {
            let x = (0..<4).map { _ in rng.normal() }
            let c = Int32(rng.below(3))
            for j in 0..<4 { cols[j].append(x[j]) }
            codes.append(c)
            let z = 1.5 * x[0] - x[1] + 0.5 * x[0] * x[1] + (c == 2 ? 1 : 0)
            y.append(rng.uniform() < 1 / (1 + exp(-z)) ? 1 : 0)
        }
        let X = try FeatureMatrix(names: ["x0", "x1", "x2", "x3", "plan"],
                                  features: cols.map { .numeric($0) } + [.categorical(codes: codes, levels: ["a", "b", "c"])])
        return (X, y)
    }

    static func csvText(rows: Int) -> String {
        var s = "user_id,amount,plan\n"
        s.reserveCapacity(rows * 24)
        for i in 0..<rows { s += "\(i),\(Double(i % 997) / 10),\(["free", "monthly", "annual"][i % 3])\n" }
        return s
    }

    static let auc: NamedScore = ("auc", { y, p in (try? Metrics.rocAUC(y, p)) ?? .nan })

    // MARK: helpers

    /// Runs `body` under a context whose token is already cancelled and
    /// asserts it throws the token's error (not a wrapped one).
    func assertInterrupted(_ what: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) {
        let ctx = ExecutionContext()
        ctx.token.cancel(.interrupted)
        try? ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try body(), what, file: file, line: line) { e in
                XCTAssertEqual(e as? CancellationError, CancellationError(reason: .interrupted),
                               "\(what) threw \(type(of: e)): \(e)", file: file, line: line)
                XCTAssertEqual("\(e)", "interrupted", what, file: file, line: line)
            }
        }
        XCTAssertEqual(ctx.budget.charged, 0, "\(what) left memory charged", file: file, line: line)
    }

    /// Runs `body` in a context cancelled from another thread after `delay`
    /// seconds; returns how long after the cancel `body` ended, and its error.
    func stopLatency(after delay: Double, reason: CancellationReason = .interrupted,
                     _ body: () throws -> Void) -> (seconds: Double, error: Error?) {
        let ctx = ExecutionContext()
        var cancelledAt = 0.0
        let canceller = Thread {
            Thread.sleep(forTimeInterval: delay)
            cancelledAt = CancellationToken.monotonicNow()
            ctx.token.cancel(reason)
        }
        canceller.start()
        var error: Error?
        ExecutionContext.run(in: ctx) {
            do { try body() } catch let e { error = e }
        }
        let end = CancellationToken.monotonicNow()
        while cancelledAt == 0 { Thread.sleep(forTimeInterval: 0.01) }
        return (end - cancelledAt, error)
    }

    // MARK: every long operation, with a cancelled token

    /// One entry per long operation in the core; a new long operation belongs here.
    func testEveryLongOperationStopsWhenCancelled() throws {
        let (X, y) = try Self.dataset(3000)
        let gbdt = try GradientBoosting.fit(X, y, options: { var o = GradientBoostingOptions(); o.nIterations = 5; return o }())
        let sim = try simulatePlatform(SimulationOptions(users: 300, days: 120, seed: 7))
        let log = try EventLog(sim.events, amount: "amount")
        let asOf = (Int64(19_723) + 100) * DAY_US
        let frame = sim.events
        let csv = Self.csvText(rows: 20_000)

        assertInterrupted("read_csv") { _ = try CSVReader().read(text: csv) }
        assertInterrupted("simulate") { _ = try simulatePlatform(SimulationOptions(users: 2000, days: 365)) }
        assertInterrupted("features.build") { _ = try buildFeatures(log, FeatureSpec(asOf: asOf)) }
        assertInterrupted("snapshots") {
            _ = try snapshots(log, SnapshotOptions(from: asOf - 28 * DAY_US, to: asOf, spec: FeatureSpec(asOf: 0)))
        }
        // Labels as of day 60 (not censored: the horizon ends before the data does).
        assertInterrupted("labels.churn") { _ = try churnLabels(log, LabelOptions(asOf: asOf - 40 * DAY_US)) }
        assertInterrupted("sort_by") { _ = try frame.sortBy([SortKey("ts", descending: true)]) }
        assertInterrupted("join") { _ = try frame.join(sim.users, on: ["user_id"]) }
        assertInterrupted("group_by") { _ = try frame.groupBy(["user_id"]).agg([AggSpec(nil, .count, as: "n")]) }
        assertInterrupted("gbdt:fit") { _ = try GradientBoosting.fit(X, y) }
        assertInterrupted("forest:fit") { _ = try RandomForest.fit(X, y) }
        assertInterrupted("tree:fit") { _ = try DecisionTree.fit(X, y) }
        for solver in [LogisticRegression.Solver.lbfgs, .newton, .owlqn] {
            assertInterrupted("logistic:fit (\(solver))") {
                var o = LogisticRegression.Options(); o.solver = solver
                if solver == .owlqn { o.penalty = .l1 }
                _ = try LogisticRegression.fit(X, y, options: o)
            }
        }
        assertInterrupted("gbdt:predict") { _ = try gbdt.predictProba(X) }
        assertInterrupted("gbdt:explain") { _ = try gbdt.explain(X) }
        assertInterrupted("cross_validate") {
            _ = try crossValidate(fit: { try GradientBoosting.fit($0, $1, weights: $2) }, X: X, y: y, metrics: [Self.auc])
        }
        assertInterrupted("grid_search") {
            _ = try gridSearch(factory: { p in { X, y, w in
                var o = GradientBoostingOptions(); o.nIterations = p["trees"]!.intValue!
                return try GradientBoosting.fit(X, y, weights: w, options: o)
            } }, grid: ["trees": [.int(5), .int(10)]], X: X, y: y, metrics: [Self.auc])
        }
        let p = try gbdt.predictProba(X)
        assertInterrupted("metrics.bootstrap") { _ = try Metrics.bootstrap(y, p) { y, p, w in try Metrics.rocAUC(y, p, weights: w) } }
        assertInterrupted("report") { _ = try EvaluationReport(y: y, p: p).html() }
        assertInterrupted("permutation_importance") {
            _ = try permutationImportance(model: gbdt, X: X, y: y, metric: Self.auc.score)
        }
    }

    /// A failure inside a fold is wrapped ("cross-validation fold 1 failed: …");
    /// a stop is not: it ends the whole search with its own text.
    func testStopsAreNotWrappedAsFoldOrCandidateFailures() throws {
        let (X, y) = try Self.dataset(500)
        let ctx = ExecutionContext()
        let fit: FitFunction = { X, y, w in
            ctx.token.cancel(.timeLimit)
            return try GradientBoosting.fit(X, y, weights: w)
        }
        try ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try crossValidate(fit: fit, X: X, y: y, metrics: [Self.auc], parallel: false)) { e in
                XCTAssertEqual(e as? CancellationError, CancellationError(reason: .timeLimit))
            }
        }
        // An ordinary failure is still reported per fold.
        XCTAssertThrowsError(try crossValidate(fit: { _, _, _ in throw TreeModelError.invalidOption("boom") },
                                               X: X, y: y, metrics: [Self.auc])) { e in
            XCTAssertEqual("\(e)", "cross-validation fold 1 failed: boom")
        }
    }

    // MARK: latency

    /// A GBDT fit on 200k rows stops within 0.5 s of a cancel from another
    /// thread, sent 0.2 s into the boosting rounds (binning comes first and is
    /// checked per feature; in a debug build one feature's binning alone can
    /// take longer than the boosting check interval, so it is not what this measures).
    func testGBDTFitStopsWithinHalfASecond() throws {
        let (X, y) = try Self.dataset(200_000)
        var o = GradientBoostingOptions(); o.nIterations = 100_000
        let ctx = ExecutionContext()
        var cancelledAt = 0.0
        var started = false
        var error: Error?
        ExecutionContext.run(in: ctx) {
            do {
                _ = try GradientBoosting.fit(X, y, options: o, progress: { _ in
                    guard !started else { return }
                    started = true
                    Thread {
                        Thread.sleep(forTimeInterval: 0.2)
                        cancelledAt = CancellationToken.monotonicNow()
                        ctx.token.cancel(.interrupted)
                    }.start()
                })
            } catch let e { error = e }
        }
        let end = CancellationToken.monotonicNow()
        XCTAssertEqual(error as? CancellationError, CancellationError(reason: .interrupted))
        XCTAssertGreaterThan(cancelledAt, 0)
        XCTAssertLessThan(end - cancelledAt, 0.5)
    }

    /// The deadline alone (no cancel call) stops a fit, with the configured timeout in the message.
    func testDeadlineStopsForestFit() throws {
        let (X, y) = try Self.dataset(50_000)
        var o = RandomForestOptions(); o.nTrees = 100_000
        let ctx = ExecutionContext()
        ctx.token.arm(timeout: 0.3)
        let t0 = CancellationToken.monotonicNow()
        try ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try RandomForest.fit(X, y, options: o)) { e in
                XCTAssertEqual("\(e)", "time limit exceeded (0.3 s)")
            }
        }
        // A missing check would run 100,000 trees (minutes); 2 s leaves room for one
        // debug-build tree on a machine at load 20 (seen: 0.87–1.25 s there).
        XCTAssertLessThan(CancellationToken.monotonicNow() - t0, 2.0)
    }

    func testCSVReadStopsWithinHalfASecond() throws {
        let csv = Array(Self.csvText(rows: 3_000_000).utf8)   // ~70 MB, 17 chunks
        let r = stopLatency(after: 0.05) {
            // Many small chunks, so the read outlasts the delay on any machine.
            var reader = CSVReader(); reader.chunkBytes = 1 << 16
            _ = try reader.read(bytes: csv)
        }
        XCTAssertEqual(r.error as? CancellationError, CancellationError(reason: .interrupted))
        XCTAssertLessThan(r.seconds, 0.5)
    }

    // MARK: memory

    func testCSVReadFailsBeforeExceedingTheBudget() throws {
        let csv = Self.csvText(rows: 200_000)    // 200k rows × 3 columns: ≥ 4.8 MB of column storage
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 1 << 20))
        try ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try CSVReader().read(text: csv, name: "big.csv")) { e in
                XCTAssertTrue(e is MemoryLimitError, "\(e)")
                XCTAssertTrue("\(e)".hasPrefix("memory limit exceeded (1 MB) allocating reading big.csv ("), "\(e)")
            }
        }
        XCTAssertEqual(ctx.budget.charged, 0, "working memory is returned after a failure")
        // Within the limit the read succeeds and returns its working memory too.
        let roomy = ExecutionContext(budget: MemoryBudget(limit: 256 << 20))
        let f = try ExecutionContext.run(in: roomy) { try CSVReader().read(text: csv).frame }
        XCTAssertEqual(f.nrow, 200_000)
        XCTAssertEqual(roomy.budget.charged, 0)
    }

    func testModelFitsChargeWorkingMemoryAndReturnIt() throws {
        let (X, y) = try Self.dataset(20_000)
        // GBDT: binned data alone is 2 · 20000 · 5 = 200 kB; row buffers 20000 · 37 = 740 kB.
        let small = ExecutionContext(budget: MemoryBudget(limit: 512 << 10))
        try ExecutionContext.run(in: small) {
            XCTAssertThrowsError(try GradientBoosting.fit(X, y)) { e in
                XCTAssertTrue("\(e)".hasPrefix("memory limit exceeded (0 MB) allocating gradient boosting row buffers"), "\(e)")
            }
            XCTAssertThrowsError(try RandomForest.fit(X, y)) { e in XCTAssertTrue(e is MemoryLimitError, "\(e)") }
            XCTAssertThrowsError(try LogisticRegression.fit(X, y)) { e in
                XCTAssertTrue("\(e)".contains("logistic regression design matrix 20000×6"), "\(e)")
            }
        }
        XCTAssertEqual(small.budget.charged, 0)
        let roomy = ExecutionContext(budget: MemoryBudget(limit: 512 << 20))
        try ExecutionContext.run(in: roomy) {
            var o = GradientBoostingOptions(); o.nIterations = 3
            _ = try GradientBoosting.fit(X, y, options: o)
            _ = try RandomForest.fit(X, y, options: { var f = RandomForestOptions(); f.nTrees = 3; return f }())
        }
        XCTAssertEqual(roomy.budget.charged, 0)
    }

    /// A many-to-many join is sized before it is built: 2000 × 2000 rows on one key = 4M output rows.
    func testExplodingJoinFailsBeforeAllocating() throws {
        let left = try Frame([Column(name: "k", data: .int64([Int64](repeating: 1, count: 2000)))])
        let right = try Frame([Column(name: "k", data: .int64([Int64](repeating: 1, count: 2000))),
                               Column(name: "v", data: .float64([Double](repeating: 0, count: 2000)))])
        let ctx = ExecutionContext(budget: MemoryBudget(limit: 16 << 20))
        try ExecutionContext.run(in: ctx) {
            XCTAssertThrowsError(try left.join(right, on: ["k"])) { e in
                // 4,000,000 rows × (16 + 8 · 3) bytes = 152.6 MB.
                XCTAssertEqual("\(e)", "memory limit exceeded (16 MB) allocating join of 4000000 rows (153 MB)")
            }
            XCTAssertThrowsError(try Frame.concat([Frame](repeating: right, count: 2000))) { e in
                XCTAssertTrue(e is MemoryLimitError, "\(e)")
            }
            // 4000 distinct index values × 4000 distinct column values from 4000 rows: 16M cells.
            let long = try! Frame([Column(name: "i", data: .int64((0..<4000).map { Int64($0) })),
                                   Column(name: "c", data: .int64((0..<4000).map { Int64($0) })),
                                   Column(name: "v", data: .float64([Double](repeating: 1, count: 4000)))])
            XCTAssertThrowsError(try long.pivot(index: "i", columns: "c", values: "v")) { e in
                XCTAssertEqual("\(e)", "memory limit exceeded (16 MB) allocating pivot 4000×4000 (244 MB)")
            }
        }
    }

    func testStorageBytes() throws {
        let f = try Frame([
            Column(name: "a", data: .float64([1, 2, 3])),
            Column(name: "s", data: .string(codes: [0, 1, 0], dictionary: ["x", "yz"]), validity: Validity([true, false, true])),
            Column(name: "d", data: .date([1, 2, 3])),
        ])
        // 3·8 + (3·4 + (1+16) + (2+16) + 1 validity word · 8) + 3·4
        XCTAssertEqual(f.storageBytes, 24 + (12 + 17 + 18 + 8) + 12)
    }

    // MARK: Parallel

    func testForEachThrowingReportsTheFirstErrorByIndexAndSkipsTheRest() throws {
        struct E: Error, Equatable { let i: Int }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for threads in [1, 4] {
            Parallel.threads = threads
            XCTAssertThrowsError(try Parallel.forEachThrowing(64) { i in if i == 7 || i == 40 { throw E(i: i) } }) { e in
                XCTAssertEqual(e as? E, E(i: 7))
            }
            let ctx = ExecutionContext()
            ctx.token.cancel(.interrupted)
            var ran = 0
            try? ExecutionContext.run(in: ctx) {
                XCTAssertThrowsError(try Parallel.forEachThrowing(64) { _ in ran += 1 }) { e in
                    XCTAssertEqual(e as? CancellationError, CancellationError(reason: .interrupted))
                }
            }
            XCTAssertEqual(ran, 0, "no iteration starts once cancelled")
        }
    }
}

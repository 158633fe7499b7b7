import CLua
import CLuaBridge
import ChurnCore
import Foundation
import LuaRuntime

/// `cl.model.cross_validate`, `grid_search`, `random_search`,
/// `permutation_importance`. Metrics are names of built-in metrics ("auc",
/// "log_loss", …: computed in Swift, so folds run in parallel), names of other
/// `cl.metrics` functions, or Lua functions `f(y, p) -> number` (columns in);
/// with any Lua metric, folds and features run one at a time (each fit still
/// uses every core).
enum SelectionModule {
    /// The model argument: any `cl.Model` (its options are refitted per fold).
    static func spec(_ c: LuaCall, _ i: Int32) throws -> ModelObject {
        guard c.isObject(i, ModelObject.self) else {
            throw LuaArgumentError(i, "model expected (e.g. cl.model.logistic{...}), got \(c.typeName(i))")
        }
        return try c.object(i, ModelObject.self)
    }

    /// Holder for the first error raised inside a metric (metrics may run on
    /// several threads when they are all built-in).
    final class Failure: @unchecked Sendable {
        private let lock = NSLock()
        private var first: Error?
        var error: Error? { lock.lock(); defer { lock.unlock() }; return first }
        func record(_ e: Error) { lock.lock(); if first == nil { first = e }; lock.unlock() }
    }

    /// Resolved metrics and whether they may run concurrently (no Lua involved).
    struct Scores { let list: [NamedScore]; let parallel: Bool }

    /// Metrics where a smaller value is better; `higher_is_better` defaults to
    /// false when ranking by one of these.
    static let lowerIsBetter: Set<String> = Set(["log_loss", "brier"]).union(TargetScores.lowerIsBetter)
    /// The metric used when none is given.
    static let defaultMetric = "auc"

    /// Resolves the `metrics` option (array of names / functions, or name = function
    /// records) to score closures that call Lua. Functions stay on the Lua stack
    /// for the duration of the call.
    /// `kind`: the target the model fits; it sets the default metrics (auc; rmse, mae, r2; accuracy)
    /// and which names are built in (`TargetScores` for regression and multiclass).
    static func metrics(_ c: LuaCall, _ o: LuaTable, key: String = "metrics", argument: Int32,
                        failure: Failure, kind: TargetKind = .binary) throws -> Scores {
        let L = c.L
        try c.reserve(16)
        func text(_ i: Int32) -> String? { if case .string(let s) = c.value(lua_absindex(L, i)) { return s }; return nil }
        let t = o.push(key)
        var entries: [(String, Int32)] = []
        if t == LUA_TNIL {
            // No metrics given: ROC AUC, the usual churn-model score (scikit-learn's
            // cross_validate defaults to the estimator's score; ours is a classifier of risk).
            lua_settop(L, -2)
            for name in TargetScores.defaults(for: kind) {
                try c.reserve(8)
                c.state.push(name)
                entries.append((name, lua_absindex(L, -1)))
            }
        } else if t == LUA_TSTRING || t == LUA_TFUNCTION {
            entries.append((text(-1) ?? key, lua_absindex(L, -1)))
        } else if t == LUA_TTABLE, let sub = try o.table(key) {
            let tab = lua_absindex(L, -1)
            for i in 0..<sub.length {
                try c.reserve(8)
                lua_rawgeti(L, tab, lua_Integer(i + 1))
                entries.append((text(-1) ?? "metric\(i + 1)", lua_absindex(L, -1)))
            }
            for name in sub.stringKeys.sorted() {
                try c.reserve(8)
                _ = sub.push(name)
                entries.append((name, lua_absindex(L, -1)))
            }
        } else {
            throw LuaArgumentError(argument, "field '\(key)' is required: metric names (cl.metrics functions) or functions f(y, p)")
        }
        guard !entries.isEmpty else { throw LuaArgumentError(argument, "field '\(key)' lists no metrics") }
        var scores: [NamedScore] = []
        var allBuiltIn = true
        for (name, idx) in entries {
            var fn = idx
            if lua_type(L, idx) == LUA_TSTRING, kind != .binary {
                // Regression and multiclass scores: built in (model output is a value or a class code).
                guard let score = TargetScores.named(name, for: kind) else {
                    throw LuaArgumentError(argument, "metric '\(name)' is not for a \(kind.rawValue) target; built in: \(TargetScores.names(for: kind).joined(separator: ", ")) — or pass a function f(y, p)")
                }
                scores.append((name, { y, p in
                    do { return try score(y, p, nil) } catch { failure.record(error); return .nan }
                }))
                continue
            }
            if lua_type(L, idx) == LUA_TSTRING {
                // A built-in metric runs in Swift (and may run in parallel) …
                if let builtIn = try? MetricsModule.namedMetric(name) {
                    scores.append((name, { y, p in
                        do { return try builtIn(y, p, nil) } catch { failure.record(error); return .nan }
                    }))
                    continue
                }
                // … otherwise cl.metrics[name], looked up raw through package.loaded.churnlab.
                c.state.pushRegistryField("_LOADED")
                c.state.push("churnlab"); lua_rawget(L, -2)
                var found = false
                if lua_type(L, -1) == LUA_TTABLE {
                    c.state.push("metrics"); lua_rawget(L, -2)
                    if lua_type(L, -1) == LUA_TTABLE {
                        c.state.push(name); lua_rawget(L, -2)
                        found = lua_type(L, -1) == LUA_TFUNCTION
                    }
                }
                guard found else { throw LuaArgumentError(argument, "metric '\(name)' is not a cl.metrics function; pass a function f(y, p) instead") }
                fn = lua_absindex(L, -1)
            } else if lua_type(L, idx) != LUA_TFUNCTION {
                throw LuaArgumentError(argument, "metric '\(name)' must be a name or a function, got \(c.typeName(idx))")
            }
            allBuiltIn = false
            let f = fn
            let owner = pthread_self()
            scores.append((name, { y, p in
                if failure.error != nil { return .nan }
                // Lua is single-threaded: refuse (rather than corrupt the state) if a
                // caller ever runs this metric off the thread that owns the Lua state.
                guard pthread_equal(owner, pthread_self()) != 0 else {
                    failure.record(LuaScriptError("internal error: Lua metric '\(name)' called from another thread"))
                    return .nan
                }
                guard lua_checkstack(L, 4) != 0 else { failure.record(LuaScriptError("Lua stack overflow in metric '\(name)'")); return .nan }
                lua_pushvalue(L, f)
                c.push(column: .float("y", y)); c.push(column: .float("p", p))
                do { try c.pcall(nargs: 2, nresults: 1) } catch { failure.record(error); return .nan }
                defer { lua_settop(L, -2) }
                guard lua_type(L, -1) == LUA_TNUMBER else {
                    failure.record(LuaScriptError("metric '\(name)' must return a number, got \(c.typeName(lua_absindex(L, -1)))"))
                    return .nan
                }
                return clb_tonumber(L, -1, nil)
            }))
        }
        return Scores(list: scores, parallel: allBuiltIn)
    }

    /// Runs `body`, then rethrows an error raised inside a metric callback.
    static func withMetrics<T>(_ c: LuaCall, _ failure: Failure, _ body: () throws -> T) throws -> T {
        let result = try c.core(body)
        if let e = failure.error { throw e }
        return result
    }

    static func searchValue(_ v: LuaValue, key: String) throws -> ParamValue {
        switch v {
        case .bool(let b): return .bool(b)
        case .integer(let i): return .int(Int(i))
        case .number(let d): return .double(d)
        case .string(let s): return .string(s)
        case .nil: throw LuaScriptError("parameter '\(key)' has a nil value")
        default: throw LuaScriptError("parameter '\(key)' must be a number, string or boolean, got \(v)")
        }
    }

    static let commonKeys = FitInputs.keys.union(["k", "stratify", "metrics", "seed", "folds", "groups", "time", "gap", "threads"])
    static let foldHelp = "Folds: stratified k-fold (k, stratify, seed), or folds = 'col' (one fold per value of a column), " +
        "groups = 'col' (group k-fold: a group never in two folds, as scikit-learn's GroupKFold), or time = 'col' " +
        "(expanding-window time-series folds as TimeSeriesSplit; gap = n rows, or gap = '30d' to train only on rows " +
        "at least 30 days before each test block: the label horizon). With prep =, the pipeline is fitted on each fold's training rows. " +
        "threads 1…1024 limits the parallel folds and fits."

    /// The folds the options ask for (nil: stratified k-fold from k, stratify, seed).
    static func splits(_ c: LuaCall, _ o: LuaTable, frame: Frame, k: Int, argument: Int32 = 3) throws -> [CVSplit]? {
        let given = ["folds", "groups", "time"].filter { o.has($0) }
        guard given.count <= 1 else { throw LuaArgumentError(argument, "give one of 'folds', 'groups' and 'time', not \(given.joined(separator: " and "))") }
        if o.has("gap") && !o.has("time") { throw LuaArgumentError(argument, "field 'gap' needs time = 'column' (time-series folds)") }
        if let name = try o.string("folds") {
            if o.has("k") { throw LuaArgumentError(argument, "field 'k': supplied folds = '\(name)' set the number of folds") }
            return try c.core { try CVSplits.predefined(try frame.column(name)) }
        }
        if let name = try o.string("groups") {
            return try c.core { try CVSplits.groupKFold(try frame.column(name), k: k) }
        }
        if let name = try o.string("time") {
            let col = try c.core { try frame.column(name) }
            guard let times = col.toDoubles() else { throw LuaArgumentError(argument, "field 'time': column '\(name)' must be a date, timestamp or number, got \(col.dtype)") }
            var gap = CVSplits.Gap.rows(0)
            if case .string(let text) = o.value("gap") {
                guard text.hasSuffix("d"), let days = Int(text.dropLast()), (0...OptionLimits.days).contains(days) else {
                    throw LuaArgumentError(argument, "field 'gap': rows (an integer) or days as '30d' (0…\(OptionLimits.days) days) expected, got '\(text)'")
                }
                guard col.dtype == .date || col.dtype == .timestamp else {
                    throw LuaArgumentError(argument, "field 'gap': a gap in days needs a date or timestamp time column; '\(name)' is \(col.dtype)")
                }
                gap = .time(Double(days) * (col.dtype == .timestamp ? 86_400_000_000 : 1))
            } else if let rows = try o.integer("gap", in: OptionRange.size) {
                gap = .rows(rows)
            }
            return try c.core { try CVSplits.timeSeries(times: times, k: k, gap: gap) }
        }
        return nil
    }

    /// `stratify` (default: by class for classifiers, off for regression, where it is refused).
    static func stratified(_ o: LuaTable, _ kind: TargetKind) throws -> Bool {
        let s = try o.bool("stratify")
        if s == true && kind == .continuous {
            throw LuaArgumentError(3, "field 'stratify': folds are stratified by class; this model's target is continuous (regression)")
        }
        return s ?? (kind != .continuous)
    }

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("model") { m in
            m.function("cross_validate", "model.cross_validate(model, frame, {target =, k = 5, stratify = true, metrics = 'auc', seed =, features =, weight =, prep =, folds = | groups = | time =, gap =, threads =})",
                       "Cross-validation of a model's settings (any kind). Returns a frame (one row per fold) and a table {mean = {...}, std = {...}} by metric. Metrics: cl.metrics names or functions f(y, p); default 'auc'. Regression models (gbdt objective = 'regression'): rmse, mae, r2, mse (default rmse, mae, r2; p is the predicted value; folds not stratified); multiclass: accuracy (default; y and p are class codes 0…K-1 in sorted label order). k 2…100000, seed >= 0. " + foldHelp) { c in
                let spec = try spec(c, 1)
                let frame = try c.frame(2)
                let o = try c.options(3)
                try o.checkKeys(commonKeys)
                let base = try c.core { try spec.spec(overriding: [:]) }
                let inputs = try FitInputs(c, frame: frame, options: o, argument: 3, kind: base.targetKind)
                let failure = Failure()
                let (fit, scores) = try inputs.survival.map { try SurvivalInputs.selection(c, o, argument: 3, y: $0, spec: base) }
                    ?? (base.fitFunction, try metrics(c, o, argument: 3, failure: failure, kind: base.targetKind))
                let k = try o.integer("k", in: OptionRange.folds) ?? 5
                let stratify = try stratified(o, base.targetKind)
                let seed = try o.seed()
                let splits = try splits(c, o, frame: frame, k: k) ?? SurvivalInputs.kFold(c, inputs, k: k, stratify: stratify, seed: seed)
                let threads = try o.integer("threads", in: ModelOptions.threads)
                let cv = try withMetrics(c, failure) {
                    try Parallel.withThreads(threads) {
                        try crossValidate(fit: fit, X: inputs.X, y: inputs.target.y, weights: inputs.weights, k: k,
                                          stratify: stratify, metrics: scores.list, seed: seed, parallel: scores.parallel,
                                          splits: splits, foldData: inputs.foldData)
                    }
                }
                c.push(frame: try c.core { try cv.frame() })
                let summary = c.newTable(record: 2)
                let mean = c.newTable(record: cv.metricNames.count)
                for (j, n) in cv.metricNames.enumerated() { mean.set(n, cv.mean[j]) }
                summary.setTop("mean")
                let std = c.newTable(record: cv.metricNames.count)
                for (j, n) in cv.metricNames.enumerated() { std.set(n, cv.std[j]) }
                summary.setTop("std")
                return 2
            }

            m.function("folds", "model.folds(frame, {k = 5, target =, stratify = true, seed =} | {folds = 'col'} | {groups = 'col', k =} | {time = 'col', k =, gap =})",
                       "The train/test rows (1-based) each cross-validation fold uses, as an array of {train = {...}, test = {...}} — the same splits cross_validate and the searches make from these options (scikit-learn's split()). " + foldHelp) { c in
                let frame = try c.frame(1)
                let o = try c.options(2)
                try o.checkKeys(["k", "target", "positive", "stratify", "seed", "folds", "groups", "time", "gap"])
                let k = try o.integer("k", in: OptionRange.folds) ?? 5
                var plan = try splits(c, o, frame: frame, k: k, argument: 2)
                if plan == nil {
                    let stratify = try o.bool("stratify") ?? o.has("target")
                    guard !stratify || o.has("target") else { throw LuaArgumentError(2, "field 'target' is required to stratify (or set stratify = false)") }
                    let y = try c.core { () -> [Double] in
                        guard let t = try o.string("target") else { return [Double](repeating: 0, count: frame.nrow) }
                        return try BinaryTarget(column: frame.column(t), positive: o.string("positive")).y
                    }
                    plan = try c.core { try CVSplits.kFold(y: y, k: k, stratify: stratify, seed: try o.seed()) }
                }
                let out = c.newTable(array: plan!.count)
                for (f, split) in plan!.enumerated() {
                    let t = c.newTable(record: 2)
                    c.pushArray(split.train.map { Double($0 + 1) }); t.setTop("train")
                    c.pushArray(split.test.map { Double($0 + 1) }); t.setTop("test")
                    out.setTop(f + 1)
                }
                return 1
            }

            m.function("grid_search", "model.grid_search(model, frame, {grid = {C = {0.1, 1}, ...}, target =, k =, metrics = 'auc', rank_by =, higher_is_better = true, seed =, refit = true, folds = | groups = | time =, gap =, threads =})",
                       "Cross-validates every combination of the grid (parameters override the model's). Returns a results frame (parameters, mean_/std_ per metric, rank), the best parameters as a table and (refit = true) the model with the best parameters fitted on the whole frame, as scikit-learn's best_estimator_. k 2…100000, seed >= 0. " + foldHelp) { c in
                let spec = try spec(c, 1)
                let frame = try c.frame(2)
                let o = try c.options(3)
                try o.checkKeys(commonKeys.union(["grid", "rank_by", "higher_is_better", "refit"]))
                guard let g = try o.table("grid") else { throw LuaArgumentError(3, "field 'grid' is required: {param = {values...}}") }
                var grid: [String: [ParamValue]] = [:]
                for key in g.stringKeys {
                    guard let values = try g.table(key) else { throw LuaArgumentError(3, "field 'grid.\(key)' must be an array of values") }
                    grid[key] = try values.arrayValues().map { try searchValue($0, key: key) }
                }
                return try runSearch(c, spec: spec, frame: frame, o: o) { factory, X, y, w, k, stratify, scores, rankBy, hib, seed, splits, foldData in
                    try gridSearch(factory: factory, grid: grid, X: X, y: y, weights: w, k: k, stratify: stratify,
                                   metrics: scores.list, rankBy: rankBy, higherIsBetter: hib, seed: seed, parallel: scores.parallel,
                                   splits: splits, foldData: foldData)
                }
            }

            m.function("random_search", "model.random_search(model, frame, {space = {C = {log_uniform = {0.01, 10}}, penalty = {'l1', 'l2'}}, n_iter = 10, target =, k =, metrics = 'auc', seed =, refit = true, folds = | groups = | time =, gap =, threads =})",
                       "Cross-validates n_iter parameter sets drawn (seeded) from `space`: an array is a choice; {uniform = {a, b}}, {log_uniform = {a, b}} or {int = {a, b}} are ranges (finite bounds; int bounds whole numbers within ±2^31). n_iter 1…100000, k 2…100000, seed >= 0. Returns a results frame, the best parameters and (refit = true) the best model refitted on the whole frame. " + foldHelp) { c in
                let spec = try spec(c, 1)
                let frame = try c.frame(2)
                let o = try c.options(3)
                try o.checkKeys(commonKeys.union(["space", "n_iter", "rank_by", "higher_is_better", "refit"]))
                guard let sp = try o.table("space") else { throw LuaArgumentError(3, "field 'space' is required") }
                var space: [String: ParamDistribution] = [:]
                for key in sp.stringKeys {
                    guard let d = try sp.table(key) else { throw LuaArgumentError(3, "field 'space.\(key)' must be a table") }
                    // {low, high}: finite numbers (int ranges: whole numbers within ±2^31; NaN and ±maxinteger used to trap).
                    func range(_ name: String) throws -> [Double]? {
                        guard let r = try d.table(name)?.arrayOfNumbers() else { return nil }
                        guard r.count == 2 else { throw LuaArgumentError(3, "field 'space.\(key).\(name)' must be {low, high}") }
                        for x in r where !NumberRange.finite.contains(x) {
                            throw LuaArgumentError(3, "field 'space.\(key).\(name)': bounds must be finite numbers, got \(LuaValue.format(x))")
                        }
                        return r
                    }
                    func whole(_ x: Double) throws -> Int {
                        guard let i = NumericOption.integer(.number(x), in: -OptionLimits.size...OptionLimits.size) else {
                            throw LuaArgumentError(3, "field 'space.\(key).int': bounds must be integers in ±\(OptionLimits.size), got \(LuaValue.format(x))")
                        }
                        return i
                    }
                    if let r = try range("uniform") { space[key] = .uniform(r[0], r[1]) }
                    else if let r = try range("log_uniform") { space[key] = .logUniform(r[0], r[1]) }
                    else if let r = try range("int") { space[key] = .intRange(try whole(r[0]), try whole(r[1])) }
                    else if d.length > 0 { space[key] = .choice(try d.arrayValues().map { try searchValue($0, key: key) }) }
                    else { throw LuaArgumentError(3, "field 'space.\(key)': an array of choices or {uniform|log_uniform|int = {low, high}}") }
                }
                let nIter = try o.integer("n_iter", in: OptionRange.bins) ?? 10
                return try runSearch(c, spec: spec, frame: frame, o: o) { factory, X, y, w, k, stratify, scores, rankBy, hib, seed, splits, foldData in
                    try randomSearch(factory: factory, space: space, nIter: nIter, X: X, y: y, weights: w, k: k,
                                     stratify: stratify, metrics: scores.list, rankBy: rankBy, higherIsBetter: hib, seed: seed,
                                     parallel: scores.parallel, splits: splits, foldData: foldData)
                }
            }

            m.function("permutation_importance", "model.permutation_importance(fitted_model, frame, {target =, metric =, repeats = 5, seed =, higher_is_better = true})",
                       "How much the metric drops when each feature is shuffled (default metric: auc; rmse for regression, accuracy for multiclass models). Returns a frame feature, mean, std sorted by importance. repeats 1…1000000, seed >= 0.") { c in
                let m = try spec(c, 1)
                let (model, meta) = try m.fitted("permutation_importance")
                let frame = try c.frame(2)
                let o = try c.options(3)
                try o.checkKeys(["target", "positive", "metric", "repeats", "seed", "higher_is_better", "duration", "event"])
                if let imp = try SurvivalInputs.importance(c, model, meta, frame: frame, options: o) { return try pushImportance(c, imp) }
                guard let target = try o.string("target") ?? meta.target else { throw LuaArgumentError(3, "field 'target' is required") }
                let failure = Failure()
                let kind = meta.targetKind
                let scores = try metrics(c, o, key: "metric", argument: 3, failure: failure, kind: kind)
                let metric = scores.list[0]
                if kind != .binary && o.has("positive") { throw LuaArgumentError(3, "field 'positive' is for binary models; this one is \(kind.rawValue)") }
                let positive = try o.string("positive") ?? meta.positiveLabel
                let repeats = try o.integer("repeats", in: OptionRange.resamples) ?? 5
                let seed = try o.seed()
                let hib = try o.bool("higher_is_better") ?? !lowerIsBetter.contains(metric.name)
                let imp = try withMetrics(c, failure) { () -> PermutationImportance in
                    let column = try frame.column(target)
                    let y: [Double]
                    switch kind {
                    case .binary: y = try BinaryTarget(column: column, positive: positive).y
                    case .continuous: y = try ModelTarget(column: column, kind: .continuous).y
                    case .multiclass: y = try ModelTarget(column: column, like: ModelTarget(classes: meta.classes)).y
                    }
                    let X = try model.features(from: frame, metadata: meta)
                    return try permutationImportance(model: model, X: X, y: y, metric: metric.score, repeats: repeats,
                                                     seed: seed, higherIsBetter: hib, parallel: scores.parallel)
                }
                return try pushImportance(c, imp)
            }
        }
    }

    /// The importance frame: feature, mean, std, most important first.
    static func pushImportance(_ c: LuaCall, _ imp: PermutationImportance) throws -> Int32 {
        let order = imp.ranking
        return c.push(frame: try c.core { try Frame([
            .string("feature", order.map { imp.featureNames[$0] }),
            .float("mean", order.map { imp.mean[$0] }), .float("std", order.map { imp.std[$0] }),
        ]) })
    }

    typealias SearchRunner = (ModelFactory, FeatureMatrix, [Double], [Double]?, Int, Bool, Scores, String?, Bool, UInt64,
                              [CVSplit]?, FoldData?) throws -> SearchResult

    static func runSearch(_ c: LuaCall, spec: ModelObject, frame: Frame, o: LuaTable, _ run: SearchRunner) throws -> Int32 {
        let kind = try c.core { try spec.spec(overriding: [:]).targetKind }
        let inputs = try FitInputs(c, frame: frame, options: o, argument: 3, kind: kind)
        let failure = Failure()
        let modelSpec = try c.core { try spec.spec(overriding: [:]) }
        let scores = try inputs.survival.map { try SurvivalInputs.selection(c, o, argument: 3, y: $0, spec: modelSpec).scores }
            ?? metrics(c, o, argument: 3, failure: failure, kind: kind)
        let k = try o.integer("k", in: OptionRange.folds) ?? 5
        let stratify = try stratified(o, kind)
        let seed = try o.seed()
        let rankBy = try o.string("rank_by")
        let hib = try o.bool("higher_is_better") ?? !lowerIsBetter.contains(rankBy ?? scores.list[0].name)
        let splits = try splits(c, o, frame: frame, k: k) ?? SurvivalInputs.kFold(c, inputs, k: k, stratify: stratify, seed: seed)
        let threads = try o.integer("threads", in: ModelOptions.threads)
        let refit = try o.bool("refit") ?? true
        let res = try withMetrics(c, failure) {
            try Parallel.withThreads(threads) {
                try run({ params in
                    // The target was coded once, for the base model's kind: a candidate that
                    // fits another kind (e.g. a grid over `objective`) would read it wrongly.
                    let candidate = try spec.spec(overriding: params)
                    guard candidate.targetKind == kind else {
                        throw SelectionError.invalid("the grid changes the target kind (\(kind.rawValue) → \(candidate.targetKind.rawValue), e.g. through 'objective'); "
                                                     + "the target is coded once per search, so search one target kind at a time")
                    }
                    return try SurvivalInputs.fitFunction(candidate, inputs)
                }, inputs.X, inputs.target.y, inputs.weights, k, stratify,
                        scores, rankBy, hib, seed, splits, inputs.foldData)
            }
        }
        // The best model refitted on every row (its pipeline too), before anything is pushed.
        var best: ModelObject? = nil
        if refit {
            let m = ModelObject(kind: spec.kind)
            m.given = spec.given
            m.inherited = spec.inherited
            for (key, v) in res.best.params { m.given[key] = v.luaValue }
            m.spec = try c.core { try spec.spec(overriding: res.best.params) }
            m.verbose = 0
            let fitted = try c.core {
                try Parallel.withThreads(threads) { try SurvivalInputs.fit(m.spec!, inputs) }
            }
            m.fitted = fitted
            m.metadata = try inputs.metadata(for: fitted)
            best = m
        }
        c.push(frame: try c.core { try res.frame() })
        let table = c.newTable(record: res.best.params.count)
        for (key, v) in res.best.params {
            switch v {
            case .int(let i): table.set(key, i)
            case .double(let d): table.set(key, d)
            case .string(let s): table.set(key, s)
            case .bool(let b): table.set(key, b)
            }
        }
        guard let best else { return 2 }
        c.push(object: best)
        return 3
    }
}

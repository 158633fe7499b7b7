import CLua
import ChurnCore
import LuaRuntime

/// A k-means model (`cl.KMeans`) from `cl.cluster.kmeans{...}`: `:fit`, `:predict`,
/// `:fit_predict`; fields `inertia`, `centers`, `labels`, `n_iter` after fit.
/// Also made by `cl.cluster.minibatch_kmeans{...}` (same methods and fields).
public final class KMeansObject: LuaObject {
    public static let luaTypeName = "cl.KMeans"
    enum Spec { case full(KMeansOptions), minibatch(MiniBatchKMeansOptions) }
    let spec: Spec
    var model: KMeansModel?
    init(_ s: Spec) { spec = s }
    var k: Int {
        switch spec { case .full(let o): return o.k; case .minibatch(let o): return o.k }
    }
    func fit(_ d: ClusterData) throws -> KMeansModel {
        switch spec {
        case .full(let o): return try KMeans.fit(d, o)
        case .minibatch(let o): return try MiniBatchKMeans.fit(d, o)
        }
    }
}

/// A PCA (`cl.PCA`) from `cl.decomp.pca{...}`: `:fit`, `:transform`, `:fit_transform`.
public final class PCAObject: LuaObject {
    public static let luaTypeName = "cl.PCA"
    let nComponents: Int
    var model: PCAModel?
    init(_ n: Int) { nComponents = n }
}

/// `cl.cluster` (k-means, silhouette, choose_k) and `cl.decomp` (PCA).
/// Cluster labels are 1-based in Lua (1…k), 0-based in the core.
enum ClusterModule {
    /// The `features` option of :fit / :predict / silhouette (default: all numeric columns).
    static func data(_ c: LuaCall, frame i: Int32, opts: Int32, fitted: [String]? = nil) throws -> ClusterData {
        let f = try c.frame(i)
        var features = fitted
        if !c.isNoneOrNil(opts) {
            let o = try c.options(opts)
            try o.checkKeys(["features"])
            features = try o.strings("features") ?? fitted
        }
        return try c.core { try ClusterData(frame: f, features: features) }
    }

    static func labelsColumn(_ labels: [Int32]) -> Column {
        Column(name: "cluster", data: .int64(labels.map { Int64($0) + 1 }))
    }

    static func fitted(_ c: LuaCall) throws -> (KMeansObject, KMeansModel) {
        let o = try c.object(1, KMeansObject.self)
        guard let m = o.model else { throw LuaScriptError("this cl.KMeans is not fitted: call :fit(df) first") }
        return (o, m)
    }

    static func centersFrame(_ m: KMeansModel) throws -> Frame {
        var cols = [Column(name: "cluster", data: .int64((1...m.k).map { Int64($0) }))]
        for (j, name) in m.features.enumerated() {
            cols.append(Column(name: name, data: .float64((0..<m.k).map { m.centers[$0 * m.d + j] })))
        }
        return try Frame(cols)
    }

    static func register(_ cl: ModuleBuilder) {
        PersonasModule.register(cl)
        cl.state.register(KMeansObject.self, LuaClass(methods: [
            "fit": { c in
                let o = try c.object(1, KMeansObject.self)
                let d = try data(c, frame: 2, opts: 3)
                o.model = try c.core { try o.fit(d) }
                lua_settop(c.L, 1)
                return 1
            },
            "fit_predict": { c in
                let o = try c.object(1, KMeansObject.self)
                let d = try data(c, frame: 2, opts: 3)
                let m = try c.core { try o.fit(d) }
                o.model = m
                return c.push(column: labelsColumn(m.labels))
            },
            "predict": { c in
                let (_, m) = try fitted(c)
                let d = try data(c, frame: 2, opts: 3, fitted: m.features)
                return c.push(column: labelsColumn(try c.core { try m.predict(d) }.labels))
            },
            "score": { c in
                let (_, m) = try fitted(c)
                let d = try data(c, frame: 2, opts: 3, fitted: m.features)
                return c.push(-(try c.core { try m.predict(d) }.inertia))
            },
        ], metamethods: [
            "__tostring": { c in
                let o = try c.object(1, KMeansObject.self)
                if let m = o.model { return c.push("<cl.KMeans k=\(m.k) inertia=\(m.inertia) n_iter=\(m.nIter)>") }
                return c.push("<cl.KMeans k=\(o.k) (not fitted)>")
            },
        ], index: { c in
            let key = try c.string(2)
            let (_, m) = try fitted(c)
            switch key {
            case "inertia": return c.push(m.inertia)
            case "n_iter": return c.push(m.nIter)
            case "k": return c.push(m.k)
            case "labels": return c.push(column: labelsColumn(m.labels))
            case "centers": return c.push(frame: try c.core { try centersFrame(m) })
            case "features": return c.pushArray(m.features)
            default: return c.pushNil()
            }
        }))

        cl.state.register(PCAObject.self, LuaClass(methods: [
            "fit": { c in
                let o = try c.object(1, PCAObject.self)
                let d = try data(c, frame: 2, opts: 3)
                o.model = try c.core { try PCAModel.fit(d, nComponents: o.nComponents) }
                lua_settop(c.L, 1)
                return 1
            },
            "transform": { c in
                let o = try c.object(1, PCAObject.self)
                guard let m = o.model else { throw LuaScriptError("this cl.PCA is not fitted: call :fit(df) first") }
                let d = try data(c, frame: 2, opts: 3, fitted: m.features)
                return c.push(frame: try c.core { try scores(m, d) })
            },
            "fit_transform": { c in
                let o = try c.object(1, PCAObject.self)
                let d = try data(c, frame: 2, opts: 3)
                let m = try c.core { try PCAModel.fit(d, nComponents: o.nComponents) }
                o.model = m
                return c.push(frame: try c.core { try scores(m, d) })
            },
        ], metamethods: [
            "__tostring": { c in
                let o = try c.object(1, PCAObject.self)
                return c.push("<cl.PCA n_components=\(o.nComponents)\(o.model == nil ? " (not fitted)" : "")>")
            },
        ], index: { c in
            let key = try c.string(2)
            let o = try c.object(1, PCAObject.self)
            guard let m = o.model else { throw LuaScriptError("this cl.PCA is not fitted: call :fit(df) first") }
            switch key {
            case "explained_variance": return c.pushArray(m.explainedVariance)
            case "explained_variance_ratio": return c.pushArray(m.explainedVarianceRatio)
            case "mean": return c.pushArray(m.mean)
            case "features": return c.pushArray(m.features)
            case "components":
                var cols = [Column(name: "component", data: .int64((1...m.nComponents).map { Int64($0) }))]
                let d = m.mean.count
                for (j, name) in m.features.enumerated() {
                    cols.append(Column(name: name, data: .float64((0..<m.nComponents).map { m.components[$0 * d + j] })))
                }
                return c.push(frame: try c.core { try Frame(cols) })
            default: return c.pushNil()
            }
        }))

        cl.submodule("cluster", "Clustering: k-means (scikit-learn semantics), silhouette, choosing k.") { m in
            m.function("kmeans", "cluster.kmeans{k =, init = 'k-means++'|'random'|centers, n_init =, max_iter = 300, tol = 1e-4, seed =, algorithm = 'lloyd'|'elkan'}",
                       "A k-means model (cl.KMeans): k in 1…100000; init a method or a k × d array of starting centres; n_init runs (1…1000, default 1 for k-means++, 10 for random), the lowest inertia wins; max_iter 1…100000; tol ≥ 0 relative to the mean feature variance. algorithm 'elkan' gives the same result with fewer distance computations (triangle inequality). Same inertia as scikit-learn from the same initial centres. Fit with :fit(df, {features =}); labels are 1…k.") { c in
                let o = try c.options(1)
                try o.checkKeys(["k", "init", "n_init", "max_iter", "tol", "seed", "algorithm"])
                guard let k = try o.integer("k", in: OptionRange.bins) else { throw LuaArgumentError(1, "kmeans needs k (the number of clusters)") }
                var opts = KMeansOptions(k: k)
                if o.has("init") {
                    let type = o.push("init")
                    defer { lua_settop(c.L, -2) }
                    let idx = lua_absindex(c.L, -1)
                    if type == LUA_TTABLE {
                        let rows = Int(lua_rawlen(c.L, idx))
                        guard rows == k else { throw LuaArgumentError(1, "init: \(rows) centres given for k = \(k)") }
                        var centers: [Double] = []
                        for i in 0..<rows {
                            lua_rawgeti(c.L, idx, lua_Integer(i + 1))
                            defer { lua_settop(c.L, -2) }
                            guard c.luaType(-1) == LUA_TTABLE else { throw LuaArgumentError(1, "init: row \(i + 1) must be an array of numbers") }
                            let row = try c.table(lua_absindex(c.L, -1)).arrayOfNumbers()
                            guard row.allSatisfy(\.isFinite) else { throw LuaArgumentError(1, "init: row \(i + 1) has a non-finite value") }
                            centers += row
                        }
                        opts.initMethod = .centers(centers)
                    } else if type == LUA_TSTRING, let s = LuaStack.string(c.L, idx) {
                        switch s {
                        case "k-means++": opts.initMethod = .kmeansPlusPlus
                        case "random": opts.initMethod = .random
                        default: throw LuaArgumentError(1, "init = '\(s)': expected 'k-means++', 'random' or an array of centres")
                        }
                    } else {
                        throw LuaArgumentError(1, "init must be 'k-means++', 'random' or an array of centres, got \(c.typeName(idx))")
                    }
                }
                opts.nInit = try o.integer("n_init", in: 1...1000)
                opts.maxIter = try o.integer("max_iter", in: OptionRange.bins) ?? 300
                opts.tol = try o.number("tol", in: .closed(0, 1e300)) ?? 1e-4
                opts.seed = try o.seed()
                if let a = try o.string("algorithm") {
                    guard let alg = KMeansAlgorithm(rawValue: a) else { throw LuaArgumentError(1, "algorithm = '\(a)': expected 'lloyd' or 'elkan'") }
                    opts.algorithm = alg
                }
                return c.push(object: KMeansObject(.full(opts)))
            }
            m.function("minibatch_kmeans", "cluster.minibatch_kmeans{k =, batch_size = 1024, max_iter = 100, max_no_improvement = 10, tol = 0, seed =}",
                       "Mini-batch k-means (cl.KMeans) as scikit-learn's MiniBatchKMeans (without random centre reassignment): k-means++ on 3 × batch_size rows, then steps on seeded batches; stops after max_no_improvement steps (1…100000) without a better smoothed batch inertia or after max_iter passes (1…100000). Labels and inertia are exact on all rows.") { c in
                let o = try c.options(1)
                try o.checkKeys(["k", "batch_size", "max_iter", "max_no_improvement", "tol", "seed"])
                guard let k = try o.integer("k", in: OptionRange.bins) else { throw LuaArgumentError(1, "minibatch_kmeans needs k (the number of clusters)") }
                var opts = MiniBatchKMeansOptions(k: k)
                opts.batchSize = try o.integer("batch_size", in: 1...(1 << 24)) ?? 1024
                opts.maxIter = try o.integer("max_iter", in: OptionRange.bins) ?? 100
                opts.maxNoImprovement = try o.integer("max_no_improvement", in: OptionRange.bins) ?? 10
                opts.tol = try o.number("tol", in: .closed(0, 1e300)) ?? 0
                opts.seed = try o.seed()
                return c.push(object: KMeansObject(.minibatch(opts)))
            }
            m.function("silhouette", "cluster.silhouette(df, labels [, {features =, sample_size =, seed =}])",
                       "Mean silhouette coefficient (Euclidean, equal to scikit-learn's silhouette_score); labels a column or array; sample_size (2…2^31) scores a seeded sample of rows (exact cost is O(n²)).") { c in
                let f = try c.frame(1)
                let raw = try LuaVectors.doubles(c, 2)
                var features: [String]?, size: Int?, seed = GlobalSeed.value
                if !c.isNoneOrNil(3) {
                    let o = try c.options(3)
                    try o.checkKeys(["features", "sample_size", "seed"])
                    features = try o.strings("features")
                    size = try o.integer("sample_size", in: 2...OptionLimits.size)
                    seed = try o.seed()
                }
                let labels = try intLabels(raw, arg: 2)
                let d = try c.core { try ClusterData(frame: f, features: features) }
                return c.push(try c.core { try Silhouette.score(d, labels: labels, sampleSize: size, seed: seed) })
            }
            m.function("choose_k", "cluster.choose_k(df, {k = {2, …, 12}, features =, n_init =, seed =, sample_size = 10000})",
                       "Fits k-means for each k and returns a frame k, inertia, silhouette (silhouette on a seeded sample of sample_size rows, 2…2^31); pick the elbow or the highest silhouette.") { c in
                let f = try c.frame(1)
                let o = try c.options(2)
                try o.checkKeys(["k", "features", "n_init", "seed", "sample_size"])
                var ks = Array(2...12)
                if let t = try o.table("k") {
                    ks = try t.arrayOfNumbers().map { v in
                        guard v.isFinite, v == v.rounded(), v >= 1, v <= Double(OptionLimits.bins) else {
                            throw LuaArgumentError(2, "k: each value must be an integer in 1...\(OptionLimits.bins), got \(v)")
                        }
                        return Int(v)
                    }
                }
                let d = try c.core { try ClusterData(frame: f, features: try o.strings("features")) }
                let nInit = try o.integer("n_init", in: 1...1000)
                let seed = try o.seed()
                let size = try o.integer("sample_size", in: 2...OptionLimits.size) ?? 10_000
                var inertia: [Double] = [], sil: [Double] = []
                for k in ks {
                    var opts = KMeansOptions(k: k)
                    opts.nInit = nInit; opts.seed = seed
                    let m = try c.core { try KMeans.fit(d, opts) }
                    inertia.append(m.inertia)
                    let labels = m.labels.map(Int.init)
                    sil.append(k >= 2 && k < d.n ? try c.core { try Silhouette.score(d, labels: labels, sampleSize: size, seed: seed) } : .nan)
                }
                return c.push(frame: try c.core { try Frame([
                    Column(name: "k", data: .int64(ks.map { Int64($0) })),
                    Column(name: "inertia", data: .float64(inertia)),
                    Column(name: "silhouette", data: .float64(sil)),
                ]) })
            }
        }

        cl.submodule("decomp", "Matrix decompositions for views of feature tables.") { m in
            m.function("pca", "decomp.pca{n_components = 2}",
                       "Principal components (cl.PCA) as scikit-learn's PCA: :fit(df, {features =}), :transform(df) → frame pc1, pc2, …; fields components, explained_variance, explained_variance_ratio, mean. n_components in 1…min(rows, features).") { c in
                var n = 2
                if !c.isNoneOrNil(1) {
                    let o = try c.options(1)
                    try o.checkKeys(["n_components"])
                    n = try o.integer("n_components", in: OptionRange.bins) ?? 2
                }
                return c.push(object: PCAObject(n))
            }
        }
    }

    static func scores(_ m: PCAModel, _ d: ClusterData) throws -> Frame {
        let s = try m.transform(d)
        let k = m.nComponents
        return try Frame((0..<k).map { j in
            Column(name: "pc\(j + 1)", data: .float64((0..<d.n).map { s[$0 * k + j] }))
        })
    }

    /// Cluster labels from Lua numbers: finite integers.
    static func intLabels(_ v: [Double], arg: Int32) throws -> [Int] {
        try v.enumerated().map { i, x in
            guard x.isFinite, x == x.rounded(), abs(x) < 9e15 else {
                throw LuaArgumentError(arg, "label \(i + 1) must be an integer, got \(x)")
            }
            return Int(x)
        }
    }
}

import CLua
import ChurnCore
import LuaRuntime

/// `cl.analytics.personas` (persona profile frame), `cl.plot.personas`
/// (profile heatmap) and `cl.plot.persona_scatter` (users on the first two
/// principal components, coloured by persona). Registered by `ClusterModule`.
enum PersonasModule {
    static let profileKeys: Set<String> = ["features", "churn", "revenue", "top"]

    /// Argument `i`: labels as a column, the name of a column of `frame`, or an array (one per row).
    static func labels(_ c: LuaCall, _ i: Int32, frame: Frame) throws -> (values: [String], name: String) {
        let col: Column
        if c.isObject(i, ColumnObject.self) { col = try c.object(i, ColumnObject.self).column }
        else if c.luaType(i) == LUA_TSTRING {
            let name = try c.string(i)
            guard frame.has(name) else { throw LuaArgumentError(i, "no column '\(name)' in the frame (columns: \(frame.names.joined(separator: ", ")))") }
            col = try c.core { try frame.column(name) }
        } else if c.luaType(i) == LUA_TTABLE {
            let v = try RecommendationMetricsBinding.items(c, i, what: "labels")
            guard v.count == frame.nrow else { throw LuaArgumentError(i, "\(v.count) labels for \(frame.nrow) rows") }
            return (v, "persona")
        } else { throw LuaArgumentError(i, "labels must be a column, a column name or an array, got \(c.typeName(i))") }
        guard col.count == frame.nrow else { throw LuaArgumentError(i, "\(col.count) labels for \(frame.nrow) rows") }
        if let r = (0..<col.count).first(where: { col.isNull($0) }) { throw LuaArgumentError(i, "label in row \(r + 1) is null") }
        switch col.data {
        case .int64(let v): return (v.map { String($0) }, col.name)
        case .string, .category: return ((0..<col.count).map { col.string(at: $0) ?? "" }, col.name)
        case .bool(let v): return (v.map { String($0) }, col.name)
        default: throw LuaArgumentError(i, "labels column '\(col.name)' is \(col.dtype.rawValue): labels must be integers, text or booleans")
        }
    }

    /// A numeric column as doubles (nulls NaN), or a clear error.
    static func numeric(_ c: LuaCall, _ f: Frame, _ name: String, arg: Int32, what: String) throws -> [Double] {
        guard f.has(name) else { throw LuaArgumentError(arg, "\(what) column '\(name)' is not in the frame") }
        guard let v = try c.core({ try f.column(name) }).toDoubles() else {
            throw LuaArgumentError(arg, "\(what) column '\(name)' must be numeric")
        }
        return v
    }

    /// `extraKeys`: options the caller reads itself (a chart's file, title, …).
    static func profiles(_ c: LuaCall, frame fi: Int32, labels li: Int32, opts oi: Int32,
                         extraKeys: Set<String> = []) throws -> (PersonaProfiles, [String], String) {
        let f = try c.frame(fi)
        let (labs, labelName) = try labels(c, li, frame: f)
        let o = try c.options(oi)
        try o.checkKeys(Set(profileKeys).union(extraKeys))
        let churnName = try o.string("churn") ?? (f.has("churn") ? "churn" : nil)
        let revenueName = try o.string("revenue") ?? (f.has("revenue") ? "revenue" : nil)
        let top = try o.integer("top", in: 1...1000) ?? 3
        let excluded = Set([churnName, revenueName, labelName, "user_id"].compactMap { $0 })
        let featureNames = try o.strings("features") ?? f.columns.filter {
            !excluded.contains($0.name) && $0.toDoubles() != nil && $0.dtype != .date && $0.dtype != .timestamp
        }.map(\.name)
        guard !featureNames.isEmpty else { throw LuaArgumentError(oi, "no numeric feature columns: pass features = {...}") }
        let feats = try featureNames.map { (name: $0, values: try numeric(c, f, $0, arg: oi, what: "feature")) }
        let churn = try churnName.map { try numeric(c, f, $0, arg: oi, what: "churn") }
        let revenue = try revenueName.map { try numeric(c, f, $0, arg: oi, what: "revenue") }
        let p = try c.core { try PersonaProfiles(labels: labs, features: feats, churn: churn, revenue: revenue, top: top) }
        return (p, featureNames, labelName)
    }

    static func frame(_ p: PersonaProfiles) throws -> Frame {
        let k = p.labels.count
        let numeric = p.labels.allSatisfy { Int64($0) != nil }
        var cols = [numeric ? Column(name: "persona", data: .int64(p.labels.map { Int64($0)! })) : Column.string("persona", p.labels),
                    Column.string("name", p.names),
                    Column(name: "size", data: .int64(p.size.map(Int64.init))),
                    Column(name: "share", data: .float64(p.share))]
        func nullable(_ name: String, _ v: [Double]) -> Column {
            Column(name: name, data: .float64(v.map { $0.isNaN ? 0 : $0 }), validity: v.contains { $0.isNaN } ? Validity(v.map { !$0.isNaN }) : nil)
        }
        cols.append(nullable("churn_rate", p.churnRate))
        cols.append(nullable("revenue", p.revenue))
        cols.append(nullable("revenue_total", p.revenueTotal))
        cols.append(Column.string("distinguishing", (0..<k).map { p.distinguishingText($0) }))
        for (j, f) in p.features.enumerated() { cols.append(Column(name: "z_" + f, data: .float64(p.z.map { $0[j] }))) }
        return try Frame(cols)
    }

    static func register(_ cl: ModuleBuilder) {
        cl.submodule("analytics") { m in
            m.function("personas", "analytics.personas(df, labels [, {features =, churn = 'churn', revenue = 'revenue', top = 3}])",
                       "One row per persona (labels: a column such as kmeans:predict's, a column name, or an array): persona, name (generated from the most distinguishing features, with 'at risk'/'loyal' when churn is ≥ 1.5×/≤ 0.5× the overall rate), size, share, churn_rate (mean of the 0/1 churn column), revenue (mean per user), revenue_total, distinguishing (the top features by |z|), and z_<feature> = (persona mean − overall mean) / overall sd. features default: the numeric columns other than churn, revenue, the labels and user_id; top 1…1000.") { c in
                let (p, _, _) = try profiles(c, frame: 1, labels: 2, opts: 3)
                return c.push(frame: try c.core { try frame(p) })
            }
        }
        cl.submodule("plot") { m in
            m.function("personas", "plot.personas(profile [, {file =, title =, width =, height =}])",
                       "Persona profile heatmap from cl.analytics.personas' frame: rows are personas (name and share), columns the z_<feature> standardised differences on a diverging scale around 0.") { c in
                let f = try c.frame(1)
                let opts = try c.options(2); try opts.checkKeys(PlotModule.common)
                for need in ["name", "share"] where !f.has(need) {
                    throw LuaArgumentError(1, "the profile needs a '\(need)' column (pass cl.analytics.personas' frame)")
                }
                let zCols = f.names.filter { $0.hasPrefix("z_") }
                guard !zCols.isEmpty else { throw LuaArgumentError(1, "the profile has no z_<feature> columns") }
                let nameCol = try c.core { try f.column("name") }
                let names = (0..<f.nrow).map { nameCol.string(at: $0) ?? "" }
                let share = try numeric(c, f, "share", arg: 1, what: "share")
                let zs = try zCols.map { try numeric(c, f, $0, arg: 1, what: "z") }
                let z = (0..<f.nrow).map { r in zs.map { $0[r] } }
                let o = try PlotModule.plotOptions(opts)
                return try PlotModule.finish(c, opts, try c.core {
                    try Plot.personas(names: names, share: share, features: zCols.map { String($0.dropFirst(2)) }, z: z, options: o)
                })
            }
            m.function("persona_scatter", "plot.persona_scatter(df, labels [, {features =, file =, title =, width =, height =}])",
                       "Users on the first two principal components of their standardised features (cl.decomp.pca), one colour per persona (labels as for cl.analytics.personas; the legend shows generated persona names). features default: the numeric columns other than churn, revenue, the labels and user_id; rows must be free of nulls.") { c in
                let opts = try c.options(3); try opts.checkKeys(PlotModule.common.union(["features"]))
                let f = try c.frame(1)
                let (p, featureNames, _) = try profiles(c, frame: 1, labels: 2, opts: 3, extraKeys: PlotModule.common)
                let (labs, _) = try labels(c, 2, frame: f)
                var gi: [String: Int] = [:]
                for (g, l) in p.labels.enumerated() { gi[l] = g }
                let o = try PlotModule.plotOptions(opts)
                let svg = try c.core { () -> String in
                    let raw = try ClusterData(frame: f, features: featureNames)
                    guard raw.d >= 2 else { throw ClusterError.invalid("persona_scatter needs at least two features") }
                    // Standardise each feature (population sd; constant features stay 0) so PCA is not ruled by units.
                    var x = raw.x
                    for j in 0..<raw.d {
                        var s = 0.0, q = 0.0
                        for i in 0..<raw.n { s += x[i * raw.d + j] }
                        let mean = s / Double(raw.n)
                        for i in 0..<raw.n { let t = x[i * raw.d + j] - mean; q += t * t }
                        let sd = (q / Double(raw.n)).squareRoot()
                        for i in 0..<raw.n { x[i * raw.d + j] = sd > 0 ? (x[i * raw.d + j] - mean) / sd : 0 }
                    }
                    let data = try ClusterData(n: raw.n, d: raw.d, x: x, names: raw.names)
                    let pca = try PCAModel.fit(data, nComponents: 2)
                    let t = try pca.transform(data)
                    var po = o
                    if po.xLabel == nil { po.xLabel = "PC1 (\(Int((pca.explainedVarianceRatio[0] * 100).rounded()))% of variance)" }
                    if po.yLabel == nil { po.yLabel = "PC2 (\(Int((pca.explainedVarianceRatio[1] * 100).rounded()))% of variance)" }
                    return try Plot.personaScatter(x: (0..<raw.n).map { t[$0 * 2] }, y: (0..<raw.n).map { t[$0 * 2 + 1] },
                                                   persona: labs.map { gi[$0]! }, names: p.names, options: po)
                }
                return try PlotModule.finish(c, opts, svg)
            }
        }
    }
}

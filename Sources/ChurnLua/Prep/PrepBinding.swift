import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// A preprocessing step or pipeline (`cl.Prep`): `:fit(df)`, `:transform(df)`,
/// `:fit_transform(df)`, `:to_json()`.
public final class PrepObject: LuaObject {
    public static let luaTypeName = "cl.Prep"
    public var pipeline: PrepPipeline
    public let kind: String
    public init(_ pipeline: PrepPipeline, kind: String) { self.pipeline = pipeline; self.kind = kind }
}

/// `cl.prep.*` constructors and the `cl.Prep` methods.
enum PrepBinding {
    static func register(_ cl: ModuleBuilder) {
        cl.state.register(PrepObject.self, LuaClass(methods: [
            "fit": { c in
                let p = try c.object(1, PrepObject.self)
                let f = try c.frame(2)
                try c.core { try p.pipeline.fit(f) }
                lua_settop(c.L, 1)
                return 1
            },
            "transform": { c in
                let p = try c.object(1, PrepObject.self)
                let f = try c.frame(2)
                return c.push(frame: try c.core { try p.pipeline.transform(f) })
            },
            "fit_transform": { c in
                let p = try c.object(1, PrepObject.self)
                let f = try c.frame(2)
                return c.push(frame: try c.core { try p.pipeline.fitTransform(f) })
            },
            "to_json": { c in
                let p = try c.object(1, PrepObject.self)
                let data = try c.core { try JSONEncoder().encode(p.pipeline) }
                return c.push(String(decoding: data, as: UTF8.self))
            },
        ], metamethods: [
            "__tostring": { c in
                let p = try c.object(1, PrepObject.self)
                return c.push("<cl.Prep \(p.kind)\(p.pipeline.isFitted ? " (fitted)" : "")>")
            },
        ]))

        cl.submodule("prep", "Preprocessing fitted on a training frame and applied to others (scikit-learn semantics).") { m in
            func columns(_ o: LuaTable) throws -> [String]? { try o.strings("columns") }
            func make(_ c: LuaCall, _ step: PrepStep, _ kind: String) -> Int32 {
                c.push(object: PrepObject(PrepPipeline([step]), kind: kind))
            }
            func unknown(_ o: LuaTable) throws -> UnknownCategory? {
                guard let u = try o.string("unknown") else { return nil }
                guard let v = UnknownCategory(rawValue: u) else { throw LuaArgumentError(1, "unknown = '\(u)': expected 'ignore' or 'error'") }
                return v
            }
            m.function("standard_scaler", "prep.standard_scaler{columns =, with_mean = true, with_std = true}",
                       "Centers and scales columns to unit variance (population std); default columns: all numeric.") { c in
                let o = try c.options(1)
                try o.checkKeys(["columns", "with_mean", "with_std"])
                return make(c, .standardScaler(StandardScaler(columns: try columns(o), withMean: try o.bool("with_mean") ?? true,
                                                              withStd: try o.bool("with_std") ?? true)), "standard_scaler")
            }
            m.function("min_max_scaler", "prep.min_max_scaler{columns =, min = 0, max = 1}",
                       "Maps each column's training range onto [min, max] (finite numbers); default columns: all numeric.") { c in
                let o = try c.options(1)
                try o.checkKeys(["columns", "min", "max"])
                return make(c, .minMaxScaler(MinMaxScaler(columns: try columns(o), lower: try o.number("min", in: .finite) ?? 0,
                                                          upper: try o.number("max", in: .finite) ?? 1)), "min_max_scaler")
            }
            m.function("one_hot", "prep.one_hot{columns =, drop_first = false, unknown = 'ignore'|'error', sep = '_'}",
                       "Replaces text columns with 0/1 columns per category seen in fit; unseen categories give all zeros or an error.") { c in
                let o = try c.options(1)
                try o.checkKeys(["columns", "drop_first", "unknown", "sep"])
                return make(c, .oneHot(OneHotEncoder(columns: try columns(o), dropFirst: try o.bool("drop_first") ?? false,
                                                     unknown: try unknown(o) ?? .ignore, separator: try o.string("sep") ?? "_")), "one_hot")
            }
            m.function("label_encoder", "prep.label_encoder{columns =, unknown = 'error'|'ignore'}",
                       "Replaces text columns with integer codes of their sorted categories; unseen values raise or become null.") { c in
                let o = try c.options(1)
                try o.checkKeys(["columns", "unknown"])
                return make(c, .labelEncoder(LabelEncoder(columns: try columns(o), unknown: try unknown(o) ?? .error)), "label_encoder")
            }
            m.function("imputer", "prep.imputer{strategy = 'mean'|'median'|'constant'|'most_frequent', value =, columns =}",
                       "Fills nulls (and NaN) with a statistic learned in fit or a constant.") { c in
                let o = try c.options(1)
                try o.checkKeys(["strategy", "value", "columns"])
                let name = try o.string("strategy") ?? "mean"
                guard let strategy = ImputeStrategy(rawValue: name) else {
                    throw LuaArgumentError(1, "strategy = '\(name)': expected mean, median, constant or most_frequent")
                }
                var fill = CellValue.null
                if o.has("value") {
                    _ = o.push("value")
                    defer { lua_settop(c.L, -2) }
                    fill = try ExprBinding.cell(c, -1, arg: 1, what: "value")
                }
                return make(c, .imputer(Imputer(columns: try columns(o), strategy: strategy, fillValue: fill)), "imputer")
            }
            m.function("clip", "prep.clip{lower =, upper =, lower_q =, upper_q =, columns =}",
                       "Clips numeric columns to fixed finite bounds, or winsorizes at quantiles learned in fit (lower_q/upper_q in [0, 1]).") { c in
                let o = try c.options(1)
                try o.checkKeys(["lower", "upper", "lower_q", "upper_q", "columns"])
                var clip = Clipper(columns: try columns(o), lower: try o.number("lower", in: .finite), upper: try o.number("upper", in: .finite))
                clip.lowerQuantile = try o.number("lower_q", in: .probability)
                clip.upperQuantile = try o.number("upper_q", in: .probability)
                return make(c, .clip(clip), "clip")
            }
            m.function("pipeline", "prep.pipeline{step1, step2, ...}",
                       "Chains steps: fit fits each on the previous step's output; transform applies them in order.") { c in
                let t = try c.table(1)
                var steps: [PrepStep] = []
                for i in 0..<t.length {
                    lua_rawgeti(c.L, 1, lua_Integer(i + 1))
                    defer { lua_settop(c.L, -2) }
                    guard c.isObject(-1, PrepObject.self) else {
                        throw LuaArgumentError(1, "element \(i + 1) must be a cl.prep step, got \(c.typeName(-1))")
                    }
                    steps += try c.object(lua_absindex(c.L, -1), PrepObject.self).pipeline.steps
                }
                return c.push(object: PrepObject(PrepPipeline(steps), kind: "pipeline"))
            }
            m.function("from_json", "prep.from_json(text)", "A fitted step or pipeline saved with :to_json().") { c in
                let text = try c.string(1)
                let p = try c.core { try JSONDecoder().decode(PrepPipeline.self, from: Data(text.utf8)) }
                return c.push(object: PrepObject(p, kind: "pipeline"))
            }
        }
    }
}

import CLua
import ChurnCore
import LuaRuntime

/// A TF-IDF vectorizer (`cl.TfIdf`) from `cl.text.tfidf{...}`.
public final class TfIdfObject: LuaObject {
    public static let luaTypeName = "cl.TfIdf"
    let sublinear: Bool, minDF: Double, maxDF: Double, stopWords: Set<String>
    var model: TfIdfModel?
    init(sublinear: Bool, minDF: Double, maxDF: Double, stopWords: Set<String>) {
        self.sublinear = sublinear; self.minDF = minDF; self.maxDF = maxDF; self.stopWords = stopWords
    }
}

/// `cl.text`: text features for content-based recommendations.
enum TextModule {
    /// Argument `i`: a text column or an array of strings.
    static func texts(_ c: LuaCall, _ i: Int32) throws -> [String] {
        if c.isObject(i, ColumnObject.self) {
            let col = try c.object(i, ColumnObject.self).column
            guard col.dtype == .string || col.dtype == .category else {
                throw LuaArgumentError(i, "column '\(col.name)' is \(col.dtype.rawValue), text expected")
            }
            return (0..<col.count).map { col.string(at: $0) ?? "" }
        }
        guard c.luaType(i) == LUA_TTABLE else { throw LuaArgumentError(i, "text column or array of strings expected, got \(c.typeName(i))") }
        return try c.table(i).arrayOfStrings()
    }

    static func long(_ m: TfIdfModel, _ rows: [[(Int, Double)]]) throws -> Frame {
        var doc: [Int64] = [], term: [String] = [], w: [Double] = []
        for (i, r) in rows.enumerated() {
            for (j, v) in r { doc.append(Int64(i + 1)); term.append(m.vocabulary[j]); w.append(v) }
        }
        return try Frame([Column(name: "doc", data: .int64(doc)), Column.string("term", term), Column(name: "tfidf", data: .float64(w))])
    }

    static func register(_ cl: ModuleBuilder) {
        func fitted(_ c: LuaCall) throws -> (TfIdfObject, TfIdfModel) {
            let o = try c.object(1, TfIdfObject.self)
            guard let m = o.model else { throw LuaScriptError("this cl.TfIdf is not fitted: call :fit(texts) first") }
            return (o, m)
        }
        func fit(_ o: TfIdfObject, _ docs: [String]) throws -> TfIdfModel {
            try TfIdfModel.fit(docs, sublinearTF: o.sublinear, minDF: o.minDF, maxDF: o.maxDF, stopWords: o.stopWords)
        }
        cl.state.register(TfIdfObject.self, LuaClass(methods: [
            "fit": { c in
                let o = try c.object(1, TfIdfObject.self)
                let docs = try texts(c, 2)
                o.model = try c.core { try fit(o, docs) }
                lua_settop(c.L, 1)
                return 1
            },
            "transform": { c in
                let (_, m) = try fitted(c)
                let docs = try texts(c, 2)
                return c.push(frame: try c.core { try long(m, try m.transform(docs)) })
            },
            "fit_transform": { c in
                let o = try c.object(1, TfIdfObject.self)
                let docs = try texts(c, 2)
                let m = try c.core { try fit(o, docs) }
                o.model = m
                return c.push(frame: try c.core { try long(m, try m.transform(docs)) })
            },
            "similarity": { c in
                let (_, m) = try fitted(c)
                let a = try texts(c, 2), b = try texts(c, 3)
                guard a.count == b.count else { throw LuaArgumentError(3, "\(b.count) texts for \(a.count)") }
                let ra = try c.core { try m.transform(a) }, rb = try c.core { try m.transform(b) }
                return c.pushArray(zip(ra, rb).map { TfIdfModel.cosine($0, $1) })
            },
        ], index: { c in
            let (_, m) = try fitted(c)
            switch try c.string(2) {
            case "vocabulary": return c.pushArray(m.vocabulary)
            case "idf": return c.pushArray(m.idf)
            default: return c.pushNil()
            }
        }))
        cl.submodule("text", "Text features for content-based recommendations.") { m in
            m.function("tfidf", "text.tfidf{sublinear_tf = false, min_df = 1, max_df = 1.0, stop_words = {...}}",
                       "A TF-IDF vectorizer (cl.TfIdf) equal to scikit-learn's TfidfVectorizer (smooth idf, L2 rows): words of 2+ characters lowercased for spaced scripts, character bigrams for CJK runs. min_df below 1 and max_df up to 1 are shares of documents (in [0, 1]), larger values counts (≤ 2^31). :fit(texts), :transform(texts) → frame doc, term, tfidf; :similarity(a, b) → cosines; fields vocabulary, idf.") { c in
                var sub = false, minDF = 1.0, maxDF = 1.0, stop: Set<String> = []
                if !c.isNoneOrNil(1) {
                    let o = try c.options(1)
                    try o.checkKeys(["sublinear_tf", "min_df", "max_df", "stop_words"])
                    sub = try o.bool("sublinear_tf") ?? false
                    minDF = try o.number("min_df", in: .closed(0, Double(OptionLimits.size))) ?? 1
                    maxDF = try o.number("max_df", in: .closed(0, Double(OptionLimits.size))) ?? 1
                    stop = Set((try o.strings("stop_words") ?? []).map { $0.lowercased() })
                }
                return c.push(object: TfIdfObject(sublinear: sub, minDF: minDF, maxDF: maxDF, stopWords: stop))
            }
        }
    }
}

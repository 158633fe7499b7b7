/// Long/wide reshaping beyond `pivot`: `melt` (wide → long, pandas `melt`)
/// and `crosstab` (counts of two categorical columns, pandas `crosstab`),
/// plus the row selections `nlargest`/`nsmallest` and `slice`.
extension Frame {
    /// One row per (input row, value column): the `idVars`, then `varName`
    /// (the value column's name) and `valueName` (its value). Rows are grouped
    /// by value column, as pandas does. Value columns must share a type (ints
    /// with floats give floats).
    public func melt(idVars: [String], valueVars: [String]? = nil, varName: String = "variable",
                     valueName: String = "value") throws -> Frame {
        let ids = try idVars.map { try column($0) }
        let vars = try (valueVars ?? names.filter { !idVars.contains($0) }).map { try column($0) }
        guard !vars.isEmpty else { throw FrameError.invalid("melt: no value columns") }
        let k = vars.count, n = nrow
        let bytes = (ids.count + 2) * k * n * 8
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("melt to \(k * n) rows", bytes))
        var repeated = [Int](); repeated.reserveCapacity(k * n)
        for _ in 0..<k { repeated.append(contentsOf: 0..<n) }
        var out = ids.map { $0.take(repeated) }
        var variable = [String?](); variable.reserveCapacity(k * n)
        for v in vars { variable.append(contentsOf: [String?](repeating: v.name, count: n)) }
        out.append(.string(varName, variable))
        var parts = vars
        if Set(parts.map(\.dtype)).count > 1 {
            guard parts.allSatisfy({ $0.data.isNumeric }) else {
                throw FrameError.invalid("melt: value columns mix types (\(Set(parts.map(\.dtype.rawValue)).sorted().joined(separator: ", "))); cast them to one type first")
            }
            parts = try parts.map { try $0.asFloat64() }
        }
        out.append(try Column.concat(parts, name: valueName))
        return try Frame(out)
    }

    public enum CrosstabNormalize: String, Sendable { case none, all, index, columns }

    /// Counts of each (index value, columns value) pair: the sorted distinct
    /// `index` values, then one column per sorted distinct `columns` value
    /// (named by its text). Rows with a null in either are left out (pandas).
    /// `normalize`: shares of the whole table, of each row or of each column.
    public func crosstab(index: String, columns colName: String, normalize: CrosstabNormalize = .none) throws -> Frame {
        let a = try column(index), b = try column(colName)
        let keep = (0..<nrow).filter { !a.isNull($0) && !b.isNull($0) }
        let ka = try Frame.sortedLevels(a.take(keep)), kb = try Frame.sortedLevels(b.take(keep))
        var counts = [[Int64]](repeating: [Int64](repeating: 0, count: kb.levels.count), count: ka.levels.count)
        for r in 0..<keep.count { counts[ka.code[r]][kb.code[r]] += 1 }
        var out = [ka.levels.renamed(index)]
        let names = (0..<kb.levels.count).map { kb.levels.value(at: $0).description }
        if Set(names).count != names.count || names.contains(index) {
            throw FrameError.invalid("crosstab: the values of '\(colName)' do not give distinct column names")
        }
        let total = Double(keep.count)
        let rowSums = counts.map { Double($0.reduce(0, +)) }
        for j in 0..<names.count {
            let col = counts.map { $0[j] }
            switch normalize {
            case .none: out.append(.int(names[j], col))
            case .all: out.append(.float(names[j], col.map { Double($0) / total }))
            case .index: out.append(.float(names[j], col.indices.map { Double(col[$0]) / rowSums[$0] }))
            case .columns:
                let s = Double(col.reduce(0, +))
                out.append(.float(names[j], col.map { Double($0) / s }))
            }
        }
        return try Frame(out)
    }

    /// Distinct values of `c` in sorted order and each row's position among them.
    static func sortedLevels(_ c: Column) throws -> (levels: Column, code: [Int]) {
        let g = try Factorizer.factorize(column: c)
        let firsts = c.take(g.firstRow).renamed("k")
        let order = try Frame([firsts]).argsort([SortKey("k")])
        var pos = [Int](repeating: 0, count: g.count)
        for (p, gid) in order.enumerated() { pos[gid] = p }
        return (firsts.take(order), g.ids.map { pos[Int($0)] })
    }

    /// The `n` rows with the largest (or smallest) values of `columns`, in
    /// that order; ties keep input order (pandas `nlargest(keep='first')`);
    /// nulls come last.
    public func nlargest(_ n: Int, columns: [String], smallest: Bool = false) throws -> Frame {
        let order = try argsort(columns.map { SortKey($0, descending: !smallest) }, nullsLast: true)
        return try take(rows: Array(order.prefix(Swift.max(0, n))))
    }

    /// Rows `from`…`to` (1-based, inclusive; negative counts from the end, as
    /// Lua's `string.sub`). An empty range gives an empty frame.
    public func slice(from: Int, to: Int?) throws -> Frame {
        let n = nrow
        func norm(_ i: Int) -> Int { i < 0 ? n + i + 1 : i }
        let lo = Swift.max(1, norm(from)), hi = Swift.min(n, norm(to ?? n))
        return try take(rows: lo <= hi ? Array((lo - 1)...(hi - 1)) : [])
    }
}

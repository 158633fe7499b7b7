/// Long-to-wide reshaping (pandas pivot_table with one index, one columns and
/// one values column).

extension Frame {
    /// One row per distinct `index` value (sorted), one column per distinct
    /// `columns` value (sorted, named by its text), cells `agg` of `values`
    /// over the rows with that pair; null where no row has the pair.
    public func pivot(index: String, columns: String, values: String, agg: AggOp = .mean) throws -> Frame {
        guard index != columns else { throw FrameError.invalid("pivot: index and columns must differ") }
        let long = try groupBy([index, columns]).agg([AggSpec(values, agg, as: "__value")], sort: true)
        let idxCol = try long.column(index), keyCol = try long.column(columns), valCol = try long.column("__value")
        // `long` is sorted by (index, columns), so index groups appear in sorted order.
        let rowsOf = try Factorizer.factorize(column: idxCol)
        let colsOf = try Factorizer.factorize(column: keyCol)
        let colOrder = try Frame(unchecked: [keyCol.take(colsOf.firstRow)]).argsort([SortKey(columns)])
        var slot = [Int](repeating: 0, count: colsOf.count)
        for (pos, g) in colOrder.enumerated() { slot[g] = pos }
        // The wide result is rows × columns cells (an 8-byte index and an 8-byte value each), however sparse the input:
        // sized against the memory budget before it is allocated.
        let bytes = WorkingMemory.bytes(WorkingMemory.bytes(rowsOf.count, colsOf.count), 16)
        try ExecutionContext.checkMemory(bytes, for: WorkingMemory.describe("pivot \(rowsOf.count)×\(colsOf.count)", bytes))
        try ExecutionContext.check()
        var cells = [[Int]](repeating: [Int](repeating: -1, count: rowsOf.count), count: colsOf.count)
        for r in 0..<long.nrow { cells[slot[Int(colsOf.ids[r])]][Int(rowsOf.ids[r])] = r }
        var out = [idxCol.take(rowsOf.firstRow)]
        for (pos, g) in colOrder.enumerated() {
            let header = keyCol.value(at: colsOf.firstRow[g]).description
            guard header != index, !out.contains(where: { $0.name == header }) else {
                throw FrameError.invalid("pivot: value '\(header)' of column '\(columns)' would duplicate a column name")
            }
            out.append(valCol.take(cells[pos]).renamed(header))
        }
        return try Frame(out)
    }
}

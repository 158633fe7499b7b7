extension Column {
    /// A column as pandas shows a Series: 1-based row numbers and values (numbers
    /// right-aligned, first and last rows around a `…` when long), then a footer
    /// with the name, type and length.
    ///
    ///     1     12
    ///     2      5
    ///     …
    ///     1000   3
    ///     name: tenure, dtype: int, length: 1000
    public func renderHead(maxRows: Int = 10, maxCellWidth: Int = 40) -> String {
        let (rows, gap) = Frame.displayRows(count, maxRows)
        let cellW = Swift.max(3, Swift.min(maxCellWidth, 1 << 16))
        let labels = rows.map { String($0 + 1) }
        let values = rows.map { DisplayWidth.truncate(Frame.cellDisplay(self, $0), to: cellW) }
        let lw = labels.map(DisplayWidth.of).max() ?? 1, vw = values.map(DisplayWidth.of).max() ?? 1
        let numeric = dtype == .float64 || dtype == .int64
        var lines: [String] = []
        for k in rows.indices {
            if gap == k { lines.append("…") }
            let v = numeric ? DisplayWidth.padLeft(values[k], vw) : values[k]
            lines.append(DisplayWidth.padRight(labels[k], lw) + "  " + v)
        }
        if gap == rows.count { lines.append("…") }
        lines.append("name: \(name), dtype: \(dtype.rawValue), length: \(count)")
        return lines.joined(separator: "\n")
    }
}

extension Frame {
    /// An aligned text table: a header of names, a line of types, then rows.
    /// More than `maxRows` rows shows the first and last halves around a `…`
    /// row; columns that do not fit `maxWidth` terminal columns are replaced by
    /// a `…` column between the leading and trailing ones. Cells are cut at
    /// `maxCellWidth`. Widths count East Asian wide characters as two, so CJK
    /// text lines up. Numbers are right-aligned, text left-aligned; nulls show
    /// as `null`, NaN as `NaN`. A last line gives the shape.
    public func render(maxRows: Int = 10, maxWidth: Int = 100, maxCellWidth: Int = 24) -> String {
        let (rowIdx, rowGap) = Frame.displayRows(nrow, maxRows)
        let cellW = Swift.max(3, Swift.min(maxCellWidth, 1 << 16))
        // Cell texts per column.
        var cells: [[String]] = []
        var widths: [Int] = []
        for c in columns {
            var col = [DisplayWidth.truncate(c.name, to: cellW), c.dtype.rawValue]
            for i in rowIdx { col.append(DisplayWidth.truncate(Frame.cellDisplay(c, i), to: cellW)) }
            widths.append(col.map(DisplayWidth.of).max() ?? 1)
            cells.append(col)
        }
        // Choose columns: alternately from the left and the right while they fit.
        var left: [Int] = [], right: [Int] = []
        var used = 0
        let gapWidth = 3   // "…" column plus separators
        var l = 0, r = ncol - 1
        while l <= r {
            let takeLeft = left.count <= right.count
            let j = takeLeft ? l : r
            let need = widths[j] + (used > 0 ? 2 : 0)
            let remaining = (l < r) ? gapWidth : 0
            if used + need + (l == r ? 0 : remaining) > maxWidth && !(left.isEmpty && right.isEmpty) { break }
            used += need
            if takeLeft { left.append(j); l += 1 } else { right.insert(j, at: 0); r -= 1 }
        }
        let truncatedCols = l <= r
        let shown: [Int?] = left.map { $0 } + (truncatedCols ? [nil] : []) + right.map { $0 }
        var lines: [String] = []
        let numeric = columns.map { [.float64, .int64].contains($0.dtype) }
        func line(_ k: Int) -> String {
            shown.map { j -> String in
                guard let j else { return "…" }
                let s = cells[j][k]
                return numeric[j] && k >= 2 ? DisplayWidth.padLeft(s, widths[j]) : DisplayWidth.padRight(s, widths[j])
            }.joined(separator: "  ")
        }
        func trimmed(_ s: String) -> String {
            var s = s
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        lines.append(trimmed(line(0)))
        lines.append(trimmed(line(1)))
        let gapLine = trimmed(shown.map { j in DisplayWidth.padRight("…", j.map { widths[$0] } ?? 1) }.joined(separator: "  "))
        for k in rowIdx.indices {
            if rowGap == k { lines.append(gapLine) }
            lines.append(trimmed(line(k + 2)))
        }
        if rowGap == rowIdx.count { lines.append(gapLine) }
        lines.append("[\(shapeText)]")
        return lines.joined(separator: "\n")
    }

    /// Row indices to show and the position of the `…` gap (nil when all rows fit).
    static func displayRows(_ n: Int, _ maxRows: Int) -> ([Int], Int?) {
        let m = Swift.max(0, maxRows)
        if n <= m { return (Array(0..<n), nil) }
        let head = (m + 1) / 2, tail = m / 2
        return (Array(0..<head) + Array((n - tail)..<n), head)
    }

    static func cellDisplay(_ c: Column, _ i: Int) -> String {
        if c.isNull(i) { return "null" }
        if case .float64(let v) = c.data { return CellText.shortFloat(v[i]) }
        return (CellText.plain(c, i) ?? "null").replacingNewlines()
    }
}

extension String {
    /// Newlines and tabs shown as visible escapes, so a cell stays on one line.
    func replacingNewlines() -> String {
        guard contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" }) else { return self }
        var out = ""
        for ch in self {
            switch ch {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\r\n": out += "\\r\\n"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out
    }
}

extension Frame {
    /// "3 rows × 1 column" (singular where it applies).
    public var shapeText: String {
        "\(nrow) \(nrow == 1 ? "row" : "rows") × \(ncol) \(ncol == 1 ? "column" : "columns")"
    }
}

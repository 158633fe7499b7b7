/// Contiguous row ranges of frames: the basis of `head` and `tail`.
extension Column {
    /// Rows `range` (clamped to the column) as a new column; text dictionaries are shared.
    func rowSlice(_ range: Range<Int>) -> Column {
        let r = range.clamped(to: 0..<count)
        let data: ColumnData
        switch self.data {
        case .float64(let v): data = .float64(Array(v[r]))
        case .int64(let v): data = .int64(Array(v[r]))
        case .bool(let v): data = .bool(Array(v[r]))
        case .string(let c, let d): data = .string(codes: Array(c[r]), dictionary: d)
        case .category(let c, let l): data = .category(codes: Array(c[r]), levels: l)
        case .date(let v): data = .date(Array(v[r]))
        case .timestamp(let v): data = .timestamp(Array(v[r]))
        }
        var valid: Validity? = nil
        if let validity {
            var v = Validity(count: r.count, allValid: true)
            for (j, i) in r.enumerated() where !validity.isValid(i) { v.set(j, false) }
            valid = v
        }
        return Column(name: name, data: data, validity: valid)
    }
}

extension Frame {
    /// Rows `range` (clamped) of every column.
    func rowSlice(_ range: Range<Int>) -> Frame {
        // Columns of a valid frame have equal lengths and unique names, so this cannot fail.
        try! Frame(columns.map { $0.rowSlice(range) })
    }

    /// The first `n` rows; a negative `n` gives all rows but the last `-n` (as in pandas).
    public func head(_ n: Int = 5) -> Frame {
        let k = Swift.max(-nrow, Swift.min(n, nrow))   // clamped first: any Int is safe
        return rowSlice(0..<(k >= 0 ? k : nrow + k))
    }

    /// The last `n` rows; a negative `n` gives all rows but the first `-n`.
    public func tail(_ n: Int = 5) -> Frame {
        let k = Swift.max(-nrow, Swift.min(n, nrow))
        return rowSlice((k >= 0 ? nrow - k : -k)..<nrow)
    }
}

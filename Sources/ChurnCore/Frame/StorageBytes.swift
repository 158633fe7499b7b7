/// How much memory frames and columns hold, for the script's memory budget
/// (a frame Lua holds is charged this much while it lives). Counts element
/// storage, validity bitmaps and dictionary text; not Swift's small headers.
/// Columns that share storage (a column taken from a frame, a frame selected
/// from another) are counted once per holder: the budget errs on the side of
/// stopping early, never late.
extension ColumnData {
    public var storageBytes: Int {
        func text(_ d: [String]) -> Int { d.reduce(0) { $0 &+ $1.utf8.count &+ 16 } }
        switch self {
        case .float64(let v): return v.count &* 8
        case .int64(let v): return v.count &* 8
        case .bool(let v): return v.count
        case .string(let c, let d): return c.count &* 4 &+ text(d)
        case .category(let c, let l): return c.count &* 4 &+ text(l)
        case .date(let v): return v.count &* 4
        case .timestamp(let v): return v.count &* 8
        }
    }
}

extension Column {
    public var storageBytes: Int { data.storageBytes &+ (validity?.words.count ?? 0) &* 8 }
}

extension Frame {
    public var storageBytes: Int { columns.reduce(0) { $0 &+ $1.storageBytes } }
}

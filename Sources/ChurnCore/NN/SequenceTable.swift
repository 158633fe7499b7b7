/// Sequences given as a tensor instead of an event log: the result of
/// `cl.features.sequences` (rows × days × channels) with the user id of each
/// row and, for stacked snapshots, its as_of. A sequence model built on one
/// finds each frame row's sequence by joining on (user id[, as_of]) — the same
/// rows `SequenceWindows.build` would read from the events, when the tensor
/// came from the same log with the same window. Like the event log, it is not
/// saved with the model.
public struct SequenceTable: Sendable {
    public let tensor: Tensor<Float>
    public let ids: [Int64]
    /// Per row, the observation moment (µs), or nil: one sequence per user, joined on the id alone.
    public let asOf: [Int64]?
    public let channels: [String]
    private let index: [Key: Int]

    struct Key: Hashable { let id: Int64, asOf: Int64 }

    public var days: Int { tensor.shape[1] }

    public init(tensor: Tensor<Float>, ids: [Int64], asOf: [Int64]?, channels: [String]?) throws {
        guard tensor.shape.count == 3, tensor.shape[1] >= 1, tensor.shape[2] >= 1 else {
            throw NNError("sequences.tensor must be rows × days × channels, got shape \(tensor.shape)")
        }
        guard ids.count == tensor.rows else { throw NNError("sequences.ids has \(ids.count) rows, the tensor \(tensor.rows)") }
        if let asOf, asOf.count != ids.count { throw NNError("sequences.ids: \(asOf.count) as_of values for \(ids.count) ids") }
        let names = channels ?? (1...tensor.shape[2]).map { "channel_\($0)" }
        guard names.count == tensor.shape[2] else {
            throw NNError("sequences.channels names \(names.count) channels, the tensor has \(tensor.shape[2])")
        }
        guard tensor.isFinite else { throw NNError("sequences.tensor must be finite (no NaN or inf)") }
        var index: [Key: Int] = [:]
        index.reserveCapacity(ids.count)
        for r in ids.indices {
            let k = Key(id: ids[r], asOf: asOf?[r] ?? 0)
            guard index[k] == nil else {
                throw NNError("sequences.ids: user \(ids[r])\(asOf == nil ? "" : " at one as_of") appears twice (rows \(index[k]! + 1) and \(r + 1))")
            }
            index[k] = r
        }
        self.tensor = tensor; self.ids = ids; self.asOf = asOf; self.channels = names; self.index = index
    }

    /// The sequences of frame rows with these ids (and as_of, µs, when the table has them), in row order.
    public func gather(ids: [Double], asOf: [Int64]?, kind: String) throws -> Tensor<Float> {
        var rows: [Int] = []
        rows.reserveCapacity(ids.count)
        for (r, v) in ids.enumerated() {
            guard v.isFinite, let id = Int64(exactly: v.rounded()) else {
                throw NNError("\(kind): row \(r + 1) has no valid user id (\(v))")
            }
            var at: Int64 = 0
            if self.asOf != nil {
                guard let a = asOf?[r] else {
                    throw NNError("\(kind): the sequences tensor has one row per (user, as_of): the frame needs its as_of column")
                }
                at = a
            }
            guard let k = index[Key(id: id, asOf: at)] else {
                throw NNError("\(kind): row \(r + 1): user \(id) has no sequence in the tensor\(self.asOf == nil ? "" : " at that as_of")")
            }
            rows.append(k)
        }
        return tensor.gatherRows(rows)
    }
}

/// A dense, contiguous, row-major tensor: `shape` and a flat `data` array
/// (value semantics through the array's copy-on-write). Sequences are laid out
/// batch-first, `(batch, time, channels)`, as PyTorch's `batch_first=True`.
public struct Tensor<T: NNFloat>: Equatable, Sendable {
    public private(set) var shape: [Int]
    public var data: [T]

    public init(shape: [Int], data: [T]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw NNError("tensor shape \(shape) has a negative size") }
        let n = shape.reduce(1, *)
        guard n == data.count else { throw NNError("tensor shape \(shape) needs \(n) values, got \(data.count)") }
        self.shape = shape; self.data = data
    }

    /// For sizes computed by the layers themselves (never from user input).
    init(uncheckedShape shape: [Int], data: [T]) { self.shape = shape; self.data = data }

    public init(zeros shape: [Int]) {
        self.shape = shape; self.data = [T](repeating: 0, count: shape.reduce(1, *))
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }
    /// Rows: the size of the first dimension (the batch).
    public var rows: Int { shape.first ?? 1 }
    /// Values per row (product of the trailing dimensions).
    public var rowSize: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The same values viewed with another shape of equal size.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        try Tensor(shape: newShape, data: data)
    }

    /// The rows `indices` (0-based) of the first dimension, in that order.
    /// One block copy per row (a training batch gathers shuffled rows from
    /// memory: the copy loop per value was 9 % of an MLP epoch in perf).
    public func gatherRows(_ indices: [Int]) -> Tensor {
        let rs = rowSize, n = rows
        for r in indices { precondition(r >= 0 && r < n, "row \(r) out of range") }
        let out = [T](unsafeUninitializedCapacity: indices.count * rs) { dst, done in
            if let d = dst.baseAddress, rs > 0 {
                data.withPtr { src in for (k, r) in indices.enumerated() { (d + k * rs).initialize(from: src + r * rs, count: rs) } }
            }
            done = indices.count * rs
        }
        var s = shape; if s.isEmpty { s = [indices.count] } else { s[0] = indices.count }
        return Tensor(uncheckedShape: s, data: out)
    }

    /// The rows in `range` of the first dimension.
    public func slice(rows range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) out of range")
        let rs = rowSize
        var s = shape; if s.isEmpty { s = [range.count] } else { s[0] = range.count }
        return Tensor(uncheckedShape: s, data: Array(data[(range.lowerBound * rs)..<(range.upperBound * rs)]))
    }

    /// Converts the element type (e.g. Float storage to Double for checks).
    public func converted<U: NNFloat>(to: U.Type = U.self) -> Tensor<U> {
        Tensor<U>(uncheckedShape: shape, data: data.map { U($0) })
    }

    /// True when every value is finite.
    public var isFinite: Bool { data.allSatisfy { $0.isFinite } }

    /// Bytes of storage for a tensor of `count` values.
    public static func bytes(_ count: Int) -> Int { count * MemoryLayout<T>.stride }
}

extension Tensor: Codable {
    private enum CodingKeys: String, CodingKey { case shape, data }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try c.decode([Int].self, forKey: .shape)
        let data = try c.decode([T].self, forKey: .data)
        do { try self.init(shape: shape, data: data) } catch let e as NNError {
            throw DecodingError.dataCorruptedError(forKey: .data, in: c, debugDescription: e.message)
        }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shape, forKey: .shape); try c.encode(data, forKey: .data)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = data.prefix(6).map { "\(Double($0))" }.joined(separator: ", ")
        return "Tensor(\(shape.map(String.init).joined(separator: " × ")), Float\(MemoryLayout<T>.size * 8)) [\(shown)\(data.count > 6 ? ", …" : "")]"
    }
}

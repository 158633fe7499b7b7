/// One side of a vectorized operation: a whole array or a single broadcast value.
struct Operand<T> {
    let array: [T]?
    let scalar: T

    /// An array operand; `placeholder` only stands in as the unused scalar.
    static func of(_ a: [T], _ placeholder: T) -> Operand { Operand(array: a, scalar: placeholder) }
    static func constant(_ v: T) -> Operand { Operand(array: nil, scalar: v) }

    func map<U>(_ f: (T) -> U) -> Operand<U> {
        if let array { return Operand<U>(array: array.map(f), scalar: f(scalar)) }
        return .constant(f(scalar))
    }
}

/// out[i] = f(a[i], b[i]) with scalar broadcasting; tight loops over raw buffers.
@inline(__always)
func map2<A, B, R>(_ a: Operand<A>, _ b: Operand<B>, _ n: Int, _ f: (A, B) -> R) -> [R] {
    [R](unsafeUninitializedCapacity: n) { out, filled in
        let o = out.baseAddress!
        switch (a.array, b.array) {
        case let (x?, y?):
            x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
                for i in 0..<n { (o + i).initialize(to: f(xb[i], yb[i])) }
            } }
        case let (x?, nil):
            let s = b.scalar
            x.withUnsafeBufferPointer { xb in for i in 0..<n { (o + i).initialize(to: f(xb[i], s)) } }
        case let (nil, y?):
            let s = a.scalar
            y.withUnsafeBufferPointer { yb in for i in 0..<n { (o + i).initialize(to: f(s, yb[i])) } }
        case (nil, nil):
            let v = f(a.scalar, b.scalar)
            for i in 0..<n { (o + i).initialize(to: v) }
        }
        filled = n
    }
}

/// Growable storage of plain values for the CSV hot loop: append is a
/// capacity check and a store (no copy-on-write or uniqueness checks).
/// Not self-freeing: the single owner calls `free()` (or `takeArray()`),
/// which `ColumnBuilder.release()` does for every builder that is dropped.
struct RawVec<T: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<T>? = nil
    private(set) var count = 0
    private(set) var capacity = 0

    init() {}

    init(repeating v: T, count n: Int, reserve: Int) {
        self.reserve(Swift.max(n, reserve))
        if n > 0 { base!.initialize(repeating: v, count: n) }
        count = n
    }

    @inline(__always) mutating func append(_ v: T) {
        if count == capacity { grow(Swift.max(16, capacity * 2)) }
        (base! + count).initialize(to: v)
        count += 1
    }

    mutating func reserve(_ n: Int) {
        if n > capacity { grow(n) }
    }

    private mutating func grow(_ n: Int) {
        let p = UnsafeMutablePointer<T>.allocate(capacity: n)
        if let base {
            p.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = p
        capacity = n
    }

    mutating func removeLast(_ k: Int) { count -= Swift.min(k, count) }

    @inline(__always) subscript(i: Int) -> T { base![i] }

    /// Copies the values to `dest`.
    func copy(to dest: UnsafeMutablePointer<T>) {
        if count > 0 { dest.update(from: base!, count: count) }
    }

    mutating func free() {
        base?.deallocate()
        base = nil; count = 0; capacity = 0
    }
}

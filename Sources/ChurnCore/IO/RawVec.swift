#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Growable storage of plain values for the CSV hot loop: append is a
/// capacity check and a store (no copy-on-write or uniqueness checks).
/// Blocks of 64 KiB and more are mapped straight from the system, so freeing one returns its memory at once: while
/// chunks are joined into columns the peak stays near the final size instead
/// of sitting in malloc's free lists.
/// Not self-freeing: the single owner calls `free()`, which
/// `ColumnBuilder.release()` does for every builder that is dropped.
struct RawVec<T: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<T>? = nil
    private(set) var count = 0
    private(set) var capacity = 0
    /// The block came from mmap (else from malloc).
    private var mapped = false

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

    private static var mapThreshold: Int { 1 << 16 }

    private static func bytes(_ n: Int) -> Int {
        let page = 4096
        return (n * MemoryLayout<T>.stride + page - 1) / page * page
    }

    private mutating func grow(_ n: Int) {
        let newBytes = n * MemoryLayout<T>.stride
        if newBytes >= Self.mapThreshold {
            let size = Self.bytes(n)
            var raw: UnsafeMutableRawPointer? = nil
            do {
                let m = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                if let m, m != MAP_FAILED {
                    if let base {
                        m.copyMemory(from: base, byteCount: count * MemoryLayout<T>.stride)
                        release(base, capacity, mapped)
                    }
                    raw = m
                }
            }
            if let raw {
                base = raw.bindMemory(to: T.self, capacity: n)
                capacity = size / MemoryLayout<T>.stride
                mapped = true
                return
            }
        }
        let p = UnsafeMutablePointer<T>.allocate(capacity: n)
        if let base {
            p.moveInitialize(from: base, count: count)
            release(base, capacity, mapped)
        }
        base = p
        capacity = n
        mapped = false
    }

    private func release(_ p: UnsafeMutablePointer<T>, _ cap: Int, _ wasMapped: Bool) {
        if wasMapped { munmap(UnsafeMutableRawPointer(p), Self.bytes(cap)) }
        else { p.deallocate() }
    }

    mutating func removeLast(_ k: Int) { count -= Swift.min(k, count) }

    @inline(__always) subscript(i: Int) -> T { base![i] }

    /// Copies the values to `dest`.
    func copy(to dest: UnsafeMutablePointer<T>) {
        if count > 0 { dest.update(from: base!, count: count) }
    }

    mutating func free() {
        if let base { release(base, capacity, mapped) }
        base = nil; count = 0; capacity = 0; mapped = false
    }
}

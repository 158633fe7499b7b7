import ExecutionControl
import Foundation

/// A large, fixed-size scratch array of `Double`s whose memory is asked to be
/// backed by transparent huge pages (Linux `madvise(MADV_HUGEPAGE)`; elsewhere,
/// or when the kernel says no, ordinary pages).
///
/// Why: a fit that builds a fresh 160 MB working matrix (Cox at 1M × 20) pays
/// for the first touch of each 4 KB page — a fault and a zeroing, 40,000 times.
/// Measured here (one thread, `memset` of 160 MB of fresh memory): 0.29–0.32 s
/// with 4 KB pages, 0.12–0.14 s with 2 MB pages. Swift arrays cannot ask for
/// that, so working sets that are written once and then streamed many times
/// live here instead. Contents start uninitialised; the owner writes every
/// element before reading it.
final class HugePageBuffer: @unchecked Sendable {
    let count: Int
    let pointer: UnsafeMutablePointer<Double>
    private static let hugePage = 2 << 20

    /// Checks the memory budget before allocating (`purpose` names it in the error).
    init(count: Int, for purpose: String) throws {
        let bytes = max(1, count) * MemoryLayout<Double>.stride
        try ExecutionContext.checkMemory(bytes, for: purpose)
        let aligned = (bytes + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, Self.hugePage, aligned) == 0, let raw else {
            throw AllocationError(bytes: bytes, purpose: purpose)
        }
        #if os(Linux)
        _ = madvise(raw, aligned, 14 /* MADV_HUGEPAGE */)   // advice only: failure leaves 4 KB pages
        #endif
        self.count = count
        pointer = raw.bindMemory(to: Double.self, capacity: max(1, count))
    }

    deinit { free(pointer) }

    @inline(__always) subscript(i: Int) -> Double { pointer[i] }
}

/// The system refused memory (not the script's budget: that is `MemoryLimitError`).
struct AllocationError: Error, CustomStringConvertible {
    let bytes: Int, purpose: String
    var description: String { "out of memory allocating \(purpose) (\(bytes >> 20) MB)" }
}

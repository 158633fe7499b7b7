#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thrown when an allocation made for a script would exceed its memory limit.
public struct MemoryLimitError: Error, CustomStringConvertible, Sendable, Equatable {
    public let limitBytes: Int
    /// What was being allocated, e.g. "column 'amount' (8.0 MB)".
    public let what: String
    public init(limitBytes: Int, what: String) { self.limitBytes = limitBytes; self.what = what }
    public var description: String {
        "memory limit exceeded (\(limitBytes >> 20) MB)" + (what.isEmpty ? "" : " allocating \(what)")
    }
}

/// One memory limit for everything a script holds: the Lua heap (counted by
/// the C allocator, read through `luaHeapBytes`) plus the large Swift-side
/// allocations made for it (frames' columns, matrices, models, histograms),
/// which the core charges here *before* allocating.
///
/// `charged` lives in shared memory so the C allocator can add it to the Lua
/// heap size when it decides whether to refuse memory.
public final class MemoryBudget: @unchecked Sendable {
    /// 0 = unlimited.
    public private(set) var limit: Int
    /// Bytes charged by Swift code and not yet released. Updated under `lock`;
    /// read racily (a word) by the C allocator.
    public let chargedPointer: UnsafeMutablePointer<Int>
    /// Bytes the Lua heap holds now (set by the runtime that owns the heap).
    public var luaHeapBytes: () -> Int = { 0 }
    private var lock = pthread_mutex_t()

    public init(limit: Int = 0) {
        self.limit = max(0, limit)
        chargedPointer = .allocate(capacity: 1); chargedPointer.initialize(to: 0)
        pthread_mutex_init(&lock, nil)
    }

    deinit {
        pthread_mutex_destroy(&lock)
        chargedPointer.deallocate()
    }

    public func setLimit(_ bytes: Int) { limit = max(0, bytes) }

    public var charged: Int { chargedPointer.pointee }

    /// Total bytes held against the limit.
    public var used: Int { charged + luaHeapBytes() }

    /// Charges `bytes` or throws `MemoryLimitError` without charging.
    public func reserve(_ bytes: Int, for what: @autoclosure () -> String = "") throws {
        guard bytes > 0 else { return }
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        let c = chargedPointer.pointee
        if limit > 0 {
            let (total, o1) = c.addingReportingOverflow(bytes)
            let (all, o2) = total.addingReportingOverflow(luaHeapBytes())
            if o1 || o2 || all > limit { throw MemoryLimitError(limitBytes: limit, what: what()) }
        }
        chargedPointer.pointee = c &+ bytes
    }

    /// Returns bytes charged earlier.
    public func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        chargedPointer.pointee = max(0, chargedPointer.pointee - bytes)
    }

    /// Throws if `bytes` more would not fit, without charging (for transient
    /// working memory that is freed before the call returns).
    public func check(_ bytes: Int, for what: @autoclosure () -> String = "") throws {
        guard limit > 0, bytes > 0 else { return }
        let (total, o) = charged.addingReportingOverflow(bytes)
        let (all, o2) = total.addingReportingOverflow(luaHeapBytes())
        if o || o2 || all > limit { throw MemoryLimitError(limitBytes: limit, what: what()) }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Large scratch arrays of the clustering passes, allocated uninitialised
/// (every element is written by the first pass before any read) and, on
/// Linux, advised for transparent huge pages.
///
/// A fresh 160 MB array (1,000,000 × 20 doubles) is ~40,000 page faults of
/// 4 KiB on first touch, which cost more CPU than a Lloyd iteration over it;
/// with 2 MiB pages it is a few hundred. Zero-filling first (`repeating: 0`)
/// adds a serial pass on top. The advice only changes how the kernel backs
/// the memory, never its contents; where huge pages are off it does nothing.
enum LargeArrays {
    static func uninitialized(_ count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { adviseHugePages(UnsafeMutableRawPointer(base), bytes: count * 8) }
            initialized = count
        }
    }

    /// The whole 2 MiB-aligned pages inside [p, p + bytes) as MADV_HUGEPAGE.
    static func adviseHugePages(_ p: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let huge: UInt = 2 << 20
        let start = UInt(bitPattern: p), end = start + UInt(bytes)
        let first = (start + huge - 1) & ~(huge - 1)
        guard end > first + huge else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), Int((end - first) & ~(huge - 1)), MADV_HUGEPAGE)
        #endif
    }
}

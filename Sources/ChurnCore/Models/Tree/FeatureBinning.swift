/// How one feature's raw values map to at most 255 bins plus a missing bin.
///
/// Numeric features: when the feature has at most `maxBins` distinct values
/// (in the binning sample) every value gets its own bin, so splits are exact
/// (CART on small data finds the same thresholds as an exhaustive search).
/// Otherwise bins are quantiles of the sample, breaking only between distinct
/// values. Categorical features: one bin per level; with more than `maxBins`
/// levels the most frequent `maxBins - 1` keep their own bin and the rest share
/// the last one.
struct FeatureBinner: Sendable {
    let isCategorical: Bool
    /// Number of non-missing bins; the missing bin has index `binCount`.
    let binCount: Int
    /// Numeric: value x goes to the first bin b with x <= upper[b] (last is +inf).
    let upper: [Double]
    /// Numeric: smallest and largest training value in each bin (split
    /// thresholds are midpoints between neighbouring non-empty bins).
    var lo: [Double]
    var hi: [Double]
    /// Categorical: bin of each level code, and the level codes of each bin.
    let codeToBin: [UInt8]
    let binCodes: [[Int32]]

    var missingBin: Int { binCount }

    static func numeric(sortedSample s: [Double], maxBins: Int) -> FeatureBinner {
        var distinct: [Double] = [], counts: [Int] = []
        for v in s {
            if let last = distinct.last, last == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
        }
        var upper: [Double] = []
        if distinct.count <= maxBins {
            for i in 0..<max(0, distinct.count - 1) { upper.append(midpoint(distinct[i], distinct[i + 1])) }
        } else {
            // Greedy quantiles over distinct values: close a bin once it holds
            // its share of the remaining rows; heavy values get bins of their own.
            var remaining = s.count, binsLeft = maxBins, acc = 0
            for i in 0..<(distinct.count - 1) {
                acc += counts[i]
                let target = Double(remaining) / Double(binsLeft)
                let nextHeavy = Double(counts[i + 1]) >= target
                if Double(acc) >= target || (nextHeavy && acc > 0) {
                    upper.append(midpoint(distinct[i], distinct[i + 1]))
                    remaining -= acc; acc = 0; binsLeft -= 1
                    if binsLeft == 1 { break }
                }
            }
        }
        upper.append(.infinity)
        let b = upper.count
        return FeatureBinner(isCategorical: false, binCount: b, upper: upper,
                             lo: [Double](repeating: .infinity, count: b), hi: [Double](repeating: -.infinity, count: b),
                             codeToBin: [], binCodes: [])
    }

    static func categorical(codes: [Int32], levels: Int, maxBins: Int) -> FeatureBinner {
        if levels <= maxBins {
            return FeatureBinner(isCategorical: true, binCount: max(levels, 1), upper: [], lo: [], hi: [],
                                 codeToBin: (0..<levels).map { UInt8($0) }, binCodes: (0..<levels).map { [Int32($0)] })
        }
        var counts = [Int](repeating: 0, count: levels)
        for c in codes where c >= 0 { counts[Int(c)] += 1 }
        let order = (0..<levels).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var codeToBin = [UInt8](repeating: UInt8(maxBins - 1), count: levels)
        var binCodes = [[Int32]](repeating: [], count: maxBins)
        for (rank, code) in order.enumerated() {
            let bin = min(rank, maxBins - 1)
            codeToBin[code] = UInt8(bin); binCodes[bin].append(Int32(code))
        }
        return FeatureBinner(isCategorical: true, binCount: maxBins, upper: [], lo: [], hi: [],
                             codeToBin: codeToBin, binCodes: binCodes)
    }

    /// Midpoint as scikit-learn computes it (a/2 + b/2, falling back to `a`
    /// when rounding lands on `b`), so `a <= t < b`.
    static func midpoint(_ a: Double, _ b: Double) -> Double {
        let m = a / 2 + b / 2
        return (m >= b || m.isInfinite) ? a : m
    }

    @inline(__always) func bin(_ x: Double) -> Int {
        if x.isNaN { return binCount }
        var lo = 0, hi = binCount - 1
        return upper.withUnsafeBufferPointer { u in
            while lo < hi {
                let mid = (lo + hi) >> 1
                if x <= u[mid] { hi = mid } else { lo = mid + 1 }
            }
            return lo
        }
    }
}

/// All features binned to UInt8, column-major (feature f's bins are
/// `bins[f*nrow ..< (f+1)*nrow]`), with the histogram layout: feature f owns
/// histogram slots `histOffset[f] ..< histOffset[f] + binCount + 1`.
final class BinnedData: @unchecked Sendable {
    let nrow: Int
    let binners: [FeatureBinner]
    let bins: UnsafeMutablePointer<UInt8>
    let histOffset: [Int]
    /// `histOffset` as Int32, for the histogram kernels.
    let histOffset32: [Int32]
    let totalBins: Int

    var nfeat: Int { binners.count }

    /// Bins `X`. Numeric bin edges come from a seeded sample of at most
    /// `sampleSize` rows (all rows when fewer), as LightGBM does.
    /// Checks for cancellation per feature (binning one feature of 10⁶ rows takes milliseconds).
    init(_ X: FeatureMatrix, maxBins: Int = 255, sampleSize: Int = 200_000, seed: UInt64 = 0) throws {
        let n = X.nrow
        nrow = n
        let maxBins = min(max(maxBins, 2), 255)
        var sample: [Int]? = nil
        if n > sampleSize {
            var rng = SeededRandom(seed: seed, stream: 0xB1)
            sample = (0..<sampleSize).map { _ in rng.below(n) }.sorted()
        }
        var binners = [FeatureBinner?](repeating: nil, count: X.features.count)
        try binners.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            try Parallel.forEachThrowing(X.features.count) { f in
                switch X.features[f] {
                case .numeric(let v):
                    var s: [Double]
                    if let sample { s = sample.map { v[$0] }.filter { !$0.isNaN } } else { s = v.filter { !$0.isNaN } }
                    s.sort()
                    base[f] = FeatureBinner.numeric(sortedSample: s, maxBins: maxBins)
                case .categorical(let c, let levels):
                    base[f] = FeatureBinner.categorical(codes: c, levels: levels.count, maxBins: maxBins)
                }
            }
        }
        var b = binners.map { $0! }
        var offsets: [Int] = [], total = 0
        for x in b { offsets.append(total); total += x.binCount + 1 }
        histOffset = offsets; histOffset32 = offsets.map { Int32($0) }; totalBins = total
        let nf = b.count
        let binsPtr = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, n * nf))
        do {
            try b.withUnsafeMutableBufferPointer { bp in
                let bbase = bp.baseAddress!
                try Parallel.forEachThrowing(nf) { f in
                    let out = binsPtr + f * n
                    switch X.features[f] {
                    case .numeric(let v):
                        var binner = bbase[f]
                        var lo = binner.lo, hi = binner.hi
                        v.withUnsafeBufferPointer { v in
                            for r in 0..<n {
                                let x = v[r], k = binner.bin(x)
                                out[r] = UInt8(k)
                                if k < binner.binCount {
                                    if x < lo[k] { lo[k] = x }
                                    if x > hi[k] { hi[k] = x }
                                }
                            }
                        }
                        binner.lo = lo; binner.hi = hi
                        bbase[f] = binner
                    case .categorical(let c, _):
                        let binner = bbase[f]
                        c.withUnsafeBufferPointer { c in
                            for r in 0..<n {
                                let code = Int(c[r])
                                out[r] = code < 0 || code >= binner.codeToBin.count ? UInt8(binner.binCount) : binner.codeToBin[code]
                            }
                        }
                    }
                }
            }
        } catch {
            binsPtr.deallocate()
            throw error
        }
        bins = binsPtr
        self.binners = b
    }

    /// Row-major copy of `bins` (row r's bins at `rowBins[r*rowStride ..< r*rowStride + nfeat]`),
    /// made by `makeRowMajor()` for row-wise histogram building (GBDT).
    private(set) var rowBins: UnsafeMutablePointer<UInt8>? = nil

    /// Bytes per row of `rowBins`: nfeat rounded up to a power of two up to 64, then to a
    /// multiple of 64, with rows 64-byte aligned, so a row of up to 64 features sits in one
    /// cache line. Unpadded, a 45-feature row straddles two lines 44 times in 64, and
    /// those loads are what row-wise histograms over a leaf's scattered rows wait on.
    var rowStride: Int { Self.rowStride(nfeat: nfeat) }

    static func rowStride(nfeat: Int) -> Int {
        let nf = max(1, nfeat)
        if nf > 64 { return (nf + 63) & ~63 }
        var s = 1
        while s < nf { s <<= 1 }
        return s
    }

    deinit { bins.deallocate(); rowBins?.deallocate() }

    @inline(__always) func column(_ f: Int) -> UnsafeMutablePointer<UInt8> { bins + f * nrow }

    /// Builds `rowBins` (once). Row-wise histograms read one row's bins from one
    /// cache line instead of touching every column, which is what makes them
    /// faster for dense data (LightGBM's "row-wise" mode); it costs nrow·rowStride bytes.
    func makeRowMajor() throws {
        guard rowBins == nil else { return }
        let n = nrow, nf = nfeat, stride = rowStride
        let out = UnsafeMutableRawPointer.allocate(byteCount: max(1, n * stride), alignment: 64)
            .bindMemory(to: UInt8.self, capacity: max(1, n * stride))
        let src = bins
        let chunks = Parallel.ranges(n, chunks: max(1, n / 65536))
        defer { if rowBins == nil { out.deallocate() } }   // cancelled
        try Parallel.forEachThrowing(chunks.count) { c in
            let range = chunks[c]
            var start = range.lowerBound
            while start < range.upperBound {        // blocks keep both sides in cache
                let end = min(start + 4096, range.upperBound)
                for f in 0..<nf {
                    let col = src + f * n
                    for r in start..<end { out[r * stride + f] = col[r] }
                }
                if stride > nf { for r in start..<end { (out + r * stride + nf).initialize(repeating: 0, count: stride - nf) } }
                start = end
            }
        }
        rowBins = out
    }
}

/// A heap buffer with a stable pointer, for scratch arrays shared across threads.
final class ScratchBuffer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    let count: Int
    init(_ count: Int, _ initial: T) {
        self.count = count
        p = .allocate(capacity: max(1, count))
        p.initialize(repeating: initial, count: max(1, count))
    }
    deinit { p.deinitialize(count: max(1, count)); p.deallocate() }
}

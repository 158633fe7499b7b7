/// Sorting of scores by their IEEE-754 bit patterns. A Double maps to a
/// UInt64 whose unsigned order equals the numeric order, so an LSD radix sort
/// (11-bit digits, passes whose digit is constant are skipped) orders 10M
/// scores in a few linear passes instead of a comparison sort.
enum ScoreSort {
    /// Order-preserving key of a finite Double (-0.0 and +0.0 map to one key).
    @inline(__always) static func key(_ d: Double) -> UInt64 {
        let b = (d + 0.0).bitPattern
        return (b >> 63) != 0 ? ~b : b | (1 << 63)
    }

    /// Inverse of `key`.
    @inline(__always) static func value(_ k: UInt64) -> Double {
        Double(bitPattern: (k >> 63) != 0 ? k & ~(1 << 63) : ~k)
    }

    private static let bits = 11
    private static let radix = 1 << bits
    private static let passes = (64 + bits - 1) / bits

    /// Sorts `keys` ascending (stable), carrying `payload` along when given.
    static func sort<T>(_ keys: inout [UInt64], payload: inout [T]?) {
        let n = keys.count
        if n < 2 { return }
        if n < 256 {
            // Small inputs: a comparison sort beats the histogram set-up.
            if var pl = payload {
                var idx = Array(0..<n)
                idx.sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
                keys = idx.map { keys[$0] }; pl = idx.map { pl[$0] }; payload = pl
            } else { keys.sort() }
            return
        }
        // One read of the data builds every pass's histogram.
        var hist = [Int](repeating: 0, count: passes * radix)
        keys.withUnsafeBufferPointer { kb in
            hist.withUnsafeMutableBufferPointer { hb in
                for k in kb {
                    var x = k
                    for p in 0..<passes { hb[p * radix + Int(x & UInt64(radix - 1))] += 1; x >>= UInt64(bits) }
                }
            }
        }
        var tmpK = [UInt64](repeating: 0, count: n)
        var tmpP: [T]? = payload.map { Array($0) }
        var inTmp = false
        for p in 0..<passes {
            let shift = UInt64(p * bits)
            // Skip a pass whose digit is the same for all keys.
            let h0 = p * radix
            var trivial = false
            for d in 0..<radix where hist[h0 + d] != 0 { trivial = hist[h0 + d] == n; break }
            if trivial { continue }
            var offs = [Int](repeating: 0, count: radix)
            var s = 0
            for d in 0..<radix { offs[d] = s; s += hist[h0 + d] }
            if inTmp { scatter(from: &tmpK, &tmpP, to: &keys, &payload, offs: &offs, shift: shift) }
            else { scatter(from: &keys, &payload, to: &tmpK, &tmpP, offs: &offs, shift: shift) }
            inTmp.toggle()
        }
        if inTmp { swap(&keys, &tmpK); if payload != nil { swap(&payload, &tmpP) } }
    }

    @inline(__always)
    private static func scatter<T>(from sk: inout [UInt64], _ sp: inout [T]?, to dk: inout [UInt64], _ dp: inout [T]?,
                                offs: inout [Int], shift: UInt64) {
        let mask = UInt64(radix - 1)
        offs.withUnsafeMutableBufferPointer { ob in
            sk.withUnsafeBufferPointer { skb in
                dk.withUnsafeMutableBufferPointer { dkb in
                    if sp != nil {
                        sp!.withUnsafeBufferPointer { spb in
                            dp!.withUnsafeMutableBufferPointer { dpb in
                                for i in 0..<skb.count {
                                    let k = skb[i]; let d = Int((k >> shift) & mask)
                                    let o = ob[d]; dkb[o] = k; dpb[o] = spb[i]; ob[d] = o + 1
                                }
                            }
                        }
                    } else {
                        for i in 0..<skb.count {
                            let k = skb[i]; let d = Int((k >> shift) & mask)
                            let o = ob[d]; dkb[o] = k; ob[d] = o + 1
                        }
                    }
                }
            }
        }
    }
}

/// Parquet's RLE / bit-packing hybrid (definition levels, dictionary indices).
///
/// A run header (ULEB128) is either `count << 1` followed by one value in
/// ⌈bitWidth/8⌉ bytes (a repeated run) or `groups << 1 | 1` followed by
/// `groups × bitWidth` bytes holding 8·groups values packed LSB first. Every
/// run is checked against the bytes left and the values still wanted.
enum ParquetRLE {
    /// Decodes `count` values of `bitWidth` bits (0…32) from `[pos, end)` into `out`.
    static func decode(_ base: UnsafePointer<UInt8>, _ pos: Int, _ end: Int, bitWidth: Int, count: Int,
                       into out: UnsafeMutablePointer<UInt32>) throws {
        guard (0...32).contains(bitWidth) else { throw ParquetFormatError("bit width \(bitWidth) out of range") }
        var p = pos
        var done = 0
        if bitWidth == 0 { out.update(repeating: 0, count: count); return }
        let valueBytes = (bitWidth + 7) / 8
        let mask: UInt64 = bitWidth == 32 ? 0xFFFF_FFFF : (1 << UInt64(bitWidth)) - 1
        while done < count {
            var header: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard p < end else { throw ParquetFormatError("RLE data ends after \(done) of \(count) values") }
                let b = base[p]; p += 1
                header |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
                guard shift < 64 else { throw ParquetFormatError("RLE run header too long") }
            }
            if header & 1 == 0 {
                let n = header >> 1
                guard n > 0 else { throw ParquetFormatError("empty RLE run") }
                guard valueBytes <= end - p else { throw ParquetFormatError("RLE run value runs past the page") }
                var v: UInt32 = 0
                for k in 0..<valueBytes { v |= UInt32(base[p + k]) << (8 * UInt32(k)) }
                p += valueBytes
                let take = Int(min(n, UInt64(count - done)))
                (out + done).update(repeating: v, count: take)
                done += take
            } else {
                let groups = header >> 1
                guard groups > 0, groups <= UInt64(end - p) else { throw ParquetFormatError("bit-packed run runs past the page") }
                let bytes = Int(groups) * bitWidth
                guard bytes <= end - p else { throw ParquetFormatError("bit-packed run runs past the page") }
                let values = Int(groups) * 8
                let take = min(values, count - done)
                var bitPos = 0
                for k in 0..<take {
                    // Gather up to 5 bytes covering the value's bits.
                    let byte = bitPos >> 3, off = UInt64(bitPos & 7)
                    var w: UInt64 = 0
                    let have = min(5, bytes - byte)
                    for j in 0..<have { w |= UInt64(base[p + byte + j]) << (8 * UInt64(j)) }
                    out[done + k] = UInt32(truncatingIfNeeded: (w >> off) & mask)
                    bitPos += bitWidth
                }
                p += bytes
                done += take
            }
        }
    }

    /// Encodes values as the hybrid: repeated runs of 8 or more as RLE runs,
    /// the rest bit-packed in groups of 8 (padded with zeros at the end).
    static func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * max(1, bitWidth) / 8 + 16)
        let valueBytes = (bitWidth + 7) / 8
        func uleb(_ v: UInt64) {
            var v = v
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        var pending: [UInt32] = []   // values waiting to be bit-packed (a multiple of 8 except at the end)
        func flushPacked() {
            guard !pending.isEmpty else { return }
            while pending.count % 8 != 0 { pending.append(0) }
            let groups = pending.count / 8
            uleb(UInt64(groups) << 1 | 1)
            var acc: UInt64 = 0, bits = 0
            for v in pending {
                acc |= UInt64(v) << UInt64(bits)
                bits += bitWidth
                while bits >= 8 { out.append(UInt8(acc & 0xFF)); acc >>= 8; bits -= 8 }
            }
            if bits > 0 { out.append(UInt8(acc & 0xFF)) }
            pending.removeAll(keepingCapacity: true)
        }
        var i = 0
        let n = values.count
        while i < n {
            var j = i + 1
            while j < n, values[j] == values[i] { j += 1 }
            let run = j - i
            // A long run is worth an RLE run once the packed buffer sits on a group boundary.
            if run >= 8 + (8 - pending.count % 8) % 8 {
                var start = i
                while pending.count % 8 != 0 { pending.append(values[start]); start += 1 }
                flushPacked()
                uleb(UInt64(j - start) << 1)
                let v = values[i]
                for k in 0..<valueBytes { out.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) }
            } else {
                pending.append(contentsOf: values[i..<j])
            }
            i = j
        }
        flushPacked()
        return out
    }

    /// Bits needed for values up to `maxValue`.
    static func bitWidth(_ maxValue: UInt32) -> Int { maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount }
}

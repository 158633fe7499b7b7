/// `/v1/score` bodies for a model whose inputs are all numeric features (no
/// pipeline), read in one pass straight into row-major values in the model's
/// feature order: no JSON tree, no frame (a booster scores those rows as they
/// are; other models take them as columns). Rows normally list the features in the model's order, so
/// each key is first compared with the expected name only; other orders fall
/// back to a scan of the names.
///
/// Accept-only (see `FastJSONScanner`): nil for anything unusual — an unknown,
/// repeated or missing key, a string value, an escape, too many rows — and
/// the strict path then answers, with the same result or the error naming
/// the field. A test checks both paths agree on random bodies.
enum FastScoreDecoding {
    struct Batch {
        /// Row-major: feature f of row r at `r · featureCount + f`, in the model's feature order; NaN for null.
        let values: [Double]
        let featureCount: Int
        let nrow: Int
        let reasons: Bool

        /// One column per model feature, `nrow` values each.
        var columns: [[Double]] {
            values.withUnsafeBufferPointer { v in
                (0..<featureCount).map { c in
                    [Double](unsafeUninitializedCapacity: nrow) { out, n in
                        for r in 0..<nrow { out[r] = v[r * featureCount + c] }
                        n = nrow
                    }
                }
            }
        }
    }

    private static let rowsKey = Array("rows".utf8), reasonsKey = Array("reasons".utf8)

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, names: [[UInt8]], maxRows: Int) -> Batch? {
        var s = FastJSONScanner(bytes)
        let nf = names.count
        guard nf > 0, s.take(0x7B) else { return nil }
        var reasons: Bool?
        var values: [Double] = []     // row-major while reading
        var nrow = 0, sawRows = false
        var stamp = [Int](repeating: -1, count: nf)   // row that last set each feature (duplicate check)
        while true {
            guard let key = s.plainString(), s.take(0x3A) else { return nil }
            if s.equals(key, reasonsKey) {
                guard reasons == nil else { return nil }
                if s.literal("true") { reasons = true } else if s.literal("false") { reasons = false } else { return nil }
            } else if s.equals(key, rowsKey) {
                guard !sawRows, s.take(0x5B) else { return nil }
                sawRows = true
                if s.peek() == 0x5D { return nil }   // empty: the strict path names the error
                repeat {
                    guard nrow < maxRows, s.take(0x7B) else { return nil }
                    let base = values.count
                    values.append(contentsOf: repeatElement(.nan, count: nf))
                    var seen = 0
                    if s.peek() != 0x7D {
                        repeat {
                            guard let k = s.plainString(), s.take(0x3A) else { return nil }
                            // Expected position first, then a scan.
                            var c = seen < nf && s.equals(k, names[seen]) ? seen : -1
                            if c < 0 { for j in 0..<nf where s.equals(k, names[j]) { c = j; break } }
                            guard c >= 0, stamp[c] != nrow else { return nil }
                            stamp[c] = nrow
                            seen += 1
                            if s.peek() == 0x6E {
                                guard s.literal("null") else { return nil }
                            } else {
                                guard let x = s.number() else { return nil }
                                values[base + c] = x
                            }
                        } while s.take(0x2C)
                    }
                    guard s.take(0x7D), seen == nf else { return nil }
                    nrow += 1
                } while s.take(0x2C)
                guard s.take(0x5D) else { return nil }
            } else {
                return nil
            }
            if s.take(0x2C) { continue }
            guard s.take(0x7D) else { return nil }
            break
        }
        s.skipSpace()
        guard s.atEnd, sawRows else { return nil }
        return Batch(values: values, featureCount: nf, nrow: nrow, reasons: reasons ?? true)
    }
}

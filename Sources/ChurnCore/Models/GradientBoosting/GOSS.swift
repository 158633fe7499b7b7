/// Gradient-based one-side sampling (LightGBM's `data_sample_strategy = "goss"`,
/// Ke et al., NeurIPS 2017): each round keeps the rows whose |gradient · hessian|
/// is among the largest `topRate · n`, draws `otherRate · n` of the remaining rows
/// at random, and multiplies the drawn rows' gradients and hessians by
/// (rows below the top) / other (LightGBM: (n − top) / other; the same without
/// ties) so that their sums estimate the sums of all small-gradient rows. Trees are then grown on about (topRate + otherRate) · n rows. As in
/// LightGBM, sampling starts after the first ⌊1 / learning rate⌋ rounds.
public struct GOSSOptions: Codable, Sendable, Equatable {
    /// Share of rows kept for their large gradients (top_rate).
    public var topRate: Double = 0.2
    /// Share of rows drawn from the rest (other_rate).
    public var otherRate: Double = 0.1

    public init(topRate: Double = 0.2, otherRate: Double = 0.1) { self.topRate = topRate; self.otherRate = otherRate }

    func validate() throws {
        guard topRate > 0, topRate < 1, otherRate > 0, otherRate < 1, topRate + otherRate <= 1 else {
            throw TreeModelError.invalidOption("goss: top_rate and other_rate must be in (0, 1) with top_rate + other_rate <= 1, got \(topRate) and \(otherRate)")
        }
    }

    /// The first round that samples.
    func startIteration(learningRate: Double) -> Int { Int((1 / learningRate).rounded(.down)) }

    /// Fills `rows` with the kept rows (ascending) and `inBag` with whether each
    /// row is kept, scales the drawn rows' pairs in `gh`, and returns the count.
    /// The draw is selection sampling from `SeededRandom(seed, stream: 2·iteration)`
    /// (bagging's stream; the two are exclusive); `keys` is scratch for n values.
    func sample(n: Int, gh: UnsafeMutablePointer<GradPair>, seed: UInt64, iteration: Int,
                rows: UnsafeMutablePointer<UInt32>, inBag: UnsafeMutablePointer<Bool>,
                keys: UnsafeMutablePointer<Double>) -> Int {
        let top = max(1, Int(Double(n) * topRate)), other = max(1, Int(Double(n) * otherRate))
        guard top + other < n else {
            for i in 0..<n { rows[i] = UInt32(i); inBag[i] = true }
            return n
        }
        for i in 0..<n { keys[i] = abs(gh[i].g * gh[i].h) }
        let threshold = Self.kthLargest(keys, n, top - 1)
        // Rows below the threshold (n − top, or fewer when rows tie at the threshold:
        // those are all kept); the drawn ones stand for all of them.
        var rest = 0
        for i in 0..<n where abs(gh[i].g * gh[i].h) < threshold { rest += 1 }
        let scale = Double(rest) / Double(min(other, max(rest, 1)))
        var rng = SeededRandom(seed: seed, stream: UInt64(2 * iteration))
        // Rows below the threshold not yet seen, and how many of them are still to draw.
        var restLeft = rest, need = other, m = 0
        for i in 0..<n {
            let key = abs(gh[i].g * gh[i].h)
            var take = key >= threshold
            if !take {
                take = restLeft > 0 && Double(need) > rng.uniform() * Double(restLeft)
                restLeft -= 1
                if take { need -= 1; gh[i].g *= scale; gh[i].h *= scale }
            }
            inBag[i] = take
            if take { rows[m] = UInt32(i); m += 1 }
        }
        return m
    }

    /// The k-th largest (0-based) of v[0..<n], by quickselect (v is reordered).
    static func kthLargest(_ v: UnsafeMutablePointer<Double>, _ n: Int, _ k: Int) -> Double {
        var lo = 0, hi = n - 1
        while lo < hi {
            let a = v[lo], b = v[(lo + hi) / 2], c = v[hi]
            let pivot = max(min(a, b), min(max(a, b), c))          // median of three
            var i = lo, j = hi
            while i <= j {                                         // descending Hoare partition
                while v[i] > pivot { i += 1 }
                while v[j] < pivot { j -= 1 }
                if i <= j { let t = v[i]; v[i] = v[j]; v[j] = t; i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[lo]
    }
}

import ExecutionControl

/// The gate arithmetic of a recurrent cell, PyTorch's equations and gate
/// order. GRU (gates r, z, n): r = σ(x_r + h_r), z = σ(x_z + h_z),
/// n = tanh(x_n + r ⊙ h_n), h′ = (1 − z) ⊙ n + z ⊙ h, where x_· = W_i·x + b_i·
/// and h_· = W_h·h + b_h·. LSTM (gates i, f, g, o): c′ = f ⊙ c + i ⊙ g,
/// h′ = o ⊙ tanh(c′).
public enum RecurrentCell: String, Codable, Sendable {
    case gru, lstm
    var gates: Int { self == .gru ? 3 : 4 }
}

/// One layer, one direction of a GRU or LSTM, with fused cells: the input
/// projection of all time steps is one matrix product; each step then does
/// one small product h·W_hhᵀ and a single pass over the gates (activations,
/// state update and the values backward needs, together). Batch rows are
/// independent through time, so the recurrence runs batch-parallel: each
/// worker takes a block of rows through every step. A row's arithmetic does
/// not depend on its block, so the split changes no bit of the result.
/// Backward collects the gate gradients of every step, then forms the weight
/// gradients as two large products over batch × time (fixed order sums).
final class RecurrentDirection<T: NNFloat> {
    let cell: RecurrentCell, inputSize: Int, hidden: Int, reverse: Bool
    let weightIH: Parameter<T>, weightHH: Parameter<T>, biasIH: Parameter<T>, biasHH: Parameter<T>
    private var input: Tensor<T>?
    /// Per (row, step): GRU r, z, n, h_n; LSTM i, f, g, o — 4H values.
    private var gates: [T]?
    /// LSTM cell states per (row, step).
    private var cells: [T]?
    private var output: [T]?

    init(_ cell: RecurrentCell, inputSize: Int, hidden: Int, reverse: Bool, suffix: String, rng: inout SeededRandom) {
        self.cell = cell; self.inputSize = inputSize; self.hidden = hidden; self.reverse = reverse
        let g = cell.gates * hidden, bound = 1 / Double(hidden).squareRoot()
        weightIH = Parameter("weight_ih_\(suffix)", NNInit.uniform([g, inputSize], bound: bound, &rng))
        weightHH = Parameter("weight_hh_\(suffix)", NNInit.uniform([g, hidden], bound: bound, &rng))
        biasIH = Parameter("bias_ih_\(suffix)", NNInit.uniform([g], bound: bound, &rng))
        biasHH = Parameter("bias_hh_\(suffix)", NNInit.uniform([g], bound: bound, &rng))
    }

    var parameters: [Parameter<T>] { [weightIH, weightHH, biasIH, biasHH] }

    func clearCache() { input = nil; gates = nil; cells = nil; output = nil }

    /// x: (n, l, inputSize) → (n, l, hidden).
    @_specialize(exported: false, where T == Float)
    func forward(_ x: Tensor<T>, training: Bool, threads: Int) throws -> Tensor<T> {
        let n = x.shape[0], l = x.shape[1], h = hidden, gh = cell.gates * h
        let rows = n * l
        try ExecutionContext.checkMemory(Tensor<T>.bytes(rows * (gh + h + (training ? 5 * h : 0))), for: "recurrent layer")
        // Input projection for every (row, step): xw = x·W_ihᵀ + b_ih.
        var wt = [T](repeating: 0, count: inputSize * gh)
        weightIH.value.data.withPtr { w in wt.withMutPtr { Gemm.transpose(gh, inputSize, w, $0) } }
        var xw = [T](repeating: 0, count: rows * gh)
        xw.withMutPtr { p in biasIH.value.data.withPtr { b in for r in 0..<rows { for j in 0..<gh { p[r * gh + j] = b[j] } } } }
        x.data.withPtr { xp in wt.withPtr { wp in xw.withMutPtr { yp in
            Gemm.nnParallel(rows, gh, inputSize, xp, inputSize, wp, gh, yp, gh, accumulate: true, threads: threads)
        } } }
        var whhT = [T](repeating: 0, count: h * gh)
        weightHH.value.data.withPtr { w in whhT.withMutPtr { Gemm.transpose(gh, h, w, $0) } }
        var out = [T](repeating: 0, count: rows * h)
        var gateStore = [T](repeating: 0, count: training ? rows * 4 * h : 0)
        var cellStore = [T](repeating: 0, count: training && cell == .lstm ? rows * h : 0)
        let blocks = Parallel.ranges(n, chunks: max(1, min(n, threads)))
        let cellKind = cell
        xw.withPtr { xwp in whhT.withPtr { wp in biasHH.value.data.withPtr { bh in
        out.withMutPtr { op in gateStore.withMutPtr { gp in cellStore.withMutPtr { cp in
            WorkerPool.shared.run(blocks.count, threads: threads) { bi in
                let block = blocks[bi], rcount = block.count
                guard rcount > 0 else { return }
                let hs = UnsafeMutablePointer<T>.allocate(capacity: rcount * h); hs.initialize(repeating: 0, count: rcount * h)
                let cs = UnsafeMutablePointer<T>.allocate(capacity: rcount * h); cs.initialize(repeating: 0, count: rcount * h)
                let hw = UnsafeMutablePointer<T>.allocate(capacity: rcount * gh)
                let pre = UnsafeMutablePointer<T>.allocate(capacity: rcount * gh)
                defer { hs.deallocate(); cs.deallocate(); hw.deallocate(); pre.deallocate() }
                for s in 0..<l {
                    let t = self.reverse ? l - 1 - s : s
                    for r in 0..<rcount { for j in 0..<gh { hw[r * gh + j] = bh[j] } }
                    Gemm.nn(rcount, gh, h, hs, h, wp, gh, hw, gh, accumulate: true)
                    for r in 0..<rcount {
                        let row = (block.lowerBound + r) * l + t
                        let xr = xwp + row * gh, hr = hw + r * gh, hrow = hs + r * h, orow = op + row * h
                        let pa = pre + r * gh
                        // Gate activations over whole runs of units (`T.sigmoidInPlace` and
                        // `T.tanhInPlace` are vectorised for Float), then the state update.
                        switch cellKind {
                        case .gru:
                            for j in 0..<(2 * h) { pa[j] = xr[j] + hr[j] }
                            T.sigmoidInPlace(pa, 2 * h)
                            for j in 0..<h { pa[2 * h + j] = xr[2 * h + j] + pa[j] * hr[2 * h + j] }
                            T.tanhInPlace(pa + 2 * h, h)
                            for j in 0..<h {
                                let z = pa[h + j], nn = pa[2 * h + j]
                                let hnew = (1 - z) * nn + z * hrow[j]
                                hrow[j] = hnew; orow[j] = hnew
                            }
                            if training {
                                let g = gp + row * 4 * h
                                for j in 0..<(3 * h) { g[j] = pa[j] }
                                for j in 0..<h { g[3 * h + j] = hr[2 * h + j] }
                            }
                        case .lstm:
                            let crow = cs + r * h
                            for j in 0..<gh { pa[j] = xr[j] + hr[j] }
                            T.sigmoidInPlace(pa, 2 * h)
                            T.tanhInPlace(pa + 2 * h, h)
                            T.sigmoidInPlace(pa + 3 * h, h)
                            for j in 0..<h {
                                let c = pa[h + j] * crow[j] + pa[j] * pa[2 * h + j]
                                crow[j] = c; hr[j] = c
                            }
                            T.tanhInPlace(hr, h)
                            for j in 0..<h {
                                let hnew = pa[3 * h + j] * hr[j]
                                hrow[j] = hnew; orow[j] = hnew
                            }
                            if training {
                                let g = gp + row * 4 * h
                                for j in 0..<gh { g[j] = pa[j] }
                                for j in 0..<h { cp[row * h + j] = crow[j] }
                            }
                        }
                    }
                }
            }
        } } } } } }
        if training { input = x; gates = gateStore; cells = cellStore; output = out }
        return Tensor(uncheckedShape: [n, l, h], data: out)
    }

    /// dOut: (n, l, hidden) → dX (n, l, inputSize); accumulates the gradients.
    @_specialize(exported: false, where T == Float)
    func backward(_ dOut: Tensor<T>, threads: Int) throws -> Tensor<T> {
        let x = try ShapeCheck.cached(cell.rawValue, input), gs = try ShapeCheck.cached(cell.rawValue, gates)
        let out = try ShapeCheck.cached(cell.rawValue, output), cs = cells ?? []
        let n = x.shape[0], l = x.shape[1], h = hidden, gh = cell.gates * h, rows = n * l
        guard dOut.shape == [n, l, h] else { throw NNError("\(cell.rawValue): gradient shape \(dOut.shape) mismatch") }
        let separateHH = cell == .gru
        try ExecutionContext.checkMemory(Tensor<T>.bytes(rows * (2 * gh + h + inputSize)), for: "recurrent backward")
        var dAi = [T](repeating: 0, count: rows * gh)
        var dAh = [T](repeating: 0, count: separateHH ? rows * gh : 0)
        let blocks = Parallel.ranges(n, chunks: max(1, min(n, threads)))
        let cellKind = cell, rev = reverse
        weightHH.value.data.withPtr { whh in dOut.data.withPtr { dop in gs.withPtr { gp in out.withPtr { op in cs.withPtr { cp in
        dAi.withMutPtr { dai in dAh.withMutPtr { dah0 in
            let dah = separateHH ? dah0 : dai
            WorkerPool.shared.run(blocks.count, threads: threads) { bi in
                let block = blocks[bi], rcount = block.count
                guard rcount > 0 else { return }
                let dh = UnsafeMutablePointer<T>.allocate(capacity: rcount * h); dh.initialize(repeating: 0, count: rcount * h)
                let dc = UnsafeMutablePointer<T>.allocate(capacity: rcount * h); dc.initialize(repeating: 0, count: rcount * h)
                defer { dh.deallocate(); dc.deallocate() }
                for s in stride(from: l - 1, through: 0, by: -1) {
                    let t = rev ? l - 1 - s : s
                    let tPrev = rev ? t + 1 : t - 1
                    for r in 0..<rcount {
                        let b = block.lowerBound + r, row = b * l + t
                        let g = gp + row * 4 * h, dhr = dh + r * h, d = dop + row * h
                        let ai = dai + row * gh, ah = dah + row * gh
                        let hasPrev = s > 0
                        switch cellKind {
                        case .gru:
                            for j in 0..<h {
                                let dht = d[j] + dhr[j]
                                let rg = g[j], z = g[h + j], nn = g[2 * h + j], hn = g[3 * h + j]
                                let hp: T = hasPrev ? op[(b * l + tPrev) * h + j] : 0
                                let dnp = dht * (1 - z) * (1 - nn * nn)
                                let dzp = dht * (hp - nn) * z * (1 - z)
                                let drp = dnp * hn * rg * (1 - rg)
                                ai[j] = drp; ai[h + j] = dzp; ai[2 * h + j] = dnp
                                ah[j] = drp; ah[h + j] = dzp; ah[2 * h + j] = dnp * rg
                                dhr[j] = dht * z
                            }
                        case .lstm:
                            let dcr = dc + r * h
                            for j in 0..<h {
                                let dht = d[j] + dhr[j]
                                let ig = g[j], fg = g[h + j], gg = g[2 * h + j], og = g[3 * h + j]
                                let c = cp[row * h + j], tc = T.nnTanh(c)
                                let cPrev: T = hasPrev ? cp[(b * l + tPrev) * h + j] : 0
                                let dct = dcr[j] + dht * og * (1 - tc * tc)
                                ai[j] = dct * gg * ig * (1 - ig)
                                ai[h + j] = dct * cPrev * fg * (1 - fg)
                                ai[2 * h + j] = dct * ig * (1 - gg * gg)
                                ai[3 * h + j] = dht * tc * og * (1 - og)
                                dcr[j] = dct * fg
                                dhr[j] = 0
                            }
                        }
                    }
                    // dh_prev += dA_h · W_hh for the block's rows at step t (row stride l·gh).
                    if s > 0 {
                        Gemm.nn(rcount, h, gh, dah + (block.lowerBound * l + t) * gh, l * gh, whh, h, dh, h, accumulate: true)
                    }
                }
            }
        } } } } } } }
        // Previous hidden state per (row, step): zero at each sequence start.
        var hPrev = [T](repeating: 0, count: rows * h)
        for b in 0..<n { for t in 0..<l {
            let tp = reverse ? t + 1 : t - 1
            guard tp >= 0, tp < l else { continue }
            for j in 0..<h { hPrev[(b * l + t) * h + j] = out[(b * l + tp) * h + j] }
        } }
        let dAhRef = separateHH ? dAh : dAi
        dAi.withPtr { a in x.data.withPtr { xp in weightIH.grad.data.withMutPtr { dw in
            Gemm.tn(rows, inputSize, gh, a, gh, xp, inputSize, dw, inputSize, accumulate: true, threads: threads)
        } } }
        dAhRef.withPtr { a in hPrev.withPtr { hp in weightHH.grad.data.withMutPtr { dw in
            Gemm.tn(rows, h, gh, a, gh, hp, h, dw, h, accumulate: true, threads: threads)
        } } }
        dAi.withPtr { a in biasIH.grad.data.withMutPtr { Gemm.addColumnSums(rows, gh, a, $0) } }
        dAhRef.withPtr { a in biasHH.grad.data.withMutPtr { Gemm.addColumnSums(rows, gh, a, $0) } }
        var dx = [T](repeating: 0, count: rows * inputSize)
        dAi.withPtr { a in weightIH.value.data.withPtr { w in dx.withMutPtr { d in
            Gemm.nnParallel(rows, inputSize, gh, a, gh, w, inputSize, d, inputSize, accumulate: false, threads: threads)
        } } }
        return Tensor(uncheckedShape: [n, l, inputSize], data: dx)
    }
}

import ExecutionControl

/// The kind of recurrent cell; its equations are in `FusedCell`.
public enum RecurrentCell: String, Codable, Sendable {
    case gru, lstm
    var gates: Int { self == .gru ? 3 : 4 }
}

/// One layer, one direction of a GRU or LSTM.
///
/// Each step is one matrix product for all gates, [x_t | h_{t−1}] · W_catᵀ
/// (K = input + hidden; W_cat packed once per pass, `PackedRightSide`), then one `FusedCell` pass (biases,
/// nonlinearities, state update). Batch rows are independent through time, so
/// the recurrence runs in blocks of `blockRows` rows, each block taken through
/// every step by one worker with its state in cache. The blocks do not depend
/// on the thread count, so neither do the forward pass and the input
/// gradients; the weight gradient is one large product over batch × time,
/// summed in chunks fixed by the sizes (`MatMul.transposedA`), so it does not
/// either.
///
/// Training keeps, per (step, row), time-major: [x_t | h_{t−1}] (the
/// product's left side, reused for the weight gradient), the 4H gates and
/// the LSTM cell state.
final class RecurrentDirection<T: NNFloat> {
    let cell: RecurrentCell, inputSize: Int, hidden: Int, reverse: Bool
    let weightIH: Parameter<T>, weightHH: Parameter<T>, biasIH: Parameter<T>, biasHH: Parameter<T>
    /// Rows per block of the recurrence: large enough for an efficient
    /// product, small enough that a block's state and gates stay in L2.
    static var blockRows: Int { 128 }

    private struct Kept {
        var n: Int, l: Int
        var xh: [T], gates: [T], cells: [T]
    }
    private var kept: Kept?

    init(_ cell: RecurrentCell, inputSize: Int, hidden: Int, reverse: Bool, suffix: String, rng: inout SeededRandom) {
        self.cell = cell; self.inputSize = inputSize; self.hidden = hidden; self.reverse = reverse
        let g = cell.gates * hidden, bound = 1 / Double(hidden).squareRoot()
        weightIH = Parameter("weight_ih_\(suffix)", NNInit.uniform([g, inputSize], bound: bound, &rng))
        weightHH = Parameter("weight_hh_\(suffix)", NNInit.uniform([g, hidden], bound: bound, &rng))
        biasIH = Parameter("bias_ih_\(suffix)", NNInit.uniform([g], bound: bound, &rng))
        biasHH = Parameter("bias_hh_\(suffix)", NNInit.uniform([g], bound: bound, &rng))
    }

    var parameters: [Parameter<T>] { [weightIH, weightHH, biasIH, biasHH] }

    func clearCache() { kept = nil }

    /// An array whose every element the caller writes before reading it: the
    /// large per-pass buffers skip `[T](repeating: 0, …)`'s fill (memset was
    /// 5.5 % of an LSTM training epoch in perf).
    private static func uninitialized(_ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Width of the product's left side, [x_t | h_{t−1}].
    private var width: Int { inputSize + hidden }

    /// Row k of W_cat (4H × (input + hidden)) and of the combined bias come from
    /// these rows of PyTorch's W_ih / W_hh (nil: zeros). LSTM: row k of both.
    /// GRU: r and z rows of both (summed by the product); x_n: W_in only; h_n: W_hn only.
    private func sources(_ k: Int) -> (ih: Int?, hh: Int?) {
        let h = hidden
        if cell == .lstm || k < 2 * h { return (k, k) }
        return k < 3 * h ? (k, nil) : (nil, k - h)
    }

    /// W_cat and the combined bias, rebuilt from the parameters for each pass.
    @_specialize(exported: false, where T == Float)
    private func packed() -> (w: [T], b: [T]) {
        let k = width, i = inputSize, h = hidden
        var w = [T](repeating: 0, count: 4 * h * k), b = [T](repeating: 0, count: 4 * h)
        let wih = weightIH.value.data, whh = weightHH.value.data, bih = biasIH.value.data, bhh = biasHH.value.data
        for g in 0..<(4 * h) {
            let (si, sh) = sources(g)
            if let si { for j in 0..<i { w[g * k + j] = wih[si * i + j] }; b[g] += bih[si] }
            if let sh { for j in 0..<h { w[g * k + i + j] = whh[sh * h + j] }; b[g] += bhh[sh] }
        }
        return (w, b)
    }

    /// Adds a gradient in the packed layout (dW_cat, column sums of the
    /// pre-activation gradients) to the parameters' gradients.
    @_specialize(exported: false, where T == Float)
    private func addPackedGradient(_ dw: [T], _ db: [T]) {
        let k = width, i = inputSize, h = hidden
        for g in 0..<(4 * h) {
            let (si, sh) = sources(g)
            if let si {
                for j in 0..<i { weightIH.grad.data[si * i + j] += dw[g * k + j] }
                biasIH.grad.data[si] += db[g]
            }
            if let sh {
                for j in 0..<h { weightHH.grad.data[sh * h + j] += dw[g * k + i + j] }
                biasHH.grad.data[sh] += db[g]
            }
        }
    }

    @inline(__always) private func forwardCell(_ a: FusedCell.Forward<T>) {
        if T.self == Float.self {
            FusedCell.forward(cell, unsafeBitCast(a, to: FusedCell.Forward<Float>.self))
        } else {
            FusedCell.forward(cell, unsafeBitCast(a, to: FusedCell.Forward<Double>.self))
        }
    }

    @inline(__always) private func backwardCell(_ a: FusedCell.Backward<T>) {
        if T.self == Float.self {
            FusedCell.backward(cell, unsafeBitCast(a, to: FusedCell.Backward<Float>.self))
        } else {
            FusedCell.backward(cell, unsafeBitCast(a, to: FusedCell.Backward<Double>.self))
        }
    }

    /// W_catᵀ packed once per pass for the step products (`PackedRightSide`:
    /// repacking it every step was 17 % of GRU inference). LSTM: one matrix;
    /// GRU: W_cat's x_n rows are zero in their h columns and its h_n rows in
    /// their x columns, so the product runs as three — r and z over [x | h],
    /// x_n over x, h_n over h — a quarter fewer multiply–adds (hidden 64,
    /// input 8, 128 rows, one thread: 48 → 36 µs per step, `nn._gemm_seconds`).
    private func stepWeights(_ wp: UnsafePointer<T>) -> [PackedRightSide<T>] {
        let k = width, h = hidden, i = inputSize
        guard cell == .gru else { return [PackedRightSide(transB: true, k, 4 * h, wp, k)] }
        return [PackedRightSide(transB: true, k, 2 * h, wp, k),
                PackedRightSide(transB: true, i, h, wp + 2 * h * k, k),
                PackedRightSide(transB: true, h, h, wp + 3 * h * k + i, k)]
    }

    /// pre (rc × 4H) = [x_t | h_{t−1}] · W_catᵀ for one step of rc rows, from `stepWeights`.
    @inline(__always)
    private func stepProduct(_ rc: Int, _ xh: UnsafePointer<T>, _ ws: [PackedRightSide<T>], _ pre: UnsafeMutablePointer<T>) {
        let k = width, h = hidden, i = inputSize, g4 = 4 * h
        guard cell == .gru else { ws[0].product(rc, xh, k, beta: 0, pre, g4); return }
        ws[0].product(rc, xh, k, beta: 0, pre, g4)
        ws[1].product(rc, xh, k, beta: 0, pre + 2 * h, g4)
        ws[2].product(rc, xh + i, k, beta: 0, pre + 3 * h, g4)
    }

    /// x: (n, l, inputSize) → (n, l, hidden); with `lastOnly` → (n, hidden),
    /// the output at the last position t = l − 1 alone, the same bits as that
    /// step of the full output: the other steps write their h_t into a block
    /// buffer instead of a sequence output (47 MB for an LSTM predicting 2,048
    /// rows × 90 days, 8 % of its time in page faults on it), and in
    /// evaluation the reverse direction, whose output at l − 1 is its first
    /// step, stops there.
    @_specialize(exported: false, where T == Float)
    func forward(_ x: Tensor<T>, training: Bool, threads: Int, lastOnly: Bool = false) throws -> Tensor<T> {
        let n = x.shape[0], l = x.shape[1], h = hidden, k = width, g4 = 4 * h, inSize = inputSize
        let blocks = Parallel.ranges(n, chunks: (n + Self.blockRows - 1) / Self.blockRows)
        let keptCount = training ? l * n * (k + g4 + (cell == .lstm ? h : 0)) : 0
        let scratch = min(n, Self.blockRows) * (k + g4 + 2 * h) * min(threads, blocks.count)
        let outSteps = lastOnly ? 1 : l
        try ExecutionContext.checkMemory(Tensor<T>.bytes(n * outSteps * h + keptCount + scratch), for: "recurrent layer")
        let (w, bias) = packed()
        // Every value of these is written before it is read (h_{−1} = 0 by the first step below).
        var out = Self.uninitialized(n * outSteps * h)
        // Training: [x_t | h_{t−1}], gates and cell states for every (step, row), time-major.
        var xhAll = Self.uninitialized(training ? l * n * k : 0)
        var gatesAll = Self.uninitialized(training ? l * n * g4 : 0)
        var cellsAll = Self.uninitialized(training && cell == .lstm ? l * n * h : 0)
        let rev = reverse
        let ws = w.withPtr { stepWeights($0) }
        x.data.withPtr { xp in bias.withPtr { bp in out.withMutPtr { op in
        xhAll.withMutPtr { xha in gatesAll.withMutPtr { ga in cellsAll.withMutPtr { ca in
            WorkerPool.shared.run(blocks.count, threads: threads) { bi in
                let block = blocks[bi], rc = block.count, b0 = block.lowerBound
                guard rc > 0 else { return }
                // Evaluation: one [x | h] and one gate buffer per block, reused every step.
                let xhBlock = UnsafeMutablePointer<T>.allocate(capacity: training ? 0 : rc * k)
                xhBlock.initialize(repeating: 0, count: training ? 0 : rc * k)
                let preBlock = UnsafeMutablePointer<T>.allocate(capacity: training ? 0 : rc * g4)
                let c = UnsafeMutablePointer<T>.allocate(capacity: rc * h); c.initialize(repeating: 0, count: rc * h)
                // lastOnly: where the steps before t = l − 1 put their output (nobody reads it).
                let discard = UnsafeMutablePointer<T>.allocate(capacity: lastOnly ? rc * h : 0)
                defer { xhBlock.deallocate(); preBlock.deallocate(); c.deallocate(); discard.deallocate() }
                for s in 0..<(lastOnly && rev && !training ? 1 : l) {
                    let t = rev ? l - 1 - s : s, tNext = rev ? t - 1 : t + 1
                    let xh = training ? xha + (t * n + b0) * k : xhBlock
                    let pre = training ? ga + (t * n + b0) * g4 : preBlock
                    if training && s == 0 { for r in 0..<rc { (xh + r * k + inSize).update(repeating: 0, count: h) } }
                    for r in 0..<rc { (xh + r * k).update(from: xp + ((b0 + r) * l + t) * inSize, count: inSize) }
                    self.stepProduct(rc, xh, ws, pre)
                    let next: UnsafeMutablePointer<T>? = !training ? xhBlock + inSize
                        : s + 1 < l ? xha + (tNext * n + b0) * k + inSize : nil
                    self.forwardCell(FusedCell.Forward(
                        rows: rc, hidden: h, pre: pre, bias: bp, hPrev: xh + inSize, hPrevStride: k, cell: c,
                        out: !lastOnly ? op + (b0 * l + t) * h : t == l - 1 ? op + b0 * h : discard,
                        outStride: lastOnly ? h : l * h, hNext: next, hNextStride: k,
                        cellOut: training && self.cell == .lstm ? ca + (t * n + b0) * h : nil))
                }
            }
        } } } } } }
        kept = training ? Kept(n: n, l: l, xh: xhAll, gates: gatesAll, cells: cellsAll) : nil
        return Tensor(uncheckedShape: lastOnly ? [n, h] : [n, l, h], data: out)
    }

    /// dOut: (n, l, hidden) → dX (n, l, inputSize); accumulates the gradients.
    /// With `lastOnly`, dOut is (n, hidden), the gradient of the output at
    /// t = l − 1 (`forward` with `lastOnly`); the other steps read zeros.
    @_specialize(exported: false, where T == Float)
    func backward(_ dOut: Tensor<T>, threads: Int, lastOnly: Bool = false) throws -> Tensor<T> {
        let kp = try ShapeCheck.cached(cell.rawValue, kept)
        let n = kp.n, l = kp.l, h = hidden, k = width, g4 = 4 * h, inSize = inputSize
        guard dOut.shape == (lastOnly ? [n, h] : [n, l, h]) else { throw NNError("\(cell.rawValue): gradient shape \(dOut.shape) mismatch") }
        let blocks = Parallel.ranges(n, chunks: (n + Self.blockRows - 1) / Self.blockRows)
        try ExecutionContext.checkMemory(Tensor<T>.bytes(l * n * g4 + n * l * inSize + g4 * (k + 1)
                                                         + min(n, Self.blockRows) * (k + h) * min(threads, blocks.count)),
                                         for: "recurrent backward")
        let (w, _) = packed()
        // Both written in full by the steps below.
        var dPre = Self.uninitialized(l * n * g4)
        var dx = Self.uninitialized(n * l * inSize)
        let rev = reverse
        let zeros = [T](repeating: 0, count: min(n, Self.blockRows) * h)
        // dxh = dPre_t · W_cat at every step: W_cat packed once for the pass.
        let wPacked = w.withPtr { PackedRightSide(transB: false, g4, k, $0, k) }
        dOut.data.withPtr { dop in kp.xh.withPtr { xha in kp.gates.withPtr { ga in kp.cells.withPtr { ca in
        dPre.withMutPtr { dpa in dx.withMutPtr { dxp in zeros.withPtr { zp in
            WorkerPool.shared.run(blocks.count, threads: threads) { bi in
                let block = blocks[bi], rc = block.count, b0 = block.lowerBound
                guard rc > 0 else { return }
                // dxh = [dL/dx_t | dL/dh_{t−1}] for the block; its h part carries to the next step.
                let dxh = UnsafeMutablePointer<T>.allocate(capacity: rc * k); dxh.initialize(repeating: 0, count: rc * k)
                let dc = UnsafeMutablePointer<T>.allocate(capacity: rc * h); dc.initialize(repeating: 0, count: rc * h)
                defer { dxh.deallocate(); dc.deallocate() }
                for s in stride(from: l - 1, through: 0, by: -1) {
                    let t = rev ? l - 1 - s : s, tPrev = rev ? t + 1 : t - 1
                    let dPreT = dpa + (t * n + b0) * g4
                    self.backwardCell(FusedCell.Backward(
                        rows: rc, hidden: h, gates: ga + (t * n + b0) * g4,
                        dOut: !lastOnly ? dop + (b0 * l + t) * h : t == l - 1 ? dop + b0 * h : zp, dOutStride: lastOnly ? h : l * h,
                        dh: dxh + inSize, dhStride: k, hPrev: xha + (t * n + b0) * k + inSize, hPrevStride: k,
                        cell: self.cell == .lstm ? ca + (t * n + b0) * h : zp,
                        cellPrev: self.cell == .lstm && s > 0 ? ca + (tPrev * n + b0) * h : zp, dCell: dc, dPre: dPreT))
                    // GRU: the carried z ⊙ dh stays in the h part (beta 1), so the x part starts at 0.
                    if self.cell == .gru { for r in 0..<rc { (dxh + r * k).update(repeating: 0, count: inSize) } }
                    wPacked.product(rc, dPreT, g4, beta: self.cell == .gru ? 1 : 0, dxh, k)
                    for r in 0..<rc { (dxp + ((b0 + r) * l + t) * inSize).update(from: dxh + r * k, count: inSize) }
                }
            }
        } } } } } } }
        // Weight gradients over every (step, row): dW_cat = dPreᵀ · [x | h_prev]; biases: column sums.
        let m = l * n
        var dw = [T](repeating: 0, count: g4 * k), db = [T](repeating: 0, count: g4)
        dPre.withPtr { a in kp.xh.withPtr { b in dw.withMutPtr { c in
            MatMul.transposedA(m, g4, k, a, g4, b, k, beta: 0, c, k, threads: threads)
        } } }
        dPre.withPtr { a in db.withMutPtr { MatMul.addColumnSums(m, g4, a, g4, $0, threads: threads) } }
        addPackedGradient(dw, db)
        return Tensor(uncheckedShape: [n, l, inSize], data: dx)
    }
}

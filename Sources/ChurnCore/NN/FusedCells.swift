/// The gate arithmetic of a recurrent cell in one pass per step, PyTorch's
/// equations and gate order.
///
/// GRU (gates r, z, n): r = σ(x_r + h_r), z = σ(x_z + h_z),
/// n = tanh(x_n + r ⊙ h_n), h′ = (1 − z) ⊙ n + z ⊙ h, where x_· = W_i·x + b_i·
/// and h_· = W_h·h + b_h·. LSTM (gates i, f, g, o): c′ = f ⊙ c + i ⊙ g,
/// h′ = o ⊙ tanh(c′).
///
/// Both cells read the pre-activations of one step as 4H columns per row,
/// produced by one matrix product [x_t | h_{t−1}] · W_catᵀ (see
/// `RecurrentDirection.packed`): LSTM i, f, g, o; GRU r, z (input and hidden parts
/// summed), x_n (input part only) and h_n (hidden part only), because r
/// multiplies h_n alone. The forward pass adds the biases, applies the
/// nonlinearities, updates the state and, in training, leaves in the same
/// 4H columns what backward needs: LSTM i, f, g, o; GRU r, z, n, h_n. The
/// backward pass turns the output gradient into the 4H pre-activation
/// gradients in the same layout, so one product with W_cat gives the
/// gradients of x_t and h_{t−1} together.
///
/// Written once over `GateLanes` (SIMD8<Float> in the product, Double in the
/// tests), a row's units are processed `V.width` at a time with every value
/// loaded and stored once.
enum FusedCell {
    /// Where one step's forward pass reads and writes, for `rows` rows;
    /// every pointer advances by its stride per row.
    struct Forward<T: NNFloat> {
        var rows: Int, hidden: Int
        /// Pre-activations (rows × 4H, stride 4H), overwritten with the gates.
        var pre: UnsafeMutablePointer<T>
        /// Combined biases (4H).
        var bias: UnsafePointer<T>
        /// h_{t−1} (GRU only reads it), row stride `hPrevStride`.
        var hPrev: UnsafePointer<T>, hPrevStride: Int
        /// Cell state (LSTM): c_{t−1} in, c_t out (rows × H, stride H).
        var cell: UnsafeMutablePointer<T>
        /// h_t written here (row stride `outStride`) and, when given, also to `hNext` (stride `hNextStride`).
        var out: UnsafeMutablePointer<T>, outStride: Int
        var hNext: UnsafeMutablePointer<T>?, hNextStride: Int
        /// c_t kept for backward (rows × H), training only.
        var cellOut: UnsafeMutablePointer<T>?
    }

    /// One step forward for a block of rows (see `Forward`).
    @inline(__always)
    static func forward<V: GateLanes>(_ kind: RecurrentCell, _: V.Type, _ a: Forward<V.Scalar>) {
        let h = a.hidden, w = V.width, one = V(repeating: 1)
        for r in 0..<a.rows {
            let p = a.pre + r * 4 * h, hp = a.hPrev + r * a.hPrevStride, o = a.out + r * a.outStride
            let hn = a.hNext.map { $0 + r * a.hNextStride }, c = a.cell + r * h
            var j = 0
            while j < h {
                let cnt = min(w, h - j)
                @inline(__always) func pre(_ gate: Int) -> V {
                    V(load: p + gate * h + j, count: cnt) + V(load: a.bias + gate * h + j, count: cnt)
                }
                let hNew: V
                switch kind {
                case .gru:
                    let rg = pre(0).sigmoid, z = pre(1).sigmoid, hnv = pre(3)
                    let n = (pre(2) + rg * hnv).tanh
                    hNew = (one - z) * n + z * V(load: hp + j, count: cnt)
                    rg.store(p + j, count: cnt); z.store(p + h + j, count: cnt)
                    n.store(p + 2 * h + j, count: cnt); hnv.store(p + 3 * h + j, count: cnt)
                case .lstm:
                    let i = pre(0).sigmoid, f = pre(1).sigmoid, g = pre(2).tanh, og = pre(3).sigmoid
                    let cNew = f * V(load: c + j, count: cnt) + i * g
                    hNew = og * cNew.tanh
                    cNew.store(c + j, count: cnt)
                    a.cellOut.map { cNew.store($0 + r * h + j, count: cnt) }
                    i.store(p + j, count: cnt); f.store(p + h + j, count: cnt)
                    g.store(p + 2 * h + j, count: cnt); og.store(p + 3 * h + j, count: cnt)
                }
                hNew.store(o + j, count: cnt)
                if let hn { hNew.store(hn + j, count: cnt) }
                j += w
            }
        }
    }

    /// Where one step's backward pass reads and writes, for `rows` rows.
    struct Backward<T: NNFloat> {
        var rows: Int, hidden: Int
        /// The gates kept by forward (rows × 4H).
        var gates: UnsafePointer<T>
        /// Gradient of the loss w.r.t. this step's output (row stride `dOutStride`).
        var dOut: UnsafePointer<T>, dOutStride: Int
        /// Gradient carried from step t + 1 w.r.t. h_t (row stride `dhStride`);
        /// replaced by the part of dL/dh_{t−1} that does not go through the
        /// product (GRU z ⊙ dh, LSTM 0).
        var dh: UnsafeMutablePointer<T>, dhStride: Int
        /// h_{t−1} (GRU), row stride `hPrevStride`.
        var hPrev: UnsafePointer<T>, hPrevStride: Int
        /// c_t and c_{t−1} (LSTM; rows × H), and the carried dL/dc (in: from t + 1, out: to t − 1).
        var cell: UnsafePointer<T>, cellPrev: UnsafePointer<T>, dCell: UnsafeMutablePointer<T>
        /// Pre-activation gradients written here (rows × 4H).
        var dPre: UnsafeMutablePointer<T>
    }

    /// One step backward for a block of rows (see `Backward`).
    @inline(__always)
    static func backward<V: GateLanes>(_ kind: RecurrentCell, _: V.Type, _ a: Backward<V.Scalar>) {
        let h = a.hidden, w = V.width, one = V(repeating: 1), zero = V(repeating: 0)
        for r in 0..<a.rows {
            let g = a.gates + r * 4 * h, d = a.dPre + r * 4 * h
            let dhr = a.dh + r * a.dhStride, dor = a.dOut + r * a.dOutStride
            var j = 0
            while j < h {
                let cnt = min(w, h - j)
                @inline(__always) func gate(_ k: Int) -> V { V(load: g + k * h + j, count: cnt) }
                let dht = V(load: dor + j, count: cnt) + V(load: dhr + j, count: cnt)
                switch kind {
                case .gru:
                    let rg = gate(0), z = gate(1), n = gate(2), hn = gate(3)
                    let hp = V(load: a.hPrev + r * a.hPrevStride + j, count: cnt)
                    let dn = dht * (one - z) * (one - n * n)
                    let dz = dht * (hp - n) * z * (one - z)
                    let dr = dn * hn * rg * (one - rg)
                    dr.store(d + j, count: cnt); dz.store(d + h + j, count: cnt)
                    dn.store(d + 2 * h + j, count: cnt); (dn * rg).store(d + 3 * h + j, count: cnt)
                    (dht * z).store(dhr + j, count: cnt)
                case .lstm:
                    let i = gate(0), f = gate(1), gg = gate(2), og = gate(3)
                    let c = V(load: a.cell + r * h + j, count: cnt), tc = c.tanh
                    let dc = a.dCell + r * h + j
                    let dct = V(load: dc, count: cnt) + dht * og * (one - tc * tc)
                    (dct * gg * i * (one - i)).store(d + j, count: cnt)
                    (dct * V(load: a.cellPrev + r * h + j, count: cnt) * f * (one - f)).store(d + h + j, count: cnt)
                    (dct * i * (one - gg * gg)).store(d + 2 * h + j, count: cnt)
                    (dht * tc * og * (one - og)).store(d + 3 * h + j, count: cnt)
                    (dct * f).store(dc, count: cnt)
                    zero.store(dhr + j, count: cnt)
                }
                j += w
            }
        }
    }
}

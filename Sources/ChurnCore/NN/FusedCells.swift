import CKernels

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
/// The passes themselves are C (`Sources/CKernels/recurrent_cells.c`, one
/// source for both element types): Float32 built for AVX-512 / AVX2+FMA /
/// baseline and picked at load, with a polynomial exp; Float64 (the tests'
/// Jacobian checks) with libm. The Float64 mode runs the same C equations, so
/// the finite-difference checks test the backward code the product runs.
/// Each unit's values depend on that unit's inputs only, so results are the
/// same bits for any block split or thread count on one machine (a CPU of
/// another vector width may differ in the last bits: fused multiply-adds).
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
    static func forward(_ kind: RecurrentCell, _ a: Forward<Float>) {
        switch kind {
        case .gru:
            ck_gru_forward_f32(a.rows, a.hidden, a.pre, a.bias, a.hPrev, a.hPrevStride, a.out, a.outStride, a.hNext, a.hNextStride)
        case .lstm:
            ck_lstm_forward_f32(a.rows, a.hidden, a.pre, a.bias, a.cell, a.out, a.outStride, a.hNext, a.hNextStride, a.cellOut)
        }
    }

    static func forward(_ kind: RecurrentCell, _ a: Forward<Double>) {
        switch kind {
        case .gru:
            ck_gru_forward_f64(a.rows, a.hidden, a.pre, a.bias, a.hPrev, a.hPrevStride, a.out, a.outStride, a.hNext, a.hNextStride)
        case .lstm:
            ck_lstm_forward_f64(a.rows, a.hidden, a.pre, a.bias, a.cell, a.out, a.outStride, a.hNext, a.hNextStride, a.cellOut)
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
    static func backward(_ kind: RecurrentCell, _ a: Backward<Float>) {
        switch kind {
        case .gru:
            ck_gru_backward_f32(a.rows, a.hidden, a.gates, a.dOut, a.dOutStride, a.dh, a.dhStride, a.hPrev, a.hPrevStride, a.dPre)
        case .lstm:
            ck_lstm_backward_f32(a.rows, a.hidden, a.gates, a.dOut, a.dOutStride, a.dh, a.dhStride, a.cell, a.cellPrev, a.dCell, a.dPre)
        }
    }

    static func backward(_ kind: RecurrentCell, _ a: Backward<Double>) {
        switch kind {
        case .gru:
            ck_gru_backward_f64(a.rows, a.hidden, a.gates, a.dOut, a.dOutStride, a.dh, a.dhStride, a.hPrev, a.hPrevStride, a.dPre)
        case .lstm:
            ck_lstm_backward_f64(a.rows, a.hidden, a.gates, a.dOut, a.dOutStride, a.dh, a.dhStride, a.cell, a.cellPrev, a.dCell, a.dPre)
        }
    }
}

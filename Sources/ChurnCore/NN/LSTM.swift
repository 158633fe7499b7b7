/// `nn.LSTM(input, hidden, num_layers, bidirectional, batch_first=True)`; the
/// fused cell is in `FusedCell`, the recurrence in `RecurrentDirection`.
public final class LSTM<T: NNFloat>: Recurrent<T> {
    public init(_ inputSize: Int, _ hidden: Int, layers: Int = 1, bidirectional: Bool = false, rng: inout SeededRandom) throws {
        try super.init(.lstm, inputSize, hidden, layers: layers, bidirectional: bidirectional, rng: &rng)
    }
}

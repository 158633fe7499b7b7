/// Seeded weight initialisation with PyTorch's default schemes (the
/// distributions, not its random stream): `nn.Linear` and `nn.Conv1d` draw
/// weights and biases from U(−1/√fan_in, 1/√fan_in) (kaiming-uniform with
/// a = √5 reduces to that bound), `nn.GRU`/`nn.LSTM` draw every weight and bias
/// from U(−1/√hidden, 1/√hidden), `nn.Embedding` from N(0, 1), and the norms
/// start at weight 1, bias 0.
public enum NNInit {
    static func uniform<T: NNFloat>(_ shape: [Int], bound: Double, _ rng: inout SeededRandom) -> Tensor<T> {
        let n = shape.reduce(1, *)
        var d = [T](repeating: 0, count: n)
        for i in 0..<n { d[i] = T((rng.uniform() * 2 - 1) * bound) }
        return Tensor(uncheckedShape: shape, data: d)
    }
    static func normal<T: NNFloat>(_ shape: [Int], _ rng: inout SeededRandom) -> Tensor<T> {
        let n = shape.reduce(1, *)
        var d = [T](repeating: 0, count: n)
        for i in 0..<n { d[i] = T(rng.normal()) }
        return Tensor(uncheckedShape: shape, data: d)
    }
    static func constant<T: NNFloat>(_ shape: [Int], _ v: T) -> Tensor<T> {
        Tensor(uncheckedShape: shape, data: [T](repeating: v, count: shape.reduce(1, *)))
    }
}

/// `torch.nn.utils.clip_grad_norm_`: when the global L2 norm of all gradients
/// exceeds `maxNorm`, scales them by maxNorm / (norm + 1e-6). The norm is
/// summed in Double in parameter order (deterministic). Returns the norm.
public enum GradientClipping {
    @discardableResult
    @_specialize(exported: false, where T == Float)
    public static func clip<T: NNFloat>(_ parameters: [Parameter<T>], maxNorm: Double) -> Double {
        var s = 0.0
        for p in parameters { for g in p.grad.data { let d = Double(g); s += d * d } }
        let norm = s.squareRoot()
        if norm > maxNorm {
            let scale = T(maxNorm / (norm + 1e-6))
            for p in parameters { p.grad.data.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] *= scale } } }
        }
        return norm
    }
}

import CKernels

/// Parameter update rules, PyTorch's formulas (`torch.optim`). State (moment
/// estimates, momentum buffers) is kept per parameter in order, so one
/// optimiser serves one network.
public protocol Optimizer: AnyObject {
    /// The base learning rate (schedules scale it per epoch).
    var learningRate: Double { get }
    /// Applies one update with learning rate `lr` to `parameters` (whose
    /// `grad` holds the batch gradient).
    func step<T: NNFloat>(_ parameters: [Parameter<T>], lr: Double)
    /// Forgets the state (a new training run).
    func reset()
    /// The settings, for the history and for persistence.
    var spec: OptimizerSpec { get }
}

/// An optimiser's name and settings (plain data).
public struct OptimizerSpec: Codable, Equatable, Sendable {
    public var kind: String
    public var lr: Double, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.0, momentum = 0.0, nesterov = false

    public init(kind: String, lr: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0, momentum: Double = 0, nesterov: Bool = false) {
        self.kind = kind; self.lr = lr; self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay; self.momentum = momentum; self.nesterov = nesterov
    }

    /// Validates the settings and builds the optimiser.
    public func make() throws -> Optimizer {
        guard lr.isFinite, lr > 0 else { throw NNError("\(kind): lr must be positive, got \(lr)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw NNError("\(kind): weight_decay must be ≥ 0") }
        switch kind {
        case "adam", "adamw":
            guard (0..<1).contains(beta1), (0..<1).contains(beta2) else { throw NNError("\(kind): betas must be in [0, 1)") }
            guard eps.isFinite, eps > 0 else { throw NNError("\(kind): eps must be positive") }
            return Adam(self, decoupled: kind == "adamw")
        case "sgd":
            guard momentum.isFinite, (0..<1).contains(momentum) else { throw NNError("sgd: momentum must be in [0, 1)") }
            return SGD(self)
        default: throw NNError("unknown optimizer '\(kind)' (adam, adamw, sgd)")
        }
    }
}

/// Adam (`torch.optim.Adam`, L2 `weight_decay` added to the gradient) and
/// AdamW (`torch.optim.AdamW`, decoupled decay: p ← p·(1 − lr·wd) first).
/// Moments are kept in Double so long runs in Float32 do not drift.
public final class Adam: Optimizer {
    public let spec: OptimizerSpec
    let decoupled: Bool
    private var m: [[Double]] = [], v: [[Double]] = [], t = 0

    init(_ spec: OptimizerSpec, decoupled: Bool) { self.spec = spec; self.decoupled = decoupled }

    public var learningRate: Double { spec.lr }
    public func reset() { m = []; v = []; t = 0 }

    @_specialize(exported: false, where T == Float)
    public func step<T: NNFloat>(_ parameters: [Parameter<T>], lr: Double) {
        if m.count != parameters.count {
            m = parameters.map { [Double](repeating: 0, count: $0.value.count) }; v = m; t = 0
        }
        t += 1
        let b1 = spec.beta1, b2 = spec.beta2, wd = spec.weightDecay, eps = spec.eps
        let c1 = 1 - pow(b1, Double(t)), c2 = 1 - pow(b2, Double(t))
        let stepSize = lr / c1, c2root = c2.squareRoot()
        for (k, p) in parameters.enumerated() {
            m[k].withUnsafeMutableBufferPointer { mk in v[k].withUnsafeMutableBufferPointer { vk in
            p.value.data.withUnsafeMutableBufferPointer { w in p.grad.data.withUnsafeBufferPointer { g in
                // Float32: the same loop in C, vectorised (ck_adam_f32; same bits).
                if T.self == Float.self, let wb = w.baseAddress, let gb = g.baseAddress, let mb = mk.baseAddress, let vb = vk.baseAddress {
                    ck_adam_f32(w.count, UnsafeMutableRawPointer(wb).assumingMemoryBound(to: Float.self),
                                UnsafeRawPointer(gb).assumingMemoryBound(to: Float.self), mb, vb, b1, b2,
                                stepSize, c2root, eps, decoupled ? 1 : 0, lr, wd)
                    return
                }
                for i in 0..<w.count {
                    var gi = Double(g[i]), wi = Double(w[i])
                    if decoupled { wi *= 1 - lr * wd } else if wd > 0 { gi += wd * wi }
                    mk[i] = b1 * mk[i] + (1 - b1) * gi
                    vk[i] = b2 * vk[i] + (1 - b2) * gi * gi
                    wi -= stepSize * mk[i] / (vk[i].squareRoot() / c2root + eps)
                    w[i] = T(wi)
                }
            } } } }
        }
    }
}

/// SGD with momentum (`torch.optim.SGD`: buf ← μ·buf + g, first step buf = g;
/// Nesterov uses g + μ·buf), L2 `weight_decay` added to the gradient.
public final class SGD: Optimizer {
    public let spec: OptimizerSpec
    private var buf: [[Double]] = []

    init(_ spec: OptimizerSpec) { self.spec = spec }
    public var learningRate: Double { spec.lr }
    public func reset() { buf = [] }

    @_specialize(exported: false, where T == Float)
    public func step<T: NNFloat>(_ parameters: [Parameter<T>], lr: Double) {
        let first = buf.count != parameters.count
        if first { buf = parameters.map { [Double](repeating: 0, count: $0.value.count) } }
        let mu = spec.momentum, wd = spec.weightDecay
        for (k, p) in parameters.enumerated() {
            buf[k].withUnsafeMutableBufferPointer { b in
            p.value.data.withUnsafeMutableBufferPointer { w in p.grad.data.withUnsafeBufferPointer { g in
                for i in 0..<w.count {
                    var gi = Double(g[i]); let wi = Double(w[i])
                    if wd > 0 { gi += wd * wi }
                    var d = gi
                    if mu > 0 {
                        b[i] = first ? gi : mu * b[i] + gi
                        d = spec.nesterov ? gi + mu * b[i] : b[i]
                    }
                    w[i] = T(wi - lr * d)
                }
            } } }
        }
    }
}

import Foundation

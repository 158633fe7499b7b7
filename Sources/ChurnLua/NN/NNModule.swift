import CLua
import ChurnCore
import ExecutionControl
import Foundation
import LuaRuntime

/// `cl.nn.Module`: one layer or a container (`cl.nn.sequential()`), torch7
/// style. A sequential network is trained with `:fit{…}` and then predicts;
/// its trained state (`Network`) is kept alongside the layers.
public final class NNModuleObject: LuaObject {
    public static let luaTypeName = "cl.nn.Module"
    let module: Module<Float>
    var network: Network?
    init(_ m: Module<Float>) { module = m }
}

/// `cl.nn.Optimizer`: settings made by `cl.nn.adam{…}` / `adamw` / `sgd`.
public final class OptimizerObject: LuaObject {
    public static let luaTypeName = "cl.nn.Optimizer"
    let spec: OptimizerSpec
    init(_ s: OptimizerSpec) { spec = s }
}

enum NNModule {
    /// Layer weights are drawn at construction from a stream that starts at
    /// the process seed and advances per layer; `fit{seed =}` redraws every
    /// weight of an untrained network from its own seed, so a fit is
    /// reproducible whatever was built before.
    nonisolated(unsafe) static var constructionCounter: UInt64 = 0
    static func layerRNG() -> SeededRandom {
        constructionCounter += 1
        return SeededRandom(seed: GlobalSeed.value, stream: constructionCounter)
    }

    static let width = 1...NNLimits.maxWidth

    static func sequential(_ c: LuaCall, _ i: Int32) throws -> Sequential<Float> {
        guard let s = try c.object(i, NNModuleObject.self).module as? Sequential<Float> else {
            throw LuaArgumentError(i, "a cl.nn.sequential() network expected")
        }
        return s
    }

    /// Reads an object-valued option (`x = tensor`, `optimizer = cl.nn.adam{}`).
    static func field<R>(_ c: LuaCall, _ o: LuaTable, _ key: String, _ read: (Int32) throws -> R) throws -> R? {
        let t = o.push(key)
        defer { lua_settop(c.L, -2) }
        if t == LUA_TNIL { return nil }
        return try read(lua_absindex(c.L, -1))
    }

    static func register(_ cl: ModuleBuilder) {
        cl.state.register(OptimizerObject.self, LuaClass(methods: [:], metamethods: [
            "__tostring": { c in
                let s = try c.object(1, OptimizerObject.self).spec
                return c.push("<cl.nn.Optimizer \(s.kind) lr=\(s.lr)>")
            },
        ]))
        cl.state.register(NNModuleObject.self, LuaClass(methods: [
            "add": { c in
                let s = try sequential(c, 1)
                let m = try c.object(2, NNModuleObject.self).module
                guard m !== s else { throw LuaArgumentError(2, "a network cannot contain itself") }
                s.add(m)
                try c.object(1, NNModuleObject.self).network = nil
                lua_settop(c.L, 1)
                return 1
            },
            "fit": { c in try NNFit.fit(c) },
            "forward": { c in
                let o = try c.object(1, NNModuleObject.self)
                let x = try TensorArgs.tensor(c, 2, what: "x", arg: 2)
                let side = c.isNoneOrNil(3) ? nil : try TensorArgs.tensor(c, 3, what: "static", arg: 3)
                if let net = o.network {
                    let z = try c.core { try net.logits(x, side: side) }
                    return c.push(object: TensorObject(try c.core { try Tensor(shape: [z.count, 1], data: z) }))
                }
                o.module.train(false)
                let y = try c.core { () -> Tensor<Float> in
                    if let s = o.module as? Sequential<Float> { return try s.forward(x, side: side) }
                    return try o.module.forward(x)
                }
                return c.push(object: TensorObject(y))
            },
            "predict_proba": { c in
                let o = try c.object(1, NNModuleObject.self)
                guard let net = o.network else { throw LuaScriptError("this network is not trained: call :fit{…} first") }
                let x = try TensorArgs.tensor(c, 2, what: "x", arg: 2)
                let side = c.isNoneOrNil(3) ? nil : try TensorArgs.tensor(c, 3, what: "static", arg: 3)
                let p = try c.core { try net.predictProba(x, side: side) }
                return c.push(column: Column(name: "p", data: .float64(p)))
            },
            "save": { c in
                let o = try c.object(1, NNModuleObject.self)
                guard let net = o.network else { throw LuaScriptError("this network is not trained: call :fit{…} before :save") }
                let path = try c.string(2)
                try c.withOutputFile(path) { p in try c.core { try NetworkModelFile.write(net, to: p) } }
                return 0
            },
            "n_parameters": { c in c.push(try c.object(1, NNModuleObject.self).module.parameters.reduce(0) { $0 + $1.value.count }) },
            "summary": { c in c.push(try c.object(1, NNModuleObject.self).module.summary) },
            "history": { c in
                let o = try c.object(1, NNModuleObject.self)
                return c.push(frame: try c.core { try NNFit.historyFrame(o.network?.history ?? []) })
            },
        ], metamethods: [
            "__tostring": { c in
                let o = try c.object(1, NNModuleObject.self)
                return c.push("<cl.nn \(o.module.summary)\(o.network != nil ? " (trained)" : "")>")
            },
        ]))

        cl.submodule("nn", "Neural networks in the manner of torch/nn: layers, sequential containers, training with Adam/SGD on binary cross-entropy, Float32.") { m in
            m.function("sequential", "nn.sequential()", "An empty network; add layers with net:add(layer) (returns net, so calls chain). Train with net:fit{…}.") { c in
                c.push(object: NNModuleObject(Sequential<Float>()))
            }
            m.function("linear", "nn.linear(in, out [, {bias = true}])", "y = x·Wᵀ + b over the last dimension (in, out in 1…65536); PyTorch's init U(±1/√in).") { c in
                let i = try c.integer(1, in: width), o = try c.integer(2, in: width)
                let opts = try c.options(3); try opts.checkKeys(["bias"])
                var rng = layerRNG()
                return c.push(object: NNModuleObject(Linear<Float>(i, o, bias: try opts.bool("bias") ?? true, rng: &rng)))
            }
            m.function("embedding", "nn.embedding(categories, dim)", "Embeds category codes 0…categories−1 (a (batch) or (batch, k) input) into (batch, k·dim); init N(0, 1).") { c in
                let n = try c.integer(1, in: 1...NNLimits.maxCategories), d = try c.integer(2, in: width)
                var rng = layerRNG()
                return c.push(object: NNModuleObject(Embedding<Float>(n, d, rng: &rng)))
            }
            m.function("relu", "nn.relu()", "max(0, x).") { c in c.push(object: NNModuleObject(ReLU<Float>())) }
            m.function("gelu", "nn.gelu()", "x·Φ(x) (exact GELU).") { c in c.push(object: NNModuleObject(GELU<Float>())) }
            m.function("tanh", "nn.tanh()", "tanh(x).") { c in c.push(object: NNModuleObject(Tanh<Float>())) }
            m.function("sigmoid", "nn.sigmoid()", "1/(1+e^−x). (Networks trained with fit end in a linear logit: the loss applies the sigmoid.)") { c in
                c.push(object: NNModuleObject(Sigmoid<Float>()))
            }
            m.function("dropout", "nn.dropout(p [, {seed =}])", "Zeroes values with probability p in [0, 1) during training (scaling the rest by 1/(1−p)); identity when predicting. fit reseeds it from its seed.") { c in
                let p = try c.number(1, in: .closed(0, 0.999))
                let opts = try c.options(2); try opts.checkKeys(["seed"])
                return c.push(object: NNModuleObject(try c.core { try Dropout<Float>(p, seed: try opts.seed()) }))
            }
            m.function("layer_norm", "nn.layer_norm(size [, {eps = 1e-5}])", "Normalises each vector over its last dimension (size 1…65536), then scales and shifts.") { c in
                let n = try c.integer(1, in: width)
                let opts = try c.options(2); try opts.checkKeys(["eps"])
                return c.push(object: NNModuleObject(LayerNorm<Float>(n, eps: try opts.number("eps", in: .closed(1e-12, 1)) ?? 1e-5)))
            }
            m.function("batch_norm", "nn.batch_norm(channels [, {eps = 1e-5, momentum = 0.1}])", "Batch normalisation over the last dimension (channels), statistics over batch (and time); running estimates when predicting.") { c in
                let n = try c.integer(1, in: width)
                let opts = try c.options(2); try opts.checkKeys(["eps", "momentum"])
                return c.push(object: NNModuleObject(BatchNorm1d<Float>(n, eps: try opts.number("eps", in: .closed(1e-12, 1)) ?? 1e-5,
                                                                       momentum: try opts.number("momentum", in: .closed(0, 1)) ?? 0.1)))
            }
            for kind in ["gru", "lstm"] {
                m.function(kind, "nn.\(kind)(input, hidden [, {layers = 1, bidirectional = false}])",
                           "\(kind.uppercased()) over (batch, time, input) sequences → (batch, time, hidden·directions), PyTorch's equations (batch_first); layers 1…16. Follow with nn.last_step() or nn.global_avg_pool().") { c in
                    let i = try c.integer(1, in: width), h = try c.integer(2, in: width)
                    let opts = try c.options(3); try opts.checkKeys(["layers", "bidirectional"])
                    let layers = try opts.integer("layers", in: 1...NNLimits.maxLayers) ?? 1
                    let bi = try opts.bool("bidirectional") ?? false
                    var rng = layerRNG()
                    let r: Module<Float> = kind == "gru" ? try c.core { try GRU<Float>(i, h, layers: layers, bidirectional: bi, rng: &rng) }
                                                         : try c.core { try LSTM<Float>(i, h, layers: layers, bidirectional: bi, rng: &rng) }
                    return c.push(object: NNModuleObject(r))
                }
            }
            m.function("conv1d", "nn.conv1d(in, out, kernel [, {stride = 1, padding = 0}])", "1-D convolution along time on (batch, time, in) → (batch, time′, out); kernel 1…4096, 0 ≤ padding < kernel.") { c in
                let i = try c.integer(1, in: width), o = try c.integer(2, in: width), k = try c.integer(3, in: 1...NNLimits.maxKernel)
                let opts = try c.options(4); try opts.checkKeys(["stride", "padding"])
                let s = try opts.integer("stride", in: 1...NNLimits.maxKernel) ?? 1
                let p = try opts.integer("padding", in: 0...(k - 1)) ?? 0
                var rng = layerRNG()
                return c.push(object: NNModuleObject(try c.core { try Conv1d<Float>(i, o, kernel: k, stride: s, padding: p, rng: &rng) }))
            }
            m.function("max_pool1d", "nn.max_pool1d(kernel [, stride = kernel])", "Maximum over windows of time steps (kernel, stride 1…4096).") { c in
                let k = try c.integer(1, in: 1...NNLimits.maxKernel)
                let s = c.isNoneOrNil(2) ? k : try c.integer(2, in: 1...NNLimits.maxKernel)
                return c.push(object: NNModuleObject(try c.core { try MaxPool1d<Float>(k, stride: s) }))
            }
            m.function("global_avg_pool", "nn.global_avg_pool()", "Mean over time: (batch, time, channels) → (batch, channels).") { c in
                c.push(object: NNModuleObject(GlobalAvgPool<Float>()))
            }
            m.function("last_step", "nn.last_step()", "The last time step: (batch, time, channels) → (batch, channels).") { c in
                c.push(object: NNModuleObject(LastStep<Float>()))
            }
            m.function("concat", "nn.concat(sequence_branch [, static_branch])", "Joins a sequence branch (a sequential ending in (batch, features), e.g. gru → last_step) and the static features (through static_branch when given) side by side. Use as the first layer; pass static = … to fit, forward and predict_proba.") { c in
                let a = try sequential(c, 1)
                let b = c.isNoneOrNil(2) ? nil : try sequential(c, 2)
                return c.push(object: NNModuleObject(Concat<Float>(sequence: a, staticBranch: b)))
            }
            m.function("adam", "nn.adam{lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}", "Adam (torch.optim.Adam; weight_decay as L2 in the gradient). lr > 0, betas in [0, 1).") { c in
                c.push(object: OptimizerObject(try optimizer(c, "adam")))
            }
            m.function("adamw", "nn.adamw{lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0.01}", "AdamW (decoupled weight decay, torch.optim.AdamW).") { c in
                c.push(object: OptimizerObject(try optimizer(c, "adamw")))
            }
            m.function("sgd", "nn.sgd{lr =, momentum = 0, nesterov = false, weight_decay = 0}", "Stochastic gradient descent with momentum (torch.optim.SGD). lr > 0, momentum in [0, 1).") { c in
                c.push(object: OptimizerObject(try optimizer(c, "sgd")))
            }
            m.function("_write_raw", "nn._write_raw(tensor, path)", "Writes the tensor's values as raw little-endian float32 (for the benchmark's PyTorch side).") { c in
                let t = try c.object(1, TensorObject.self).tensor
                let path = try c.string(2)
                let data = t.data.withUnsafeBufferPointer { Data(buffer: $0) }
                try c.withOutputFile(path) { p in try data.write(to: URL(fileURLWithPath: p)) }
                return 0
            }
            m.function("_read_raw", "nn._read_raw(path, shape)", "A tensor of the given shape (e.g. {rows, 90, 8}) from raw little-endian float32 values, as _write_raw writes them (for the benchmark); the file size must match the shape.") { c in
                let path = try c.string(1)
                let shape = try LuaVectors.doubles(c, 2)
                guard !shape.isEmpty, shape.count <= 8, shape.allSatisfy({ $0 == $0.rounded() && $0 >= 1 && $0 <= 1e9 }) else {
                    throw LuaArgumentError(2, "shape must list 1…8 whole sizes, each 1…1e9")
                }
                let dims = shape.map { Int($0) }
                let (count, overflow) = dims.reduce((1, false)) { acc, d in
                    let (p, o) = acc.0.multipliedReportingOverflow(by: d); return (p, acc.1 || o)
                }
                guard !overflow, count <= Int.max / 8 else { throw LuaArgumentError(2, "shape \(dims) is too large") }
                try ExecutionContext.checkMemory(count * 8, for: "tensor")
                // Read straight into the tensor's storage (no second copy of a large file);
                // the platforms ChurnLab builds for are little-endian, as the file is.
                var values = [Float](repeating: 0, count: count)
                let bytes = try c.withInputFile(path) { p -> Int in
                    guard let f = fopen(p, "rb") else { throw LuaScriptError("nn._read_raw: cannot open \(path)") }
                    defer { fclose(f) }
                    let n = values.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
                    return fgetc(f) == EOF ? n : n + 1
                }
                guard bytes == count * 4 else {
                    throw LuaScriptError("nn._read_raw: \(path) does not hold the \(count * 4) bytes shape \(dims) needs")
                }
                return c.push(object: TensorObject(try c.core { try Tensor(shape: dims, data: values) }))
            }
            m.function("_gemm_seconds", "nn._gemm_seconds(m, n, k, reps, threads [, \"kernel\"|\"openblas\"])", "Seconds per float32 matrix product, rows split over the workers, each running reps products on its block: ChurnLab's kernel (default) or OpenBLAS behind its lock (benchmark).") { c in
                let d = 1...100_000
                let path = c.isNoneOrNil(6) ? "kernel" : try c.string(6)
                guard path == "kernel" || path == "openblas" else {
                    throw LuaScriptError("nn._gemm_seconds: path must be \"kernel\" or \"openblas\", got \"\(path)\"")
                }
                return c.push(GemmBench.seconds(m: try c.integer(1, in: d), n: try c.integer(2, in: d), k: try c.integer(3, in: d),
                                                reps: try c.integer(4, in: 1...1000), threads: try c.integer(5, in: 1...256),
                                                openblas: path == "openblas"))
            }
            m.function("load", "nn.load(path)", "A network saved with net:save(path) (the common model file: format version, SHA-256 checksum), checked on load (layer sizes, parameter shapes, finite values); bare network JSON from earlier versions also loads.") { c in
                let path = try c.string(1)
                let data = try c.withInputFile(path) { p in try Data(contentsOf: URL(fileURLWithPath: p)) }
                let net = try c.core { try NetworkModelFile.read(data, source: path) }
                let o = NNModuleObject(net.body); o.network = net
                return c.push(object: o)
            }
        }
    }

    static func optimizer(_ c: LuaCall, _ kind: String) throws -> OptimizerSpec {
        let o = try c.options(1)
        try o.checkKeys(kind == "sgd" ? ["lr", "momentum", "nesterov", "weight_decay"] : ["lr", "betas", "eps", "weight_decay"])
        let lrRange = NumberRange.openClosed(0, 10)
        var s = OptimizerSpec(kind: kind, lr: 1e-3, weightDecay: kind == "adamw" ? 0.01 : 0)
        if kind == "sgd" {
            guard let lr = try o.number("lr", in: lrRange) else { throw LuaArgumentError(1, "sgd needs lr") }
            s.lr = lr
            s.momentum = try o.number("momentum", in: .closed(0, 0.999)) ?? 0
            s.nesterov = try o.bool("nesterov") ?? false
        } else {
            s.lr = try o.number("lr", in: lrRange) ?? 1e-3
            if let b = try o.table("betas") {
                let v = try b.arrayOfNumbers()
                guard v.count == 2, v.allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 1 }) else {
                    throw LuaArgumentError(1, "betas must be two numbers in [0, 1)")
                }
                s.beta1 = v[0]; s.beta2 = v[1]
            }
            s.eps = try o.number("eps", in: .closed(1e-30, 1)) ?? 1e-8
        }
        s.weightDecay = try o.number("weight_decay", in: .closed(0, 10)) ?? s.weightDecay
        return s
    }
}

import CLua
import ChurnCore
import Foundation
import LuaRuntime

/// `net:fit{…}`: reads the options, trains through `Trainer`, prints a
/// progress bar (epoch, loss, eval AUC, ETA) and returns the history frame.
enum NNFit {
    static let keys: Set<String> = ["x", "static", "y", "epochs", "batch_size", "eval", "early_stopping", "seed", "threads",
                                    "optimizer", "schedule", "clip_norm", "pos_weight", "shuffle", "verbose", "reset"]

    static func fit(_ c: LuaCall) throws -> Int32 {
        let obj = try c.object(1, NNModuleObject.self)
        guard let body = obj.module as? Sequential<Float> else { throw LuaArgumentError(1, "fit needs a cl.nn.sequential() network") }
        let o = try c.options(2)
        try o.checkKeys(keys)
        guard let x = try NNModule.field(c, o, "x", { try TensorArgs.tensor(c, $0, what: "field 'x'", arg: 2) }) else {
            throw LuaArgumentError(2, "fit needs x (a cl.Tensor or a frame)")
        }
        let side = try NNModule.field(c, o, "static", { try TensorArgs.tensor(c, $0, what: "field 'static'", arg: 2) })
        guard let y = try NNModule.field(c, o, "y", { try LuaVectors.doubles(c, $0) }) else { throw LuaArgumentError(2, "fit needs y (0/1 labels)") }
        let train = try c.core { try TrainingSet(x: x, side: side, y: y.map(Float.init)) }
        var eval: TrainingSet?
        if let e = try o.table("eval") {
            try e.checkKeys(["x", "static", "y"])
            guard let ex = try NNModule.field(c, e, "x", { try TensorArgs.tensor(c, $0, what: "eval.x", arg: 2) }),
                  let ey = try NNModule.field(c, e, "y", { try LuaVectors.doubles(c, $0) }) else {
                throw LuaArgumentError(2, "eval needs x and y")
            }
            let es = try NNModule.field(c, e, "static", { try TensorArgs.tensor(c, $0, what: "eval.static", arg: 2) })
            eval = try c.core { try TrainingSet(x: ex, side: es, y: ey.map(Float.init)) }
        }
        var t = TrainerOptions()
        t.epochs = try o.integer("epochs", in: 1...100_000) ?? 10
        t.batchSize = try o.integer("batch_size", in: 1...1_000_000) ?? 256
        t.seed = try o.seed()
        t.threads = try o.integer("threads", in: 1...256) ?? Parallel.threads
        t.shuffle = try o.bool("shuffle") ?? true
        t.clipNorm = try o.number("clip_norm", in: .positive)
        t.posWeight = try o.number("pos_weight", in: .openClosed(0, 1e6)) ?? 1
        if let opt = try NNModule.field(c, o, "optimizer", { i -> OptimizerSpec in
            guard c.isObject(i, OptimizerObject.self) else { throw LuaArgumentError(2, "field 'optimizer' must be cl.nn.adam{…}, cl.nn.adamw{…} or cl.nn.sgd{…}") }
            return try c.object(i, OptimizerObject.self).spec
        }) { t.optimizer = opt }
        if let s = try o.table("schedule") {
            try s.checkKeys(["kind", "step_size", "gamma", "t_max", "min_lr"])
            switch try s.string("kind") ?? "" {
            case "step": t.schedule = .step(every: try s.integer("step_size", in: 1...100_000) ?? 10, gamma: try s.number("gamma", in: .openClosed(0, 1)) ?? 0.1)
            case "cosine": t.schedule = .cosine(tMax: try s.integer("t_max", in: 1...100_000) ?? t.epochs, minLR: try s.number("min_lr", in: .closed(0, 10)) ?? 0)
            case let k: throw LuaArgumentError(2, "schedule.kind = '\(k)': expected 'step' or 'cosine'")
            }
        }
        let esType = o.push("early_stopping"); lua_settop(c.L, -2)
        if esType == LUA_TNUMBER {
            t.patience = try o.integer("early_stopping", in: 1...100_000)
        } else if let es = try o.table("early_stopping") {
            try es.checkKeys(["patience", "min_delta", "restore_best"])
            t.patience = try es.integer("patience", in: 1...100_000) ?? 5
            t.minDelta = try es.number("min_delta", in: .closed(0, 1e6)) ?? 0
            t.restoreBest = try es.bool("restore_best") ?? true
        }
        let verbose = try o.bool("verbose") ?? true
        let net = try c.core { try Network(body, rowShape: Array(x.shape.dropFirst()), sideWidth: side?.shape.count == 2 ? side!.shape[1] : nil) }
        let reset = try o.bool("reset") ?? false
        if obj.network == nil || reset { try c.core { try body.reinitialize(seed: t.seed) } }
        let history = try c.core {
            try Trainer.fit(net, train: train, eval: eval, options: t, progress: verbose ? { p in printProgress(p) } : nil)
        }
        obj.network = net
        return c.push(frame: try c.core { try historyFrame(history) })
    }

    static func printProgress(_ p: TrainingProgress) {
        let width = 20, done = width * p.epoch / max(1, p.epochs)
        var line = "[" + String(repeating: "=", count: done) + String(repeating: " ", count: width - done) + "]"
        line += String(format: " epoch %d/%d  loss %.4f", p.epoch, p.epochs, p.loss)
        if let a = p.evalAUC { line += String(format: "  eval AUC %.4f", a) }
        line += String(format: "  ETA %.0fs", p.eta)
        print(line)
        fflush(stdout)
    }

    /// epoch, loss, eval_loss, eval_auc, lr, seconds (NaN where there was no eval set) — for cl.plot.training.
    static func historyFrame(_ h: [EpochRecord]) throws -> Frame {
        try Frame([
            Column(name: "epoch", data: .int64(h.map { Int64($0.epoch) })),
            Column(name: "loss", data: .float64(h.map(\.loss))),
            Column(name: "eval_loss", data: .float64(h.map { $0.evalLoss ?? .nan })),
            Column(name: "eval_auc", data: .float64(h.map { $0.evalAUC ?? .nan })),
            Column(name: "lr", data: .float64(h.map(\.learningRate))),
            Column(name: "seconds", data: .float64(h.map(\.seconds))),
        ])
    }
}

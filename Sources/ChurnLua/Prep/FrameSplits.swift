import CLua
import ChurnCore
import LuaRuntime

/// Frame methods that split rows: split, kfold, time_split, group_split.
enum FrameSplits {
    static func seed(_ opts: LuaTable) throws -> UInt64 { try opts.seed() }

    static let methods: [String: LuaFunction] = [
        /// df:split{test = 0.2, stratify = "churn", seed = 42} → train, test
        "split": { c in
            let f = try c.frame(1), opts = try c.options(2)
            try opts.checkKeys(["test", "stratify", "seed"])
            let test = try opts.number("test", in: .open(0, 1)) ?? 0.2
            let s = try c.core { try f.split(test: test, stratify: try opts.string("stratify"), seed: try seed(opts)) }
            c.push(frame: try f.take(rows: s.train))
            c.push(frame: try f.take(rows: s.test))
            return 2
        },
        /// for i, train, test in df:kfold{k = 5, stratify =, seed =} do ... end
        "kfold": { c in
            let f = try c.frame(1), opts = try c.options(2)
            try opts.checkKeys(["k", "stratify", "seed"])
            let folds = try c.core { try f.kfold(k: try opts.integer("k", in: OptionRange.folds) ?? 5, stratify: try opts.string("stratify"), seed: try seed(opts)) }
            let next = Counter()
            c.state.push(function: "kfold iterator") { c2 in
                guard next.value < folds.count else { return c2.pushNil() }
                let fold = folds[next.value]
                next.value += 1
                c2.push(next.value)
                c2.push(frame: try f.take(rows: fold.train))
                c2.push(frame: try f.take(rows: fold.test))
                return 3
            }
            return 1
        },
        /// df:time_split{time = "ts", cutoff = "2024-09-01", gap = 30} → train (before cutoff − gap days), test (at or after)
        "time_split": { c in
            let f = try c.frame(1), opts = try c.table(2)
            try opts.checkKeys(["time", "cutoff", "gap"])
            guard let time = try opts.string("time") else { throw LuaArgumentError(2, "time_split needs 'time' (a column name)") }
            _ = opts.push("cutoff")
            let cutoff = try ExprBinding.cell(c, -1, arg: 2, what: "cutoff")
            lua_settop(c.L, -2)
            guard !cutoff.isNull else { throw LuaArgumentError(2, "time_split needs 'cutoff' (e.g. \"2024-09-01\")") }
            let gap = try opts.integer("gap", in: 0...OptionLimits.days) ?? 0
            let s = try c.core { try f.timeSplit(time: time, cutoff: cutoff, gapDays: gap) }
            c.push(frame: try f.take(rows: s.train))
            c.push(frame: try f.take(rows: s.test))
            return 2
        },
        /// df:group_split{group = "user_id", test = 0.2, seed = 42} → train, test
        "group_split": { c in
            let f = try c.frame(1), opts = try c.table(2)
            try opts.checkKeys(["group", "test", "seed"])
            guard let group = try opts.string("group") else { throw LuaArgumentError(2, "group_split needs 'group' (a column name)") }
            let s = try c.core { try f.groupSplit(group: group, test: try opts.number("test", in: .open(0, 1)) ?? 0.2, seed: try seed(opts)) }
            c.push(frame: try f.take(rows: s.train))
            c.push(frame: try f.take(rows: s.test))
            return 2
        },
    ]
}

/// Mutable position of an iterator closure.
final class Counter { var value = 0 }

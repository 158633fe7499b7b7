import CLua
import ChurnCore
import LuaRuntime

/// `cl.features.sequences(events, {…})`: daily activity tensors for sequence
/// models (core: `Sequences`).
enum SequencesBinding {
    static func register(_ cl: ModuleBuilder) {
        cl.submodule("features") { m in
            m.function("sequences", "features.sequences(events, {as_of =, days = 90, channels = 'types' | {type, …}, amount = false, normalize = 'log1p' | 'standard' | 'none'})",
                       "Per-user daily activity as a cl.Tensor (users × days × channels, Float32) and the matching user id column (row i of the tensor is user_id[i]); a third result lists the channel names. Only events strictly before as_of are read (days 1…36500 before it, oldest first). as_of may be a list of dates (snapshots): the tensors are stacked, and the second result is then a frame with user_id and as_of. Channels: event counts per type, plus the daily amount sum with amount = true; normalize 'log1p' (default), 'standard' (per channel) or 'none'. The three results go to cl.model.gru / lstm / cnn as sequences = {tensor =, ids =, channels =} (rows joined to a frame's rows on user_id and as_of).") { c in
                let log = try c.object(1, EventLogObject.self).log
                let o = try c.options(2)
                try o.checkKeys(["as_of", "days", "channels", "amount", "normalize"])
                var dates: [String]
                if case .string(let one) = o.value("as_of", depth: 0) { dates = [one] } else if let many = try o.strings("as_of") { dates = many } else {
                    throw LuaArgumentError(2, "field 'as_of' (a date like '2024-06-01', or a list of dates) is required")
                }
                guard !dates.isEmpty else { throw LuaArgumentError(2, "field 'as_of': no dates") }
                var spec = SequenceSpec(asOf: 0)
                spec.days = try LuaFeatureOptions.days(o, "days", arg: 2) ?? 90
                spec.amount = try o.bool("amount") ?? false
                if let n = try o.string("normalize") {
                    guard let v = SequenceSpec.Normalize(rawValue: n) else { throw LuaArgumentError(2, "normalize = '\(n)': expected 'log1p', 'standard' or 'none'") }
                    spec.normalize = v
                }
                if case .string(let s) = o.value("channels", depth: 0) {
                    guard s == "types" else { throw LuaArgumentError(2, "channels = '\(s)': expected 'types' or a list of event types") }
                } else if let list = try o.strings("channels") { spec.types = list }
                var tensors: [Tensor<Float>] = [], users: [Column] = [], asOfCodes: [Int32] = [], channels: [String] = []
                for d in dates {
                    guard let t = TimeUnit.parse(d) else { throw LuaArgumentError(2, "field 'as_of': '\(d)' is not a date like '2024-06-01'") }
                    spec.asOf = t
                    let r = try c.core { try Sequences.build(log, spec) }
                    tensors.append(r.tensor); channels = r.channels
                    users.append(log.users.column(named: "user_id", rows: r.userRows))
                    asOfCodes += Array(repeating: Int32(tensors.count - 1), count: r.userRows.count)
                }
                let shape = [tensors.reduce(0) { $0 + $1.rows }, spec.days, channels.count]
                let stacked = try c.core { try Tensor(shape: shape, data: tensors.flatMap(\.data)) }
                c.push(object: TensorObject(stacked))
                if dates.count == 1 {
                    c.push(column: users[0])
                } else {
                    let ids = try c.core { try Column.concat(users) }
                    c.push(frame: try c.core { try Frame([ids, Column(name: "as_of", data: .string(codes: asOfCodes, dictionary: dates))]) })
                }
                c.pushArray(channels)
                return 3
            }
        }
    }
}

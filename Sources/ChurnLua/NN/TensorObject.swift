import CLua
import ExecutionControl
import ChurnCore
import LuaRuntime

/// `cl.Tensor`: a Float32 tensor (sequences users × days × channels, static
/// feature matrices, network outputs). Rows are the first dimension, 1-based
/// in Lua.
public final class TensorObject: LuaObject {
    public static let luaTypeName = "cl.Tensor"
    let tensor: Tensor<Float>
    init(_ t: Tensor<Float>) { tensor = t }

    static func describe(_ t: Tensor<Float>) -> String {
        "cl.Tensor(\(t.shape.map(String.init).joined(separator: " × ")), float32)"
    }
}

/// Conversions between Lua values and tensors, shared by `cl.tensor` and `cl.nn`.
enum TensorArgs {
    /// A tensor from the value at stack index `i`: a cl.Tensor, a frame
    /// (its numeric columns, or `columns`, as a rows × columns matrix) or
    /// nested Lua arrays of numbers. `what` names it in errors.
    static func tensor(_ c: LuaCall, _ i: Int32, what: String, arg: Int32, columns: [String]? = nil) throws -> Tensor<Float> {
        if c.isObject(i, TensorObject.self) { return try c.object(i, TensorObject.self).tensor }
        if c.isObject(i, FrameObject.self) { return try fromFrame(try c.frame(i), columns: columns, what: what, arg: arg) }
        if c.luaType(i) == LUA_TTABLE { return try fromNested(c.table(i).arrayValues(depth: 4), what: what, arg: arg) }
        throw LuaArgumentError(arg, "\(what) must be a cl.Tensor, a frame or nested arrays of numbers, got \(c.typeName(i))")
    }

    static func fromFrame(_ f: Frame, columns: [String]?, what: String, arg: Int32) throws -> Tensor<Float> {
        let names = columns ?? f.columns.filter { $0.toDoubles() != nil }.map(\.name)
        guard !names.isEmpty else { throw LuaArgumentError(arg, "\(what): the frame has no numeric columns") }
        let n = f.nrow, k = names.count
        try c_checkMemory(n * k * 4)
        var data = [Float](repeating: 0, count: n * k)
        for (j, name) in names.enumerated() {
            guard let col = f.columnIfPresent(name) else { throw LuaArgumentError(arg, "\(what): no column '\(name)'") }
            guard let v = col.toDoubles() else { throw LuaArgumentError(arg, "\(what): column '\(name)' is not numeric") }
            for r in 0..<n {
                guard v[r].isFinite else { throw LuaArgumentError(arg, "\(what): column '\(name)' row \(r + 1) is null or not finite") }
                data[r * k + j] = Float(v[r])
            }
        }
        return try Tensor(shape: [n, k], data: data)
    }

    private static func c_checkMemory(_ bytes: Int) throws {
        try ExecutionContext.checkMemory(bytes, for: "tensor")
    }

    /// The array part of a copied table, in index order (nil when it has other keys).
    static func array(_ kv: [(key: LuaValue, value: LuaValue)]) -> [LuaValue]? {
        var out = [LuaValue](repeating: .nil, count: kv.count)
        for (k, v) in kv {
            guard case .integer(let i) = k, i >= 1, i <= kv.count else { return nil }
            out[Int(i) - 1] = v
        }
        return out
    }

    /// Nested arrays: a 1-d array gives shape (n), arrays of arrays (n, k), … (rectangular).
    static func fromNested(_ v: [LuaValue], what: String, arg: Int32) throws -> Tensor<Float> {
        var shape: [Int] = [], data: [Float] = []
        func walk(_ xs: [LuaValue], depth: Int) throws {
            if shape.count == depth { shape.append(xs.count) } else if shape[depth] != xs.count {
                throw LuaArgumentError(arg, "\(what): ragged nested arrays (sizes \(shape[depth]) and \(xs.count) at depth \(depth + 1))")
            }
            for x in xs {
                switch x {
                case .number(let d):
                    guard depth == shape.count - 1, d.isFinite else { throw LuaArgumentError(arg, "\(what): expected finite numbers in a rectangular array") }
                    data.append(Float(d))
                case .integer(let i):
                    guard depth == shape.count - 1 else { throw LuaArgumentError(arg, "\(what): ragged nested arrays") }
                    data.append(Float(i))
                case .table(let kv):
                    guard let a = array(kv) else { throw LuaArgumentError(arg, "\(what): expected arrays (keys 1…n)") }
                    try walk(a, depth: depth + 1)
                default: throw LuaArgumentError(arg, "\(what): expected numbers or arrays, got \(x)")
                }
            }
        }
        try walk(v, depth: 0)
        guard !shape.isEmpty, data.count == shape.reduce(1, *) else { throw LuaArgumentError(arg, "\(what): ragged or empty nested arrays") }
        return try Tensor(shape: shape, data: data)
    }

    /// The tensor as nested Lua values.
    static func nested(_ t: Tensor<Float>) -> LuaValue {
        func build(_ dim: Int, _ offset: Int, _ stride: Int) -> LuaValue {
            if dim == t.shape.count - 1 {
                return .table((0..<t.shape[dim]).map { (key: .integer(Int64($0 + 1)), value: .number(Double(t.data[offset + $0]))) })
            }
            let inner = stride / max(1, t.shape[dim])
            return .table((0..<t.shape[dim]).map { (key: .integer(Int64($0 + 1)), value: build(dim + 1, offset + $0 * inner, inner)) })
        }
        if t.shape.isEmpty { return .number(Double(t.data.first ?? 0)) }
        return build(0, 0, t.count)
    }
}

enum TensorModule {
    static func register(_ cl: ModuleBuilder) {
        cl.state.register(TensorObject.self, LuaClass(methods: [
            "shape": { c in c.pushArray(try c.object(1, TensorObject.self).tensor.shape.map(Double.init)) },
            "size": { c in
                let t = try c.object(1, TensorObject.self).tensor
                let d = try c.integer(2, in: 1...max(1, t.rank))
                return c.push(t.shape[d - 1])
            },
            "slice": { c in
                let t = try c.object(1, TensorObject.self).tensor
                guard t.rows > 0 else { throw LuaArgumentError(1, "the tensor has no rows to slice") }
                let from = try c.integer(2, in: 1...t.rows)
                let to = c.isNoneOrNil(3) ? t.rows : try c.integer(3, in: from...max(from, t.rows))
                return c.push(object: TensorObject(t.slice(rows: (from - 1)..<to)))
            },
            "rows": { c in
                let t = try c.object(1, TensorObject.self).tensor
                let idx = try LuaVectors.doubles(c, 2)
                var rows: [Int] = []
                for (k, v) in idx.enumerated() {
                    guard v == v.rounded(), v >= 1, v <= Double(t.rows) else {
                        throw LuaArgumentError(2, "row \(k + 1): \(v) is not a row number in 1...\(t.rows)")
                    }
                    rows.append(Int(v) - 1)
                }
                return c.push(object: TensorObject(t.gatherRows(rows)))
            },
            "to_table": { c in
                let t = try c.object(1, TensorObject.self).tensor
                guard t.count <= 1_000_000 else { throw LuaScriptError("to_table: \(t.count) values is too many for a Lua table") }
                return c.push(TensorArgs.nested(t))
            },
        ], metamethods: [
            "__tostring": { c in c.push(TensorObject.describe(try c.object(1, TensorObject.self).tensor)) },
            "__len": { c in c.push(try c.object(1, TensorObject.self).tensor.rows) },
        ]))
        cl.function("tensor", "tensor(values)",
                    "A cl.Tensor (Float32) from nested arrays of numbers ({{1, 2}, {3, 4}} is 2 × 2), a frame (its numeric columns as rows × columns) or another tensor. Shape with t:shape(), rows with t:slice(i, j) / t:rows{…}.") { c in
            c.push(object: TensorObject(try TensorArgs.tensor(c, 1, what: "values", arg: 1)))
        }
    }
}

import CLua
import CLuaBridge
import ChurnCore
import Foundation
import LuaRuntime

/// `cl.version`, `cl.seed`, `cl.clock`, `cl.help`.
enum CoreModule {
    static func register(_ cl: ModuleBuilder) {
        cl.value("version", .string(ChurnLab.version))

        cl.function("seed", "seed(n)",
                    "Sets the process-wide seed (an integer >= 0) used by every random function not given its own `seed`. Returns the previous seed.") { c in
            let n = try c.integer(1, in: OptionRange.seed)
            let previous = GlobalSeed.value
            GlobalSeed.value = UInt64(n)
            return c.push(Int(truncatingIfNeeded: previous))
        }

        cl.function("clock", "clock()", "Monotonic seconds (for timing); unaffected by changes of the wall clock.") { c in
            c.push(clb_monotonic())
        }

        cl.doc("read_events", "read_events(path [, {user =, time =, event =, amount =, csv = {...}}])",
               "Reads an event log from CSV (read_csv options under `csv`) and indexes it like cl.events.")
        cl.doc("printf", "printf(fmt, ...)", "Writes string.format(fmt, ...) to standard output (no newline added).")
        cl.doc("inspect", "inspect(value [, {depth =, width =}])", "A readable rendering of any value: nested tables with sorted keys, cycles shown as <cycle>.")

        cl.function("_methods", "_methods(obj)", "Method names of a ChurnLab object (for completion and tests).") { c in
            guard lua_getmetatable(c.L, 1) != 0 else { return c.push(LuaValue.table([])) }
            c.push("__methods")
            lua_rawget(c.L, -2)
            return 1
        }

        cl.function("help", "help([name])",
                    "Help text for a `cl` function, e.g. cl.help('seed') or cl.help(cl.seed); without an argument, lists what exists.") { c in
            let docs = Docs.shared
            if c.isNoneOrNil(1) {
                return c.push(docs.names.map { docs.entry($0)!.signature }.joined(separator: "\n"))
            }
            var name = try c.string(1)
            if !name.hasPrefix("cl.") { name = "cl." + name }
            guard let e = docs.entry(name) else {
                let near = docs.names.filter { $0.hasSuffix("." + name.split(separator: ".").last!) }
                throw LuaScriptError("no help for '\(name)'" + (near.isEmpty ? "" : "; did you mean " + near.map { "'\($0)'" }.joined(separator: " or ") + "?"))
            }
            return c.push(e.signature + "\n  " + e.help)
        }
    }
}

/// `cl._bench`: functions for the call-overhead benchmark (scripts/bench/call_overhead.lua).
enum BenchModule {
    static func register(_ cl: ModuleBuilder) {
        cl.submodule("_bench") { b in
            b.function("swift_add1", "_bench.swift_add1(x)", "x + 1, implemented in Swift (benchmark baseline).") { c in
                c.push(try c.number(1) + 1)
            }
            b.state.push("c_add1")
            b.state.pushCFunction(clb_bench_c_add1)
            b.rawsetTop()
        }
    }
}

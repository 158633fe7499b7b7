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

        // cl.test is written in Lua (Prelude.test); its help lives here with the other Lua-implemented functions.
        for (name, signature, help) in [
            ("cl.test", "cl.test", "Assertions for *_test.lua files run by `churnlab test`; a failing assertion reports the caller's file:line."),
            ("cl.test.case", "cl.test.case(name, fn)", "Runs fn as a named test case: a failing assertion inside is printed with its values and counted."),
            ("cl.test.eq", "cl.test.eq(actual, expected [, msg])", "Deep equality of values and tables."),
            ("cl.test.near", "cl.test.near(actual, expected [, tol = 1e-9] [, msg])", "Numbers (or arrays of numbers) within tol of each other."),
            ("cl.test.raises", "cl.test.raises(fn, text)", "fn raises an error whose message contains text (plain substring)."),
            ("cl.test.ok", "cl.test.ok(v [, msg])", "v is truthy."),
            ("cl.test.deepeq", "cl.test.deepeq(a, b)", "True when a and b are equal values or tables with equal contents (what cl.test.eq compares)."),
        ] { Docs.shared.add(name, signature: signature, help: help) }

        cl.doc("help", "help([name | function | module | object])",
               "Prints help: without an argument every module and function; cl.help('seed'), cl.help(cl.metrics.auc), cl.help('metrics') (a module's functions), cl.help('df:filter') (a method), cl.help(df) or cl.help('df') (an object's methods with one-line docs).")
        cl.doc("help_text", "help_text([name | function | module | object])", "The text cl.help prints, as a string.")
        cl.function("_help_text", "_help_text([name])", "The text of cl.help (internal; wrapped by cl.help in Lua).") { c in
            let docs = Docs.shared
            if c.isNoneOrNil(1) { return c.push(HelpText.overview(docs)) }
            do { return c.push(try HelpText.text(for: try c.string(1), docs)) } catch let e as HelpError {
                throw LuaScriptError(e.description)
            }
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

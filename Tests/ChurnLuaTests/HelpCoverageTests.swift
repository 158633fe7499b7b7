@testable import ChurnLua
import LuaRuntime
import XCTest

/// Help covers everything a user can call: every method of every registered object class
/// (found in the Lua registry, so a new class or method cannot be missed) and every
/// function reachable from `cl`; internal names stay out of listings and completion.
final class HelpCoverageTests: XCTestCase {
    /// class name → method names, read from the registered metatables.
    func registeredClasses(_ s: LuaState) throws -> [String: [String]] {
        let v = try s.run("""
            local lines = {}
            for k, mt in pairs(debug.getregistry()) do
              if type(k) == "userdata" and type(mt) == "table" and type(rawget(mt, "__methods")) == "table"
                 and type(rawget(mt, "__name")) == "string" then
                for m in pairs(rawget(mt, "__methods")) do lines[#lines + 1] = rawget(mt, "__name") .. ":" .. m end
              end
            end
            return table.concat(lines, "\\n")
            """)
        guard case .string(let text)? = v.first else { return [:] }
        var out: [String: [String]] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            out[parts[0], default: []].append(parts[1])
        }
        return out.mapValues { $0.sorted() }
    }

    func testEveryMethodOfEveryClassHasHelp() throws {
        let s = try ChurnLab.newState()
        let classes = try registeredClasses(s)
        XCTAssertGreaterThanOrEqual(classes.count, 9, "\(classes.keys.sorted())")
        var checked = 0
        for (cls, methods) in classes {
            XCTAssertNotNil(MethodDocs.byClass[cls], "class \(cls) has no MethodDocs entry")
            for m in methods {
                let e = MethodDocs.byClass[cls]?[m]
                XCTAssertNotNil(e, "\(cls):\(m) has no help")
                XCTAssertFalse(e?.help.isEmpty ?? true, "\(cls):\(m)")
                // The same text through cl.help_text with the class name and with the receiver alias.
                let text = try s.run("return cl.help_text('\(cls):\(m)')").first
                XCTAssertEqual(text, .string((e?.signature ?? "") + "   (\(cls))\n  " + (e?.help ?? "")))
                checked += 1
            }
            // No stale docs for methods that do not exist.
            let documented = Set(MethodDocs.byClass[cls]?.keys.map { $0 } ?? [])
            XCTAssertEqual(documented.subtracting(methods), [], "\(cls): documented but not registered")
        }
        XCTAssertGreaterThan(checked, 80)
    }

    func testEveryClFunctionHasHelpAndInternalsAreHidden() throws {
        let s = try ChurnLab.newState()
        let missing = try s.run("""
            local missing = {}
            for k, v in pairs(cl) do
              local function check(name, f)
                if type(f) == "function" and not name:find("%._") then
                  local ok, err = pcall(cl.help_text, f)
                  if not ok then missing[#missing + 1] = name .. ": " .. tostring(err) end
                end
              end
              check("cl." .. k, v)
              if type(v) == "table" and not k:find("^_") then
                for k2, f in pairs(v) do check("cl." .. k .. "." .. k2, f) end
              end
            end
            table.sort(missing)
            return table.concat(missing, "\\n")
            """).first
        XCTAssertEqual(missing, .string(""))
        let overview = try s.run("return cl.help_text()").first
        guard case .string(let text)? = overview else { return XCTFail("no overview") }
        XCTAssertFalse(text.contains("_bench") || text.contains("_methods") || text.contains("_help_text"), text)
        XCTAssertTrue(text.contains("cl.Frame (df:...)"), text)
        let repl = ReplSession(state: s)
        let hidden = repl.completions(for: "cl._")                                  // only when typed
        XCTAssertTrue(hidden.contains("cl._bench") && hidden.contains("cl._methods"), "\(hidden)")
        XCTAssertFalse(repl.completions(for: "cl.").contains { $0.hasPrefix("cl._") })
    }
}

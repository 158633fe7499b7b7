import ChurnLua
import Foundation
import LuaRuntime
import XCTest

final class NotebookSessionTests: XCTestCase {
    func makeSession() throws -> NotebookSession { try NotebookSession(state: try ChurnLab.newState()) }

    func text(_ b: MimeBundle?) -> String? { b?["text/plain"] }

    func result(_ run: CellRun) -> MimeBundle? {
        for case .result(let b) in run.outputs { return b }
        return nil
    }

    func testStdoutCapturedInOrderWithResult() throws {
        let s = try makeSession()
        let run = s.execute("print('a', 1, nil)\nio.write(2, ' ', 2.5, '\\n')\nio.stdout:write('x'):write('y\\n')\ncl.printf('%d%%\\n', 5)\n40 + 2")
        XCTAssertEqual(run.executionCount, 1)
        XCTAssertEqual(run.outputs, [.stream(name: "stdout", text: "a\t1\tnil\n2 2.5\nxy\n5%\n"), .result(["text/plain": "42"])])
        let err = s.execute("io.stderr:write('warn\\n')\nprint('out')")
        XCTAssertEqual(err.executionCount, 2)
        XCTAssertEqual(err.outputs, [.stream(name: "stderr", text: "warn\n"), .stream(name: "stdout", text: "out\n")])
    }

    func testLastExpressionKeepsLocalsAndSemantics() throws {
        let s = try makeSession()
        XCTAssertEqual(text(result(s.execute("local x = 40\nlocal y = 2\nx + y\n-- trailing comment\n"))), "42")
        // A loop is not turned into an early return: all three iterations run.
        XCTAssertEqual(s.execute("for i = 1, 3 do\n  print(i)\nend").outputs, [.stream(name: "stdout", text: "1\n2\n3\n")])
        XCTAssertEqual(s.execute("x = 1").outputs, [])
        XCTAssertEqual(s.execute("nil").outputs, [])                       // a nil result is not shown
        XCTAssertEqual(text(result(s.execute("x, 'b'"))), "1\t\"b\"")
        XCTAssertEqual(text(result(s.execute("{\n  a = x,\n}"))), "{a = 1}")
        XCTAssertEqual(text(result(s.execute("print('p')"))), nil)           // print returns nothing
        XCTAssertEqual(text(result(s.execute("local function f() return 7 end\nf()"))), "7")
    }

    func testErrorsCarryNameAndTraceback() throws {
        let s = try makeSession()
        let run = s.execute("x = 1\nlocal t\nprint('before')\nreturn t.field")
        XCTAssertEqual(run.outputs.first, .stream(name: "stdout", text: "before\n"))
        let e = try XCTUnwrap(run.error)
        XCTAssertEqual(e.ename, "RuntimeError")
        XCTAssertEqual(e.evalue, "In[1]:4: attempt to index a nil value (local 't')")
        XCTAssertEqual(e.traceback.first, e.evalue)
        XCTAssertTrue(e.traceback.contains("stack traceback:"), "\(e.traceback)")
        let syntax = try XCTUnwrap(s.execute("x = = 1").error)
        XCTAssertEqual(syntax.ename, "SyntaxError")
        XCTAssertTrue(syntax.evalue.hasPrefix("In[2]:1:"), syntax.evalue)
        let thrown = try XCTUnwrap(s.execute("error({code = 1})").error)
        XCTAssertEqual(thrown.ename, "RuntimeError")
    }

    func testInterruptStopsALongCell() throws {
        let s = try makeSession()
        let handle = s.state.interruptHandle
        let box = UnsafeSendable(handle)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { LuaState.requestInterrupt(box.value) }
        let t0 = Date()
        let e = try XCTUnwrap(s.execute("while true do end").error)
        XCTAssertEqual(e.ename, "KeyboardInterrupt")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 3)
        XCTAssertEqual(text(result(s.execute("1 + 1"))), "2")
    }

    func testDisplayMidCellAndRichResults() throws {
        let s = try makeSession()
        var live: [CellOutput] = []
        s.onOutput = { live.append($0) }
        let run = s.execute("df = cl.frame{a = {1, 2}}\nprint('one')\ncl.display(df, 'txt')\nprint('two')\ndf")
        XCTAssertEqual(run.outputs.count, 5)
        XCTAssertEqual(run.outputs[0], .stream(name: "stdout", text: "one\n"))
        guard case .display(let d) = run.outputs[1] else { return XCTFail("\(run.outputs)") }
        XCTAssertTrue(d["text/html"]!.contains("<td style=\"text-align:right\">2</td>"), d["text/html"]!)
        XCTAssertEqual(run.outputs[2], .display(["text/plain": "\"txt\""]))
        XCTAssertEqual(run.outputs[3], .stream(name: "stdout", text: "two\n"))
        guard case .result(let r) = run.outputs[4] else { return XCTFail() }
        XCTAssertEqual(r["text/plain"], "a\nint\n  1\n  2\n[2 rows × 1 column]")   // the core renderer, as tostring(df)
        XCTAssertEqual(live, run.outputs)
    }

    func testIoOutputToFileStillWritesTheFile() throws {
        let s = try makeSession()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nb-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = s.execute("io.output('\(path)')\nio.write('to file')\nio.close()\nio.output(io.stdout)\nio.write('back')")
        XCTAssertNil(run.error)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "to file")
        XCTAssertEqual(run.outputs, [.stream(name: "stdout", text: "back")])
    }

    func testIsCompleteCompletionAndInspect() throws {
        let s = try makeSession()
        XCTAssertEqual(s.isComplete("x = 1"), .complete)
        XCTAssertEqual(s.isComplete("1 +"), .incomplete)
        XCTAssertEqual(s.isComplete("function f()\n  return 1"), .incomplete)
        XCTAssertEqual(s.isComplete("x = [[open"), .incomplete)
        XCTAssertEqual(s.isComplete("x = )"), .invalid)
        _ = s.execute("customers = cl.frame{tenure = {1}, total_charges = {2.5}, ['monthly fee'] = {3}}")
        let c = s.complete("y = customers.t", cursor: 15)
        XCTAssertEqual(c.matches, ["customers.tenure", "customers.total_charges"])
        XCTAssertEqual(c.start, 4)
        XCTAssertEqual(c.end, 15)
        XCTAssertEqual(s.complete("customers:nr", cursor: 12).matches, ["customers:nrow"])
        XCTAssertEqual(s.complete("cl.se", cursor: 5).matches, ["cl.seed"])
        let seedHelp = try XCTUnwrap(s.inspect("cl.seed(1)", cursor: 5))
        XCTAssertTrue(seedHelp.hasPrefix("cl.seed(n)\n\nSets the process-wide seed"), seedHelp)
        let described = try XCTUnwrap(s.inspect("customers", cursor: 3))
        XCTAssertTrue(described.hasPrefix("customers — userdata: monthly fee  tenure  total_charges\n"), described)
        XCTAssertTrue(described.hasSuffix("[1 row × 3 columns]"), described)
        XCTAssertNil(s.inspect("nosuch", cursor: 2))
        // Methods: the receiver is evaluated to find its class (a column here), else its conventional name.
        let method = try XCTUnwrap(s.inspect("customers.tenure:value_counts()", cursor: 20))
        XCTAssertTrue(method.hasPrefix("col:value_counts([{normalize = false, dropna = true}])   (cl.Column)\n\n"), method)
        XCTAssertTrue(try XCTUnwrap(s.inspect("x = df:filter(e)", cursor: 10)).hasPrefix("df:filter(expr)   (cl.Frame)"))
        // Completion through an object: a column's methods after `df.col:`.
        XCTAssertEqual(s.complete("customers.tenure:me", cursor: 19).matches, ["customers.tenure:mean"])
        // cl.help prints formatted text (real newlines) on stdout.
        let help = s.execute("cl.help('df:filter')")
        XCTAssertEqual(help.outputs, [.stream(name: "stdout", text: "df:filter(expr)   (cl.Frame)\n  Rows where the cl.col(...) expression is true (null counts as false).\n")])
    }
}

/// Carries a raw pointer to another thread in a test.
struct UnsafeSendable<T>: @unchecked Sendable { let value: T; init(_ v: T) { value = v } }

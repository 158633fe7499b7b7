import ArgumentParser
import ChurnLua
import Foundation
import LuaRuntime

struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Work with Jupyter notebooks whose code cells are ChurnLab Lua.",
        subcommands: [NotebookRunCommand.self]
    )
}

struct NotebookRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute a notebook's code cells in order and store their outputs.",
        discussion: """
            Cells run in one Lua state with the notebook's directory as working directory. Standard output becomes \
            stream outputs, the value of a cell's last expression its result (frames as HTML tables, SVG strings as \
            images), `cl.display(x)` shows values mid-cell, errors carry a Lua traceback. Execution stops at the first \
            error (exit code 1) unless --allow-errors. Without --out the notebook is updated in place.

            Examples:
              churnlab notebook run notebooks/tour.ipynb
              churnlab notebook run analysis.ipynb --out executed.ipynb --html report.html
              churnlab notebook run cohort.ipynb -p as_of=2024-11-01 --out cohort-nov.ipynb
            """
    )

    @Argument(help: ArgumentHelp("The notebook (.ipynb, nbformat 4).", valueName: "notebook"))
    var notebook: String

    @Option(name: .long, help: ArgumentHelp("Write the executed notebook here instead of in place.", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Also write a self-contained static HTML rendering.", valueName: "file"))
    var html: String?

    @Flag(name: .customLong("allow-errors"), help: "Keep executing after a cell fails (exit code 0; errors stay in the outputs).")
    var allowErrors = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Stop any single cell after this many seconds.", valueName: "seconds"))
    var timeout: Double?

    @Option(name: [.customShort("p"), .customLong("param")],
            help: ArgumentHelp("Set a parameter the notebook declares with cl.params (repeatable).", valueName: "name=value"))
    var params: [String] = []

    func validate() throws {
        if let e = LuaLimits.rangeError(timeout: timeout, memoryMegabytes: nil) { throw ValidationError(e) }
    }

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
        let input = absolute(notebook)
        guard FileManager.default.isReadableFile(atPath: input) else {
            printError("churnlab: cannot open \(notebook)")
            throw ExitStatus.noInput
        }
        var doc: NotebookDocument
        do { doc = try NotebookDocument(contentsOf: input) } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.failure
        }
        let given: [String: String]
        do { given = try ScriptParamRegistry.parse(params) } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.usage
        }
        let dir = ScriptHost.directory(of: input)
        let session: NotebookSession
        do {
            let state = try ScriptHost.makeState(options: LuaOptions(limits: LuaLimits(timeout: timeout)), scriptPath: input, args: [])
            state.paramRegistry = ScriptParamRegistry(given: given)
            session = try NotebookSession(state: state)
        } catch {
            printError("churnlab: cannot start Lua: \(error)")
            throw ExitStatus.software
        }
        FileManager.default.changeCurrentDirectoryPath(dir)
        let summary = NotebookRunner(allowErrors: allowErrors).run(&doc, session: session)
        FileManager.default.changeCurrentDirectoryPath(cwd)
        let target = absolute(out ?? notebook)
        do {
            try doc.write(to: target)
            if let html {
                let title = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
                try NotebookHTML.render(doc, title: title).write(toFile: absolute(html), atomically: true, encoding: .utf8)
            }
        } catch {
            printError("churnlab: cannot write output: \(error)")
            throw ExitStatus.failure
        }
        if !given.isEmpty && !session.state.paramRegistry.declared && summary.failedCell == nil {
            printError("churnlab: parameters given with -p (\(given.keys.sorted().joined(separator: ", "))) but the notebook never called cl.params")
            throw ExitStatus.failure
        }
        if let cell = summary.failedCell, let e = summary.firstError {
            printError("\(notebook): cell \(cell + 1) failed:\n\(e.description)")
            if !allowErrors { throw ExitStatus.failure }
        }
        print("\(notebook): executed \(summary.executed) code cell\(summary.executed == 1 ? "" : "s") → \(out ?? notebook)")
    }
}

import ArgumentParser
import ChurnLua
import Foundation
import LuaRuntime

struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Interactive Lua session with `cl` loaded.",
        discussion: """
            Expressions print their value; an incomplete statement continues on the next line; Tab completes \
            globals, `cl.` members and object methods; history is kept in ~/.churnlab_history; Ctrl-C stops a \
            running statement; Ctrl-D exits. With piped input it reads statements without prompts, \
            e.g. echo '1+1' | churnlab repl
            """
    )

    @OptionGroup var runtime: RuntimeOptions

    @Option(name: .long, help: ArgumentHelp("Run this script first (its globals stay available).", valueName: "script"))
    var load: String?

    func run() throws {
        let interactive = isatty(0) != 0
        let options = runtime.luaOptions(scriptDirectory: nil)
        let history = NSHomeDirectory() + "/.churnlab_history"
        runtime.confineProcess(options, hostWritable: [history], hostReadable: load.map { [$0] } ?? [])
        let state = try ScriptHost.makeState(options: options, scriptPath: nil, args: [])
        let session = ReplSession(state: state)
        var hadError = false
        if let load {
            do { try state.load(file: load); try state.pcall(nargs: 0, nresults: 0) } catch let e as LuaError {
                printError(e.fullReport)
                hadError = true
            }
        }
        Interrupts.install(for: state)
        defer { Interrupts.uninstall() }

        let editor: LineEditor? = interactive
            ? LineEditor(historyPath: history, completer: session.completions)
            : nil
        if interactive { print("ChurnLab \(ChurnLab.version) (Lua 5.4) — cl.help() lists functions; Ctrl-D exits") }
        while true {
            let prompt = session.isContinuing ? ">> " : "> "
            let line: String?
            if let editor { line = editor.readLine(prompt: prompt) } else { line = Swift.readLine(strippingNewline: true) }
            guard let line else {
                // Ctrl-C at the prompt makes readline return nothing: drop the
                // partial statement and prompt again. Ctrl-D (end of input) exits.
                if Interrupts.takeHit() {
                    session.reset()
                    print()
                    continue
                }
                break
            }
            _ = Interrupts.takeHit()
            if !session.isContinuing && line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            switch session.feed(line) {
            case .incomplete: continue
            case .value(let text): if let text { print(text) }
            case .error(let message):
                printError(message)
                hadError = true
            }
            fflush(stdout)
        }
        if session.isContinuing {
            printError("stdin: unexpected end of input in an unfinished statement")
            hadError = true
        }
        editor?.save()
        if interactive { print() }
        // Piped sessions report errors through the exit code, so scripts can rely on it.
        if hadError && !interactive { throw ExitStatus.failure }
    }
}

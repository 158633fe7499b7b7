import ArgumentParser
import ChurnLua

@main
struct Churnlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churnlab",
        abstract: "A workbench for churn analytics: Lua pipelines over a fast Swift core.",
        discussion: """
            Exit codes: 0 success; 1 a script, test or job failed; 64 bad command-line usage; \
            66 an input file is missing or unreadable; 70 internal error; 124 a script did not stop within 2 s \
            of its time limit; 130 interrupted (Ctrl-C).
            """,
        version: ChurnLab.version,
        subcommands: [RunCommand.self, ReplCommand.self, TestCommand.self, SimulateCommand.self, RulesCommand.self,
                      ScheduleCommand.self, NotebookCommand.self, KernelCommand.self, VerifyCommand.self,
                      ServeCommand.self]
    )

    static func main() {
        // Every Lua state this process runs is watched (run, rules, schedule,
        // notebook, kernel, test): work that ignores its stop ends the process.
        ProcessBackstop.install()
        if let unknown = HelpTopics.unknownTopic(Array(CommandLine.arguments.dropFirst()), root: Churnlab.self) {
            printError("churnlab: no help topic '\(unknown.name)'; commands: \(unknown.known.joined(separator: ", "))")
            Churnlab.exit(withError: ExitStatus.usage)
        }
        main(nil)
    }
}

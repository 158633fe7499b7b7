import ArgumentParser
import ChurnLua
import Foundation
import LuaRuntime

struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Run as a Jupyter kernel (started by Jupyter with a connection file).",
        discussion: """
            Implements the Jupyter messaging protocol 5.3 over ZeroMQ with HMAC-SHA256 signed messages. \
            Install the kernelspec once with `churnlab kernel install --user`, then pick "ChurnLab (Lua)" in Jupyter.
            """,
        subcommands: [KernelInstallCommand.self]
    )

    @Option(name: .customLong("connection-file"), help: ArgumentHelp("The connection file Jupyter wrote.", valueName: "file"))
    var connectionFile: String?

    func run() throws {
        guard let connectionFile else {
            throw ValidationError("give --connection-file FILE (Jupyter does this), or use `churnlab kernel install`")
        }
        let info: ConnectionInfo
        do { info = try ConnectionInfo(contentsOf: connectionFile) } catch {
            printError("churnlab: \(error)")
            throw ExitStatus.noInput
        }
        let server: KernelServer
        do {
            let state = try ScriptHost.makeState(options: LuaOptions(), scriptPath: nil, args: [])
            server = try KernelServer(connection: info, session: try NotebookSession(state: state))
        } catch {
            printError("churnlab: cannot start the kernel: \(error)")
            throw ExitStatus.software
        }
        // SIGINT (Jupyter's "signal" interrupt mode, or Ctrl-C in the terminal)
        // stops the running cell instead of the kernel.
        Interrupts.install(for: server.session.state)
        server.serve()
    }
}

struct KernelInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the ChurnLab kernelspec so Jupyter can start this kernel.",
        discussion: """
            Writes churnlab/kernel.json into Jupyter's kernels directory: with --user the per-user one \
            ($JUPYTER_DATA_DIR/kernels or ~/.local/share/jupyter/kernels), with --prefix DIR DIR/share/jupyter/kernels \
            (e.g. a virtual environment), otherwise /usr/local/share/jupyter/kernels.
            """
    )

    @Flag(name: .long, help: "Install for the current user.")
    var user = false

    @Option(name: .long, help: ArgumentHelp("Install below this prefix (e.g. a venv).", valueName: "dir"))
    var prefix: String?

    func validate() throws {
        if user && prefix != nil { throw ValidationError("give either --user or --prefix, not both") }
    }

    func run() throws {
        let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
        let dir = KernelSpec.kernelsDirectory(user: user, prefix: prefix)
        do {
            let installed = try KernelSpec.install(into: dir, executable: exe)
            print("Installed kernelspec churnlab in \(installed)")
        } catch {
            printError("churnlab: cannot install the kernelspec in \(dir): \(error)")
            throw ExitStatus.failure
        }
    }
}

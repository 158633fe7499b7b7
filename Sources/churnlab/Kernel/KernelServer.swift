import ChurnLua
import CZMQ
import Foundation
import LuaRuntime

/// The runtime's interrupt flag, set from the control thread (a single store).
struct InterruptHandle: @unchecked Sendable { let raw: UnsafeMutableRawPointer }

/// A set-once flag shared between the shell loop and the control thread.
final class KernelStop: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private(set) var restart = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set(restart: Bool) { lock.lock(); value = true; self.restart = restart; lock.unlock() }
}

/// The Jupyter kernel: Lua runs on the main thread, which serves the shell
/// socket and publishes on iopub; a control thread answers heartbeats,
/// interrupts (setting the runtime's interrupt flag, which stops a running
/// cell at its next hook check) and shutdown requests while a cell runs.
/// `@unchecked Sendable`: the control thread touches only `control`, `heartbeat`,
/// `stop`, `codec` (immutable) and the interrupt flag; everything else stays on the main thread.
final class KernelServer: @unchecked Sendable {
    let connection: ConnectionInfo
    let codec: MessageCodec
    let context: ZMQContext
    let shell, iopub, stdin, control, heartbeat: ZMQSocket
    let session: NotebookSession
    let stop = KernelStop()
    private let controlDone = DispatchSemaphore(value: 0)
    /// Signalled when the shell loop has returned (after a shutdown request).
    private let shellDone = DispatchSemaphore(value: 0)

    init(connection: ConnectionInfo, session: NotebookSession) throws {
        self.connection = connection
        self.session = session
        codec = MessageCodec(signer: MessageSigner(key: Array(connection.key.utf8)))
        context = try ZMQContext()
        shell = try ZMQSocket(context, type: ZMQ_ROUTER, bind: connection.endpoint(connection.shellPort))
        iopub = try ZMQSocket(context, type: ZMQ_PUB, bind: connection.endpoint(connection.iopubPort))
        stdin = try ZMQSocket(context, type: ZMQ_ROUTER, bind: connection.endpoint(connection.stdinPort))
        control = try ZMQSocket(context, type: ZMQ_ROUTER, bind: connection.endpoint(connection.controlPort))
        heartbeat = try ZMQSocket(context, type: ZMQ_REP, bind: connection.endpoint(connection.hbPort))
    }

    /// Serves until a shutdown request.
    func serve() {
        let interruptHandle = InterruptHandle(raw: session.state.interruptHandle)
        let controlThread = Thread { [self] in
            controlLoop(interruptHandle: interruptHandle.raw)
            controlDone.signal()
        }
        controlThread.start()
        publish("status", ["execution_state": "starting"], parent: nil)
        while !stop.isSet {
            guard !ZMQSocket.poll([shell], timeoutMs: 100).isEmpty else { continue }
            do {
                let frames = try shell.receive()
                let msg: KernelMessage
                do { msg = try codec.decode(frames) } catch { log("\(error)"); continue }
                handleShell(msg)
            } catch {
                log("\(error)")
            }
        }
        shellDone.signal()
        controlDone.wait()
    }

    // MARK: control thread (heartbeat, interrupt, shutdown)

    private func controlLoop(interruptHandle: UnsafeMutableRawPointer) {
        var watch = ParentWatch()
        while !stop.isSet {
            if watch.parentDied() {
                // The client (Jupyter, nbclient, an IDE) is gone: nobody can
                // reach this kernel any more, so it must not linger holding
                // memory and ports. Stop like a shutdown request would.
                log("the parent process (pid \(watch.originalParent)) exited; shutting down")
                stop.set(restart: false)
                LuaState.requestInterrupt(interruptHandle)
                if shellDone.wait(timeout: .now() + ProcessBackstop.grace) == .timedOut { _exit(0) }
                shellDone.signal()
                break
            }
            let ready = ZMQSocket.poll([control, heartbeat], timeoutMs: 50)
            if ready.contains(1), let ping = try? heartbeat.receive() { try? heartbeat.send(ping) }
            guard ready.contains(0), let frames = try? control.receive() else { continue }
            let msg: KernelMessage
            do { msg = try codec.decode(frames) } catch { log("\(error)"); continue }
            switch msg.type {
            case "interrupt_request":
                LuaState.requestInterrupt(interruptHandle)
                reply(on: control, to: msg, "interrupt_reply", ["status": "ok"])
            case "shutdown_request":
                let restart = msg.content["restart"] as? Bool ?? false
                reply(on: control, to: msg, "shutdown_reply", ["status": "ok", "restart": restart])
                stop.set(restart: restart)
                LuaState.requestInterrupt(interruptHandle)   // a running cell must not delay the shutdown
                // A cell stuck where the interrupt cannot reach (native code)
                // must not keep the kernel alive either.
                if shellDone.wait(timeout: .now() + ProcessBackstop.grace) == .timedOut {
                    log("the running cell did not stop within \(Int(ProcessBackstop.grace)) s of the shutdown request; exiting")
                    _exit(0)
                }
                shellDone.signal()
            case "kernel_info_request":
                reply(on: control, to: msg, "kernel_info_reply", kernelInfo)
            default:
                log("unhandled control message \(msg.type)")
            }
        }
    }

    // MARK: shell

    private func handleShell(_ msg: KernelMessage) {
        publish("status", ["execution_state": "busy"], parent: msg)
        defer { publish("status", ["execution_state": "idle"], parent: msg) }
        let c = msg.content
        switch msg.type {
        case "kernel_info_request":
            reply(on: shell, to: msg, "kernel_info_reply", kernelInfo)
        case "execute_request":
            execute(msg)
        case "complete_request":
            let code = c["code"] as? String ?? ""
            let r = session.complete(code, cursor: c["cursor_pos"] as? Int ?? code.count)
            reply(on: shell, to: msg, "complete_reply", ["status": "ok", "matches": r.matches, "cursor_start": r.start,
                                                         "cursor_end": r.end, "metadata": [String: Any]()])
        case "inspect_request":
            let code = c["code"] as? String ?? ""
            let text = session.inspect(code, cursor: c["cursor_pos"] as? Int ?? code.count)
            reply(on: shell, to: msg, "inspect_reply", ["status": "ok", "found": text != nil,
                                                        "data": text.map { ["text/plain": $0] } ?? [String: Any](),
                                                        "metadata": [String: Any]()])
        case "is_complete_request":
            let status = session.isComplete(c["code"] as? String ?? "")
            var content: [String: Any] = ["status": status.rawValue]
            if status == .incomplete { content["indent"] = "  " }
            reply(on: shell, to: msg, "is_complete_reply", content)
        case "history_request":
            reply(on: shell, to: msg, "history_reply", ["status": "ok", "history": [Any]()])
        case "comm_info_request":
            reply(on: shell, to: msg, "comm_info_reply", ["status": "ok", "comms": [String: Any]()])
        case "shutdown_request":
            let restart = c["restart"] as? Bool ?? false
            reply(on: shell, to: msg, "shutdown_reply", ["status": "ok", "restart": restart])
            stop.set(restart: restart)
        default:
            log("unhandled shell message \(msg.type)")
        }
    }

    private func execute(_ msg: KernelMessage) {
        let code = msg.content["code"] as? String ?? ""
        let silent = msg.content["silent"] as? Bool ?? false
        let counted = !silent && (msg.content["store_history"] as? Bool ?? true)
        if counted {
            publish("execute_input", ["code": code, "execution_count": session.executionCount + 1], parent: msg)
        }
        session.onOutput = { [self] output in
            guard !silent else { return }
            switch output {
            case .stream(let name, let text):
                publish("stream", ["name": name, "text": text], parent: msg)
            case .display(let bundle):
                publish("display_data", ["data": bundle, "metadata": [String: Any](), "transient": [String: Any]()], parent: msg)
            case .result(let bundle):
                publish("execute_result", ["execution_count": session.executionCount, "data": bundle,
                                           "metadata": [String: Any]()], parent: msg)
            case .error(let e):
                publish("error", ["ename": e.ename, "evalue": e.evalue, "traceback": e.traceback], parent: msg)
            }
        }
        let run = session.execute(code, silent: !counted)
        session.onOutput = nil
        if let e = run.error {
            // Abort before replying: a request sent after the client saw this reply must run.
            if msg.content["stop_on_error"] as? Bool ?? true { abortQueuedExecutions() }
            reply(on: shell, to: msg, "execute_reply", ["status": "error", "execution_count": run.executionCount,
                                                        "ename": e.ename, "evalue": e.evalue, "traceback": e.traceback])
        } else {
            reply(on: shell, to: msg, "execute_reply", ["status": "ok", "execution_count": run.executionCount,
                                                        "payload": [Any](), "user_expressions": [String: Any]()])
        }
    }

    /// After a failed cell, execute requests already waiting (the rest of a
    /// "Run All") are answered as aborted instead of run, as ipykernel does.
    private func abortQueuedExecutions() {
        while !ZMQSocket.poll([shell], timeoutMs: 0).isEmpty, let frames = try? shell.receive() {
            guard let queued = try? codec.decode(frames) else { continue }
            guard queued.type == "execute_request" else { handleShell(queued); continue }
            publish("status", ["execution_state": "busy"], parent: queued)
            reply(on: shell, to: queued, "execute_reply", ["status": "aborted", "execution_count": session.executionCount])
            publish("status", ["execution_state": "idle"], parent: queued)
        }
    }

    private var kernelInfo: [String: Any] {
        ["status": "ok", "protocol_version": "5.3", "implementation": "churnlab", "implementation_version": ChurnLab.version,
         "language_info": KernelSpec.languageInfo, "banner": "ChurnLab \(ChurnLab.version) — Lua 5.4 with the `cl` module",
         "help_links": [["text": "ChurnLab", "url": "https://github.com/churnlab/churnlab"]], "debugger": false]
    }

    // MARK: sending

    private func reply(on socket: ZMQSocket, to parent: KernelMessage, _ type: String, _ content: [String: Any]) {
        send(codec.message(type, content: content, parent: parent, identities: parent.identities), on: socket)
    }

    private func publish(_ type: String, _ content: [String: Any], parent: KernelMessage?) {
        send(codec.message(type, content: content, parent: parent, identities: [Data("kernel.\(type)".utf8)]), on: iopub)
    }

    private func send(_ m: KernelMessage, on socket: ZMQSocket) {
        do { try socket.send(try codec.encode(m)) } catch { log("cannot send \(m.type): \(error)") }
    }

    private func log(_ s: String) {
        FileHandle.standardError.write(Data("churnlab kernel: \(s)\n".utf8))
    }
}

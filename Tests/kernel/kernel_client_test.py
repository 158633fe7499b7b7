"""Drives `churnlab kernel` with a real Jupyter client (jupyter_client, nbclient).

Usage: python kernel_client_test.py PATH/TO/churnlab
Installs the kernelspec into a temporary prefix, then checks kernel_info, execute
(stream, execute_result, display_data, error), complete, inspect, is_complete,
interrupt, rejection of badly signed messages, heartbeat, restart, shutdown, and
an nbclient run of a notebook. Prints one line per check; exit code 1 on failure.
"""
import os
import queue
import subprocess
import sys
import tempfile
import time

import nbformat
import zmq
from jupyter_client import KernelManager
from jupyter_client.session import Session
from nbclient import NotebookClient

churnlab = os.path.abspath(sys.argv[1])
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f"  -- {detail}"), flush=True)
    if not cond:
        failures.append(name)


def run_cell(kc, code, timeout=30):
    """Executes code; returns (reply content, iopub messages for this request)."""
    msgs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append)
    return reply["content"], msgs


prefix = tempfile.mkdtemp(prefix="churnlab-kernel-")
subprocess.run([churnlab, "kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
spec_path = os.path.join(prefix, "share", "jupyter", "kernels", "churnlab", "kernel.json")
check("kernelspec written", os.path.exists(spec_path), spec_path)

km = KernelManager(kernel_name="churnlab")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=30)

# kernel_info
kc.kernel_info()
info = kc.get_shell_msg(timeout=10)["content"]
check("kernel_info language lua", info["language_info"]["name"] == "lua", info)
check("kernel_info protocol 5.3", info["protocol_version"] == "5.3", info)

# execute: stream and result, in order, with busy/idle around them
content, msgs = run_cell(kc, "print('hello')\nio.write('a', 1, '\\n')\nlocal x = 40\nx + 2")
types = [m["msg_type"] for m in msgs]
check("execute reply ok", content["status"] == "ok", content)
check("execute count 1", content["execution_count"] == 1, content)
streams = "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream")
check("stream output", streams == "hello\na1\n", repr(streams))
results = [m["content"] for m in msgs if m["msg_type"] == "execute_result"]
check("execute_result text/plain", len(results) == 1 and results[0]["data"]["text/plain"] == "42", results)
check("status busy ... idle", types[0] == "status" and types[-1] == "status"
      and msgs[-1]["content"]["execution_state"] == "idle", types)
check("execute_input published", "execute_input" in types, types)

# state persists; display_data of a frame with an HTML table
content, msgs = run_cell(kc, "df = cl.frame{tenure = {1, 5, 9}, plan = {'a', 'b', 'a'}}\ncl.display(df)\n#df")
disp = [m["content"] for m in msgs if m["msg_type"] == "display_data"]
check("display_data html table", len(disp) == 1 and "<table" in disp[0]["data"]["text/html"], disp)
res = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]
check("result after display", res == ["3"], res)

# SVG chart as image
content, msgs = run_cell(kc, "cl.plot.retention({a = {times = {0, 1}, share = {1, 0.5}}})")
res = [m["content"]["data"] for m in msgs if m["msg_type"] == "execute_result"]
check("svg result", len(res) == 1 and res[0]["image/svg+xml"].lstrip().startswith(("<svg", "<?xml")), res)

# error with traceback
content, msgs = run_cell(kc, "local t = nil\nreturn t.x")
errs = [m["content"] for m in msgs if m["msg_type"] == "error"]
check("execute reply error", content["status"] == "error" and content["ename"] == "RuntimeError", content)
check("error output with traceback", len(errs) == 1 and "attempt to index a nil value" in errs[0]["evalue"]
      and any("stack traceback" in line for line in errs[0]["traceback"]), errs)

# after an error, execute requests already queued are aborted (Run All stops)
ids = [kc.execute("local t = os.clock()\nwhile os.clock() - t < 0.3 do end\nerror('stop here')"),
       kc.execute("queued_ran = true"), kc.execute("queued_ran = true")]
statuses = {}
while len(statuses) < 3:
    r = kc.get_shell_msg(timeout=10)
    statuses[r["parent_header"]["msg_id"]] = r["content"]["status"]
check("queued cells aborted after an error", [statuses[i] for i in ids] == ["error", "aborted", "aborted"], statuses)
content, msgs = run_cell(kc, "queued_ran == nil")
check("aborted cells did not run", [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"] == ["true"], msgs)

# silent execution: runs, but publishes nothing and does not count
before = content["execution_count"]
msgs = []
reply = kc.execute_interactive("silent_value = 99\nprint('hidden')", silent=True, timeout=30, output_hook=msgs.append)
check("silent publishes no output", [m["msg_type"] for m in msgs if m["msg_type"] != "status"] == [], msgs)
content, msgs = run_cell(kc, "silent_value")
check("silent ran and did not count", content["execution_count"] == before + 1
      and [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"] == ["99"], content)

# complete: cl. members, globals, frame columns
kc.complete("cl.se", 5)
m = kc.get_shell_msg(timeout=10)["content"]
check("complete cl.se", "cl.seed" in m["matches"] and m["cursor_start"] == 0 and m["cursor_end"] == 5, m)
kc.complete("x = df.te", 9)
m = kc.get_shell_msg(timeout=10)["content"]
check("complete frame columns", m["matches"] == ["df.tenure"] and m["cursor_start"] == 4, m)
kc.complete("pri", 3)
m = kc.get_shell_msg(timeout=10)["content"]
check("complete globals", "print" in m["matches"], m)

# inspect
kc.inspect("cl.seed(", 4)
m = kc.get_shell_msg(timeout=10)["content"]
check("inspect cl.seed", m["found"] and "seed(n)" in m["data"]["text/plain"], m)

# is_complete
for code, want in [("x = 1", "complete"), ("function f()", "incomplete"), ("x = = 1", "invalid")]:
    kc.is_complete(code)
    m = kc.get_shell_msg(timeout=10)["content"]
    check(f"is_complete {code!r} -> {want}", m["status"] == want, m)

# interrupt a long cell (interrupt_request on the control channel)
msg_id = kc.execute("while true do end")
time.sleep(1.0)
t0 = time.time()
km.interrupt_kernel()
reply = kc.get_shell_msg(timeout=10)
while reply["parent_header"].get("msg_id") != msg_id:
    reply = kc.get_shell_msg(timeout=10)
check("interrupt stops the cell", reply["content"]["status"] == "error"
      and reply["content"]["ename"] == "KeyboardInterrupt", reply["content"])
check("interrupt within 2 s", time.time() - t0 < 2.0, time.time() - t0)
content, _ = run_cell(kc, "1 + 1")
check("kernel alive after interrupt", content["status"] == "ok", content)


def interrupt_running(code):
    """Starts code, interrupts it after 1 s; returns (reply or None, seconds)."""
    msg_id = kc.execute(code)
    time.sleep(1.0)
    t0 = time.time()
    km.interrupt_kernel()
    try:
        reply = kc.get_shell_msg(timeout=6)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=6)
    except queue.Empty:
        reply = None
    return reply, time.time() - t0


# interrupt a cell looping in an xpcall message handler (Lua runs it without hooks)
reply, dt = interrupt_running("xpcall(function() while true do end end, function() while true do end end)")
check("interrupt stops a looping message handler", reply is not None and reply["content"]["status"] == "error"
      and reply["content"]["ename"] == "KeyboardInterrupt", reply and reply["content"])
check("message handler interrupt within 2 s", dt < 2.0, dt)
content, _ = run_cell(kc, "1 + 1")
check("kernel alive after handler interrupt", content["status"] == "ok", content)

# interrupt a cell stuck inside C (pattern backtracking): the watchdog ends the
# kernel after its 2 s grace (exit code 130) and Jupyter restarts it; never a hang
proc = km.provisioner.process if km.provisioner is not None else None
msg_id = kc.execute('string.find(("a"):rep(40), ("a*"):rep(40) .. "b")')
time.sleep(1.0)
t0 = time.time()
km.interrupt_kernel()
while km.is_alive() and time.time() - t0 < 8:
    time.sleep(0.1)
dt = time.time() - t0
check("stuck cell: kernel exits after the grace period", not km.is_alive() and dt < 4.0, dt)
if proc is not None:
    check("stuck cell: exit code 130", proc.wait(timeout=5) == 130, proc.returncode)
km.restart_kernel(now=True)
kc.wait_for_ready(timeout=30)
content, _ = run_cell(kc, "1 + 1")
check("kernel usable after restart from a stuck cell", content["status"] == "ok", content)

# messages with a bad signature are rejected
ctx = zmq.Context.instance()
sock = ctx.socket(zmq.DEALER)
sock.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
Session(key=b"not-the-key").send(sock, "kernel_info_request", {})
check("bad signature gets no reply", sock.poll(1500) == 0)
Session(key=km.session.key).send(sock, "kernel_info_request", {})
check("good signature gets a reply", sock.poll(5000) != 0)
sock.close(0)

# heartbeat
check("heartbeat", kc.hb_channel.is_beating())

# restart: a fresh state
km.restart_kernel(now=False)
kc.wait_for_ready(timeout=30)
content, msgs = run_cell(kc, "df == nil")
res = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]
check("restart gives a fresh state", res == ["true"], res)

# shutdown: the kernel exits by itself
kc.stop_channels()
proc = km.provisioner.process if km.provisioner is not None else None
km.shutdown_kernel(now=False)
check("shutdown", not km.is_alive())
if proc is not None:
    check("kernel exited cleanly", proc.returncode == 0, proc.returncode)

# shutdown_request while a cell is stuck inside C: the kernel still ends, by itself
km2 = KernelManager(kernel_name="churnlab")
km2.start_kernel()
kc2 = km2.client()
kc2.start_channels()
kc2.wait_for_ready(timeout=30)
kc2.execute('string.find(("a"):rep(40), ("a*"):rep(40) .. "b")')
time.sleep(1.0)
proc2 = km2.provisioner.process if km2.provisioner is not None else None
t0 = time.time()
km2.request_shutdown()
while km2.is_alive() and time.time() - t0 < 10:
    time.sleep(0.1)
dt = time.time() - t0
check("shutdown with a stuck cell ends the kernel within the grace period", not km2.is_alive() and dt < 4.0, dt)
if proc2 is not None:
    check("shutdown with a stuck cell exits 0", proc2.wait(timeout=5) == 0, proc2.returncode)
kc2.stop_channels()
km2.cleanup_resources()

# nbclient executes a notebook through the kernel
nb = nbformat.v4.new_notebook()
nb.cells = [nbformat.v4.new_code_cell("x = 6 * 7\nprint('x is', x)"),
            nbformat.v4.new_code_cell("cl.frame{a = {1, 2}}"),
            nbformat.v4.new_code_cell("x + 1")]
NotebookClient(nb, kernel_name="churnlab", timeout=60).execute()
outs = [c.outputs for c in nb.cells]
check("nbclient stream", outs[0][0]["text"] == "x is\t42\n", outs[0])
check("nbclient frame html", "text/html" in outs[1][0]["data"], outs[1])
check("nbclient result", outs[2][0]["data"]["text/plain"] == "43" and nb.cells[2].execution_count == 3, outs[2])
nbformat.validate(nb)
check("nbclient notebook valid", True)

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)

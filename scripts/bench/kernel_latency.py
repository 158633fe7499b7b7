"""Execute round-trip latency of `churnlab kernel` through jupyter_client.

Usage: python kernel_latency.py PATH/TO/churnlab [N]
Prints the median and 95th percentile milliseconds from sending execute_request
to receiving the execute_reply, for a trivial cell and for a cell printing 1,000 lines.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client import KernelManager

churnlab, n = os.path.abspath(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200
prefix = tempfile.mkdtemp(prefix="churnlab-bench-")
subprocess.run([churnlab, "kernel", "install", "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
km = KernelManager(kernel_name="churnlab")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=30)


def bench(code, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        kc.execute_interactive(code, timeout=30, output_hook=lambda m: None)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


for label, code, reps in [("1 + 1", "1 + 1", n), ("print 1,000 lines", "for i = 1, 1000 do print(i) end", n // 4)]:
    med, p95 = bench(code, reps)
    print(f"{label:<20} median {med:6.2f} ms   p95 {p95:6.2f} ms   ({reps} runs)")
kc.stop_channels()
km.shutdown_kernel()

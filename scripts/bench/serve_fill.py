"""Fills a running `churnlab serve` with USERS distinct users (EVENTS_PER_USER events each,
1,000 events per request, 2 client threads, keep-alive) and prints the sustained
ingestion rate. Usage: serve_fill.py PORT TOKEN USERS EVENTS_PER_USER"""
import http.client
import json
import sys
import threading
import time

port, token, users, per = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
total = users * per
batch = 1000


def body(start):
    ev = []
    for k in range(start, min(start + batch, total)):
        u, i = k // per, k % per
        ev.append({"user": f"user{u}", "type": ["login", "view", "purchase"][i % 3],
                   "time": "2026-11-%02dT%02d:%02d:00Z" % (1 + (u + i) % 28, i % 24, u % 60)})
    return json.dumps({"events": ev}).encode()


bodies = [body(s) for s in range(0, total, batch)]
failures = []


def worker(part):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for b in part:
        c.request("POST", "/v1/events", b, {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        r = c.getresponse()
        r.read()
        if r.status != 200:
            failures.append(r.status)


t0 = time.time()
threads = [threading.Thread(target=worker, args=(bodies[i::2],)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
dt = time.time() - t0
print(f"filled {users} users x {per} events = {total} events in {dt:.1f} s: {total / dt:,.0f} events/s "
      f"(1,000-event batches, 2 keep-alive connections, Python client), failures={len(failures)}")

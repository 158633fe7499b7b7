#!/usr/bin/env python3
"""PyTorch side of scripts/bench/nn_vs_torch.sh: the same raw files (written by
nn_vs_torch_data.lua from the simulator), models, batch size, optimiser and
epochs as nn_vs_torch.lua (the MLP 5 x EPOCHS epochs; inference repeated 3 / 20 times), CPU, torch.set_num_threads(T).
Usage: nn_vs_torch.py ROWS AGG_COLUMNS EPOCHS DIR THREADS"""
import sys, time
import numpy as np
import torch

users = int(sys.argv[1]); ncol = int(sys.argv[2]); epochs = int(sys.argv[3]); d = sys.argv[4]; threads = int(sys.argv[5])
torch.set_num_threads(threads); torch.manual_seed(1)
x = torch.from_numpy(np.fromfile(f"{d}/nn_x.f32", dtype=np.float32).reshape(users, 90, 8))
agg = torch.from_numpy(np.fromfile(f"{d}/nn_agg.f32", dtype=np.float32).reshape(users, ncol))
y = torch.from_numpy(np.fromfile(f"{d}/nn_y.f32", dtype=np.float32))
ntr = int(users * 0.8)


def auc(yv, p):
    order = np.argsort(p, kind="mergesort"); ranks = np.empty(len(p)); ranks[order] = np.arange(1, len(p) + 1)
    # ties: average ranks
    _, inv, counts = np.unique(p, return_inverse=True, return_counts=True)
    sums = np.bincount(inv, weights=ranks); ranks = (sums / counts)[inv]
    pos = yv == 1; n1 = pos.sum(); n0 = len(yv) - n1
    return (ranks[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


class Seq(torch.nn.Module):
    def __init__(self, cell):
        super().__init__(); self.rnn = cell(8, 64, batch_first=True); self.head = torch.nn.Linear(64, 1)
    def forward(self, v):
        out, _ = self.rnn(v); return self.head(out[:, -1, :])


def run(name, net, xa, xb, epochs, reps, bs=256):
    opt = torch.optim.Adam(net.parameters(), lr=1e-3); lossf = torch.nn.BCEWithLogitsLoss()
    ya = y[:ntr]; g = torch.Generator().manual_seed(1)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(ntr, generator=g)
        for i in range(0, ntr, bs):
            idx = perm[i:i + bs]
            opt.zero_grad(); loss = lossf(net(xa[idx]).squeeze(1), ya[idx]); loss.backward(); opt.step()
    per = (time.perf_counter() - t0) / epochs
    net.eval(); t1 = time.perf_counter()
    with torch.no_grad():
        for _ in range(reps):
            p = torch.cat([torch.sigmoid(net(xb[i:i + 2048])).squeeze(1) for i in range(0, len(xb), 2048)]).numpy()
    inf = (time.perf_counter() - t1) / reps
    print(f"RESULT {name} {per:.3f} {auc(y[ntr:].numpy(), p):.4f} {len(xb) / inf:.0f}", flush=True)


run("gru", Seq(torch.nn.GRU), x[:ntr], x[ntr:], epochs, 3)
run("lstm", Seq(torch.nn.LSTM), x[:ntr], x[ntr:], epochs, 3)
# As the Lua side: the MLP trains 5 x EPOCHS epochs (s/epoch their mean), 20 predictions.
run("mlp", torch.nn.Sequential(torch.nn.Linear(ncol, 64), torch.nn.ReLU(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1)), agg[:ntr], agg[ntr:], 5 * epochs, 20)

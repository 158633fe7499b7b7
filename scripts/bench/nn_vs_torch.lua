-- cl.nn side of scripts/bench/nn_vs_torch.sh: seeded users × days × channels
-- sequences (cl.nn._synthetic), written raw for the PyTorch side, then GRU,
-- LSTM (hidden 64, batch 256, Adam 1e-3) and an MLP (aggregates → 64 → 32 → 1)
-- timed per epoch, test AUC and inference rows/s (batch 2048); one line
-- `RESULT model s_per_epoch auc rows_per_s` each (the .sh joins both sides).
local users = tonumber(arg[1]) or 100000
local epochs = tonumber(arg[2]) or 1
local dir = arg[3] or "/tmp"
local threads = tonumber(os.getenv and os.getenv("CHURNLAB_THREADS") or "2") or 2
local x, agg, y = cl.nn._synthetic{users = users, days = 90, channels = 8, seed = 7}
cl.nn._write_raw(x, dir .. "/nn_x.f32"); cl.nn._write_raw(agg, dir .. "/nn_agg.f32")
cl.nn._write_raw(cl.tensor{y:to_table()}, dir .. "/nn_y.f32")
local ntrain = math.floor(users * 0.8)
local xtr, xte = x:slice(1, ntrain), x:slice(ntrain + 1)
local atr, ate = agg:slice(1, ntrain), agg:slice(ntrain + 1)
local yt = y:to_table()
local ytr, yte = {}, {}
for i = 1, users do if i <= ntrain then ytr[#ytr + 1] = yt[i] else yte[#yte + 1] = yt[i] end end
print(("DATA %d users x 90 days x 8 channels, churn rate %.3f, %d threads"):format(users, y:mean(), threads))

local function run(name, net, xa, xb, bs)
  local t0 = cl.clock()
  net:fit{x = xa, y = ytr, epochs = epochs, batch_size = bs, seed = 1, threads = threads, verbose = false,
          optimizer = cl.nn.adam{lr = 1e-3}}
  local per = (cl.clock() - t0) / epochs
  local t1 = cl.clock()
  local p = net:predict_proba(xb)
  local inf = cl.clock() - t1
  local auc = cl.metrics.auc(yte, p)
  print(("RESULT %s %.3f %.4f %.0f"):format(name, per, auc, #yte / inf))
end

run("gru", cl.nn.sequential():add(cl.nn.gru(8, 64)):add(cl.nn.last_step()):add(cl.nn.linear(64, 1)), xtr, xte, 256)
run("lstm", cl.nn.sequential():add(cl.nn.lstm(8, 64)):add(cl.nn.last_step()):add(cl.nn.linear(64, 1)), xtr, xte, 256)
run("mlp", cl.nn.sequential():add(cl.nn.linear(24, 64)):add(cl.nn.relu()):add(cl.nn.linear(64, 32)):add(cl.nn.relu()):add(cl.nn.linear(32, 1)), atr, ate, 256)

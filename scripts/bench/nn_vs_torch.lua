-- cl.nn side of scripts/bench/nn_vs_torch.sh: reads the data step's raw float32
-- files (nn_vs_torch_data.lua: simulator sequences rows × 90 days × 8 channels,
-- standardised aggregates, churn labels), trains GRU and LSTM (hidden 64,
-- batch 256, Adam 1e-3) and an MLP (aggregates → 64 → 32 → 1) on the first
-- 80 % of rows; per model one line `RESULT model s_per_epoch test_auc rows_per_s`
-- (inference on the other 20 %, repeated: 3 times, the MLP 20; the MLP trains
-- 5 × EPOCHS epochs, s/epoch their mean). The .sh joins both sides.
-- Usage: churnlab run scripts/bench/nn_vs_torch.lua ROWS AGG_COLUMNS EPOCHS DIR
local rows = math.tointeger(tonumber(arg[1]))
local ncol = math.tointeger(tonumber(arg[2]))
local epochs = math.tointeger(tonumber(arg[3]) or 1)
local dir = arg[4]
assert(rows and ncol and dir, "usage: nn_vs_torch.lua ROWS AGG_COLUMNS EPOCHS DIR")
local threads = tonumber(os.getenv and os.getenv("CHURNLAB_THREADS") or "2") or 2
local x = cl.nn._read_raw(dir .. "/nn_x.f32", { rows, 90, 8 })
local agg = cl.nn._read_raw(dir .. "/nn_agg.f32", { rows, ncol })
local y = cl.nn._read_raw(dir .. "/nn_y.f32", { rows }):to_table()
local ntrain = math.floor(rows * 0.8)
local xtr, xte = x:slice(1, ntrain), x:slice(ntrain + 1)
local atr, ate = agg:slice(1, ntrain), agg:slice(ntrain + 1)
local ytr, yte = {}, {}
for i = 1, rows do if i <= ntrain then ytr[#ytr + 1] = y[i] else yte[#yte + 1] = y[i] end end
print(("DATA %d rows x 90 days x 8 channels, %d aggregates, %d threads"):format(rows, ncol, threads))

-- ep epochs (s/epoch is their mean); inference: reps predictions of the test rows, rows/s over all.
local function run(name, net, xa, xb, ep, reps)
  local t0 = cl.clock()
  net:fit { x = xa, y = ytr, epochs = ep, batch_size = 256, seed = 1, threads = threads, verbose = false,
            optimizer = cl.nn.adam { lr = 1e-3 } }
  local per = (cl.clock() - t0) / ep
  local t1 = cl.clock()
  local p
  for _ = 1, reps do p = net:predict_proba(xb) end
  local inf = (cl.clock() - t1) / reps
  print(("RESULT %s %.3f %.4f %.0f"):format(name, per, cl.metrics.auc(yte, p), #yte / inf))
end

run("gru", cl.nn.sequential():add(cl.nn.gru(8, 64)):add(cl.nn.last_step()):add(cl.nn.linear(64, 1)), xtr, xte, epochs, 3)
run("lstm", cl.nn.sequential():add(cl.nn.lstm(8, 64)):add(cl.nn.last_step()):add(cl.nn.linear(64, 1)), xtr, xte, epochs, 3)
-- The MLP's epochs take ~0.1 s: 5 × EPOCHS of them, their mean, and 20 predictions.
run("mlp", cl.nn.sequential():add(cl.nn.linear(ncol, 64)):add(cl.nn.relu()):add(cl.nn.linear(64, 32)):add(cl.nn.relu())
          :add(cl.nn.linear(32, 1)), atr, ate, 5 * epochs, 20)

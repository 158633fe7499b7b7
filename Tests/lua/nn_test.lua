-- cl.nn and cl.Tensor: shapes, training, determinism, persistence, errors.
local t = cl.test

t.case("tensor from nested arrays, shape, slicing", function()
  local x = cl.tensor{{1, 2, 3}, {4, 5, 6}}
  t.eq(x:shape(), {2, 3})
  t.eq(#x, 2)
  t.eq(tostring(x), "cl.Tensor(2 × 3, float32)")
  t.eq(x:slice(2):to_table(), {{4, 5, 6}})
  t.eq(x:rows{2, 1}:to_table(), {{4, 5, 6}, {1, 2, 3}})
  t.eq(x:size(2), 3)
  t.raises(function() cl.tensor{{1, 2}, {3}} end, "ragged")
end)

t.case("tensor from a frame", function()
  local df = cl.frame{a = {1, 2}, b = {0.5, 1.5}, s = {"x", "y"}}
  t.eq(cl.tensor(df):to_table(), {{1, 0.5}, {2, 1.5}})
end)

-- XOR-like data: a linear model cannot separate it, a small MLP can.
local function xor_data(n, seed)
  local rows, y = {}, {}
  local state = seed
  local function rnd() state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 end
  for i = 1, n do
    local a, b = rnd() * 2 - 1, rnd() * 2 - 1
    rows[i] = {a, b}
    y[i] = ((a > 0) ~= (b > 0)) and 1 or 0
  end
  return cl.tensor(rows), y
end

t.case("mlp learns xor; history; determinism; save/load", function()
  local x, y = xor_data(400, 7)
  local ex, ey = xor_data(200, 11)
  local function make()
    return cl.nn.sequential():add(cl.nn.linear(2, 16)):add(cl.nn.tanh()):add(cl.nn.linear(16, 1))
  end
  local net = make()
  local h = net:fit{x = x, y = y, epochs = 60, batch_size = 32, seed = 3, verbose = false,
                    optimizer = cl.nn.adam{lr = 0.02}, eval = {x = ex, y = ey}}
  t.eq(h:nrow(), 60)
  local auc = h.eval_auc:to_table()[60]
  t.ok(auc > 0.95, "eval AUC " .. auc)
  local p = net:predict_proba(ex)
  t.eq(#p, 200)
  -- same seed, same result, whatever was built before
  local net2 = make()
  net2:fit{x = x, y = y, epochs = 60, batch_size = 32, seed = 3, verbose = false,
           optimizer = cl.nn.adam{lr = 0.02}, eval = {x = ex, y = ey}}
  t.eq(net2:predict_proba(ex):to_table(), p:to_table())
  local path = os.tmpname()
  net:save(path)
  local back = cl.nn.load(path)
  t.eq(back:predict_proba(ex):to_table(), p:to_table())
  os.remove(path)
end)

t.case("gru with a static branch, early stopping", function()
  -- label: whether channel 1 rose over the sequence; static column is noise
  local seqs, stat, y = {}, {}, {}
  for i = 1, 120 do
    local up = i % 2
    local s = {}
    for d = 1, 6 do s[d] = {up == 1 and d / 6 or 1 - d / 6, ((i * d) % 5) / 5} end
    seqs[i] = s; stat[i] = {(i % 3) / 3}; y[i] = up
  end
  local x, st = cl.tensor(seqs), cl.tensor(stat)
  t.eq(x:shape(), {120, 6, 2})
  local branch = cl.nn.sequential():add(cl.nn.gru(2, 8)):add(cl.nn.last_step())
  local net = cl.nn.sequential():add(cl.nn.concat(branch)):add(cl.nn.linear(9, 1))
  local h = net:fit{x = x, static = st, y = y, epochs = 40, batch_size = 16, seed = 1, verbose = false,
                    optimizer = cl.nn.adam{lr = 0.05}, eval = {x = x, static = st, y = y},
                    early_stopping = {patience = 5}}
  t.ok(h:nrow() <= 40)
  local best = 0
  for _, a in ipairs(h.eval_auc:to_table()) do if a > best then best = a end end
  t.ok(best > 0.99, "best eval AUC " .. best)
  t.eq(#net:predict_proba(x, st), 120)
  t.raises(function() net:predict_proba(x) end, "static")
end)

t.case("errors name the problem", function()
  local net = cl.nn.sequential():add(cl.nn.linear(3, 1))
  t.raises(function() net:fit{x = cl.tensor{{1, 2}}, y = {1}, verbose = false} end, "expects input")
  t.raises(function() cl.nn.linear(0, 3) end, "1...65536")
  t.raises(function() cl.nn.dropout(1.5) end, "bad argument")
  t.raises(function() net:fit{x = cl.tensor{{1, 2, 3}}, y = {1}, epochs = 0} end, "epochs")
  t.raises(function() net:fit{x = cl.tensor{{1, 2, 3}}, y = {2}, verbose = false} end, "0/1")
  t.raises(function() net:predict_proba(cl.tensor{{1, 2, 3}}) end, "not trained")
  t.raises(function() cl.nn.adam{lr = -1} end, "lr")
  t.raises(function() net:fit{x = cl.tensor{{1, 2, 3}}, y = {1}, epoch = 3} end, "epochs")
end)

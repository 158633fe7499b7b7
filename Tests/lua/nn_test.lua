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
  -- An empty tensor has no row 1: an error, not a trap (it crashed the process before).
  local empty = cl.tensor(cl.frame({a = {1.5}}):head(0))
  t.eq(empty:shape()[1], 0)
  t.raises(function() empty:slice(1, 1) end, "the tensor has no rows to slice")
end)

t.case("tensor from a frame", function()
  local df = cl.frame{a = {1, 2}, b = {0.5, 1.5}, s = {"x", "y"}}
  t.eq(cl.tensor(df):to_table(), {{1, 0.5}, {2, 1.5}})
end)

t.case("raw float32 files round-trip (the benchmark's exchange with PyTorch)", function()
  local x = cl.tensor{{{1, 2}, {3, 4.5}}, {{-1, 0.25}, {7, 8}}, {{9, 10}, {11, 1e-3}}}
  local path = os.tmpname()
  cl.nn._write_raw(x, path)
  local back = cl.nn._read_raw(path, {3, 2, 2})
  t.eq(back:shape(), {3, 2, 2})
  t.eq(back:to_table(), x:to_table())
  t.eq(cl.nn._read_raw(path, {12}):to_table()[4], 4.5)
  t.raises(function() cl.nn._read_raw(path, {3, 2, 3}) end, "does not hold the 72 bytes")
  t.raises(function() cl.nn._read_raw(path, {2, 2, 2}) end, "does not hold the 32 bytes")
  t.raises(function() cl.nn._read_raw(path, {0, 2}) end, "whole sizes")
  os.remove(path)
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
  -- the common model file: magic "\x89CLMOD\r\n", kind nn.network, SHA-256 checked on load
  local f = io.open(path, "rb"); local bytes = f:read("a"); f:close()
  t.eq(bytes:sub(1, 8), "\x89CLMOD\r\n")
  t.ok(bytes:find('"kind":"nn.network"', 1, true))
  t.raises(function() cl.model.load(path) end, "nn.network")
  local at = #bytes - 40                                      -- a payload byte (the checksum is the last 32)
  local flipped = bytes:sub(1, at - 1) .. string.char((bytes:byte(at) + 1) % 256) .. bytes:sub(at + 1)
  f = io.open(path, "wb"); f:write(flipped); f:close()
  t.raises(function() cl.nn.load(path) end, "checksum")
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

-- cl.features.sequences: counts by hand; leakage; snapshots.
local ev = cl.frame({
  user_id = { 1, 1, 1, 2, 3, 1 },
  ts = { "2024-03-01T10:00:00", "2024-03-05T12:00:00", "2024-03-05T13:00:00", "2024-03-08T09:00:00", "2024-03-10T00:00:00", "2024-03-09T23:00:00" },
  event = { "login", "buy", "login", "login", "login", "buy" },
  amount = { cl.null, 20, cl.null, cl.null, cl.null, 5 },
}, { names = { "user_id", "ts", "event", "amount" } })

t.case("sequences: daily counts by hand", function()
  local x, ids, ch = cl.features.sequences(cl.events(ev), { as_of = "2024-03-10", days = 10, amount = true, normalize = "none" })
  t.eq(x:shape(), { 2, 10, 3 })              -- user 3's first event is at as_of: absent
  t.eq(ids:to_table(), { 1, 2 })
  t.eq(ch, { "login", "buy", "amount" })
  local u1 = x:slice(1, 1):to_table()[1]
  t.eq(u1[1], { 0, 0, 0 })                   -- day 1 = 2024-02-29 (10 days before 03-10)
  t.eq(u1[2], { 1, 0, 0 })                   -- 03-01
  t.eq(u1[6], { 1, 1, 20 })                  -- 03-05: login + buy (20)
  t.eq(u1[10], { 0, 1, 5 })                  -- 03-09 23:00
  t.eq(x:slice(2, 2):to_table()[1][9], { 1, 0, 0 })
  local l = cl.features.sequences(cl.events(ev), { as_of = "2024-03-10", days = 10 })
  t.near(l:slice(1, 1):to_table()[1][6][1], math.log(2), 1e-6)
end)

t.case("sequences: events at or after as_of never change the tensor", function()
  local later = ev:concat(cl.frame({ user_id = { 1, 2 }, ts = { "2024-03-10T00:00:00", "2024-04-01T00:00:00" },
                                     event = { "buy", "login" }, amount = { 99, cl.null } },
                                   { names = { "user_id", "ts", "event", "amount" } }))
  local a = cl.features.sequences(cl.events(ev), { as_of = "2024-03-10", days = 10, amount = true })
  local b = cl.features.sequences(cl.events(later), { as_of = "2024-03-10", days = 10, amount = true })
  t.eq(a:to_table(), b:to_table())
end)

t.case("sequences: snapshots stack with user_id and as_of", function()
  local x, keys = cl.features.sequences(cl.events(ev), { as_of = { "2024-03-06", "2024-03-10" }, days = 7, channels = { "login" } })
  t.eq(x:shape(), { 3, 7, 1 })
  t.eq(keys.user_id:to_table(), { 1, 1, 2 })
  t.eq(keys.as_of:to_table(), { "2024-03-06", "2024-03-10", "2024-03-10" })
  t.raises(function() cl.features.sequences(cl.events(ev), { as_of = "2024-03-10", channels = { "nope" } }) end, "no event type 'nope'")
end)

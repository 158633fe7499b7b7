-- Hot-path kernels for the instruction-count regression guard (scripts/perf-guard).
--
-- Usage: churnlab run scripts/perf/kernels.lua NAME REPS
-- Builds NAME's seeded inputs, then runs its kernel REPS times. The guard runs
-- REPS = 1 and REPS = 2 under callgrind and takes the difference, so start-up
-- and input construction cancel and what remains is one warm kernel call.
-- Inputs are small on purpose: callgrind runs ~50x slower than the CPU.
local name, reps = arg[1], tonumber(arg[2])
assert(name and reps, "usage: kernels.lua NAME REPS")
local tmp = os.getenv("CHURNLAB_PERF_DIR") or "/tmp"

-- One seeded simulation shared by the kernels that need events or a frame.
local function simulated(users)
  local sim = cl.simulate.platform { users = users, days = 180, start = "2024-01-01", seed = 11 }
  return sim, cl.events(sim.events)
end

local function scores(n)
  local y, p, s = {}, {}, 12345
  for i = 1, n do
    s = (s * 1103515245 + 12345) % 2147483648
    local u = s / 2147483648
    y[i] = (u < 0.3) and 1 or 0
    p[i] = 0.5 * u + 0.5 * ((i * 7919) % 1000) / 1000
  end
  local f = cl.frame { y = y, p = p }
  return f.y, f.p
end

local function model_table()
  local _, log = simulated(1500)
  return cl.features.snapshots(log, { from = "2024-03-01", to = "2024-06-01", every = "28d",
                                      spec = { windows = { 7, 30 } }, label = { horizon = 30, active_within = 30 } })
end

local kernels = {
  -- CSV tokenising and typed column parsing (numbers, text, dates).
  csv_parse = function()
    local sim = simulated(1500)
    local path = tmp .. "/churnlab_perf_events.csv"
    sim.events:write_csv(path)
    return function() return cl.read_csv(path) end
  end,
  -- The point-in-time feature builder over an event log.
  feature_build = function()
    local _, log = simulated(6000)   -- larger: the build is cheap per event
    return function() return cl.features.build(log, { as_of = "2024-05-01", windows = { 7, 30, 90 } }) end
  end,
  -- GBDT training: binning, histogram construction, split finding (one thread).
  gbdt_fit = function()
    local df = model_table()
    return function()
      return cl.model.gbdt { trees = 10, leaves = 31, threads = 1, seed = 1 }
        :fit(df, { target = "churn", exclude = { "user_id", "as_of", "censored" } })
    end
  end,
  -- Tree-ensemble scoring (one thread).
  gbdt_score = function()
    local df = model_table()
    local m = cl.model.gbdt { trees = 50, leaves = 31, threads = 1, seed = 1 }
      :fit(df, { target = "churn", exclude = { "user_id", "as_of", "censored" } })
    return function() return m:predict_proba(df) end
  end,
  -- One-row scoring from a frame, 100 calls (a server's row with reasons, a notebook's what-if):
  -- per-call overhead, which the batch kernel above cannot see (a copy per column of the
  -- scorer's arrays once cost 3 x this kernel's time).
  gbdt_score_row = function()
    local df = model_table()
    local m = cl.model.gbdt { trees = 50, leaves = 31, threads = 1, seed = 1 }
      :fit(df, { target = "churn", exclude = { "user_id", "as_of", "censored" } })
    local row = df:head(1)
    return function()
      local p
      for _ = 1, 100 do p = m:predict_proba(row) end
      return p
    end
  end,
  -- ROC AUC over 200k scores.
  auc = function()
    local y, p = scores(200000)
    return function() return cl.metrics.auc(y, p) end
  end,
  -- 200k calls of a Swift function from a Lua loop (the binding's call path).
  lua_call = function()
    local f = cl._bench.swift_add1
    return function()
      local x = 0
      for _ = 1, 200000 do x = f(x) end
      return x
    end
  end,
  -- The same loop over a plain C function (lua_pushcfunction): the reference
  -- of issue 19's call-overhead goal (lua_call <= 1.2 x lua_call_c).
  lua_call_c = function()
    local f = cl._bench.c_add1
    return function()
      local x = 0
      for _ = 1, 200000 do x = f(x) end
      return x
    end
  end,
}

local make = kernels[name]
if not make then
  local names = {}
  for k in pairs(kernels) do names[#names + 1] = k end
  table.sort(names)
  error("unknown kernel '" .. name .. "' (kernels: " .. table.concat(names, ", ") .. ")")
end
local kernel = make()
for _ = 1, reps do kernel() end

-- ChurnLab side of scripts/bench/survival_bench.sh (run by it, on the data it writes).
local dir = assert(arg and arg[1], "usage: churnlab run survival_bench.lua DATA_DIR")
local km = cl.read_csv(dir .. "/km.csv")
local tx = cl.read_csv(dir .. "/cdnow10.csv")
local function best(f, k)
  local b = math.huge
  for _ = 1, k or 3 do local t0 = cl.clock(); f(); b = math.min(b, cl.clock() - t0) end
  return b
end
local function line(label, s) print(string.format("BENCH %-38s %9.4f s", label, s)) end
line("churnlab KM, 10 groups, " .. km:nrow() .. " rows", best(function() cl.survival.kaplan_meier(km, { duration = "duration", event = "event", group = "group" }) end))
km = nil; collectgarbage()
local lr = cl.read_csv(dir .. "/logrank.csv")
line("churnlab logrank, 10 groups, " .. lr:nrow() .. " rows", best(function() cl.survival.logrank(lr, { duration = "duration", event = "event", group = "group" }) end))
local cox = cl.read_csv(dir .. "/cox.csv")
local m
do   -- best of COX_REPEAT fits, as on the lifelines side; every time printed
  local times = {}
  for _ = 1, tonumber(os.getenv("COX_REPEAT")) or 3 do
    local t0 = cl.clock(); m = cl.model.cox{}:fit(cox, { duration = "T", event = "E" }); times[#times + 1] = cl.clock() - t0
  end
  local shown = {}; for i, t in ipairs(times) do shown[i] = string.format("%.3f", t) end
  print(string.format("BENCH %-38s %9.4f s   (best of %d: %s)", "churnlab Cox, " .. cox:nrow() .. " x " .. (cox:ncol() - 2),
    math.min(table.unpack(times)), #times, table.concat(shown, " ")))
end
line("churnlab Cox + concordance", best(function() cl.model.cox{}:fit(cox, { duration = "T", event = "E" }):info() end, 1))
do   -- the same fit as lifelines': largest coefficient difference, concordance
  local fh = assert(io.open(dir .. "/cox_ref.txt")); local coefs, conc = fh:read("l"), tonumber(fh:read("l")); fh:close()
  local ref = {}; for v in coefs:gmatch("%S+") do ref[#ref + 1] = tonumber(v) end
  local coef = m:summary().coef:to_table()
  local worst = 0
  for j = 1, #ref do worst = math.max(worst, math.abs(coef[j] - ref[j])) end
  print(string.format("BENCH churnlab Cox vs lifelines: max |coef diff| %.3g over %d coefficients; concordance %.12f (lifelines %.12f)",
    worst, #ref, m:info().concordance, conc))
end
local s
line("churnlab clv.summary (23,570 cust.)", best(function()
  s = cl.clv.summary(tx, { customer = "id", time = "date", amount = "dollars", calibration_end = "1997-09-30", holdout_end = "1998-06-30" })
end))
line("churnlab BG/NBD fit", best(function() cl.clv.bgnbd(s) end))
line("churnlab Gamma-Gamma fit", best(function() cl.clv.gamma_gamma(s) end))
local tx1 = cl.read_csv(dir .. "/cdnow1.csv")
local s1 = cl.clv.summary(tx1, { customer = "id", time = "date", amount = "dollars", calibration_end = "1997-09-30", holdout_end = "1998-06-30" })
line("churnlab BG/NBD fit (2,357 cust.)", best(function() cl.clv.bgnbd(s1) end))
line("churnlab Pareto/NBD fit (2,357)", best(function() cl.clv.pareto_nbd(s1) end, 1))
local bg = cl.clv.bgnbd(s)
print(string.format("BENCH churnlab BG/NBD on 10x CDNOW: r %.6f alpha %.6f a %.6f b %.6f (the 1x sample's optimum: 0.242595 4.413603 0.792922 2.425906)",
  bg.r, bg.alpha, bg.a, bg.b))

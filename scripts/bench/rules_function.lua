-- The per-user Lua-function rule path: users per second over N users (default 1,000,000).
local n = tonumber(arg[1]) or 1000000
cl.seed(3)
local ids, risk, tenure, plan = {}, {}, {}, {}
local plans = { "basic", "plus", "pro" }
for i = 1, n do
  ids[i] = i; risk[i] = (i * 7919 % 10007) / 10007; tenure[i] = i * 31 % 900; plan[i] = plans[i % 3 + 1]
end
local users = cl.frame({ user_id = ids, risk = risk, tenure_days = tenure, plan = plan },
                       { names = { "user_id", "risk", "tenure_days", "plan" } })
ids, risk, tenure, plan = nil, nil, nil, nil
collectgarbage()
cl.rules.rule{ name = "fn", action = { channel = "sms" },
  when = function(u) return u.risk > 0.7 and u.tenure_days > 30 and u.plan ~= "basic" end }
local best = math.huge
local count
for _ = 1, 3 do
  local t0 = cl.clock()
  local d = cl.rules.evaluate(users, { as_of = "2024-10-01" })
  best = math.min(best, cl.clock() - t0)
  count = d:nrow()
end
print(string.format("BENCH churnlab per-user Lua function rule, %d users   %8.3f s   %.0f users/s   decisions=%d",
  n, best, n / best, count))

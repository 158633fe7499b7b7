-- hello.lua — the smallest ChurnLab script: the `cl` module, a frame, a summary.
local churnlab = require "churnlab"
assert(churnlab == cl)

cl.printf("ChurnLab %s on %s\n", cl.version, _VERSION)
cl.seed(42)

local users = cl.frame({
  user_id = { 1, 2, 3, 4, 5 },
  plan    = { "monthly", "annual", "monthly", "monthly", "annual" },
  logins  = { 12, 30, 0, 4, 22 },
  churned = { false, false, true, true, false },
}, { names = { "user_id", "plan", "logins", "churned" } })

print(users)
cl.printf("%d users, %.1f logins on average\n", #users, users.logins:mean())
-- Each plan's average next to every user (pandas groupby().transform("mean")).
print(users:mutate({ plan_logins = cl.col("logins"):mean():over("plan") }))

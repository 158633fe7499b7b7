local pol = cl.policy.tiers{ actions = { "none", "mail", "call" }, column = "risk", tiers = { { below = 0.7, action = "mail" } }, default = "call" }
cl.rules.settings{ context = { "tenure" } }
cl.rules.rule{ name = "learned", action = cl.policy.use(pol, { explore = 0.3, actions = { mail = { channel = "email", cost = 1 }, call = { channel = "phone", cost = 3 } } }), holdout = 0.25, horizon = "7d" }

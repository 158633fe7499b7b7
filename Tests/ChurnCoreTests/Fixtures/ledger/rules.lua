cl.rules.tiers{ score = "risk", high = 0.7 }
cl.rules.rule{ name = "call", tier = "high", action = { channel = "phone", offer = "call", cost = 3, message = "call {user_id}" }, holdout = 0.5, cooldown = "14d" }
cl.rules.rule{ name = "mail", action = { channel = "email", cost = 1 }, priority = -1 }

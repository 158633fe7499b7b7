#!/usr/bin/env churnlab
job{ name = "s", cron = "@hourly", rules = "r.lua", script = "p.lua", users = "u.csv" }

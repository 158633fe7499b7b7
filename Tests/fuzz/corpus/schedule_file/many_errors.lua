job{ name = "a", cron = "61 * * * *", run = "x.lua" } job{ name = "a", cron = "* * *", run = "x.lua", catchup = "always", bogus = 1 }

job{ name = "a\0b", cron = "@daily", command = { "run", "x\0y" } }

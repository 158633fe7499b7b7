job(5) job{}

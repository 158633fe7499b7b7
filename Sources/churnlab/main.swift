print("churnlab")

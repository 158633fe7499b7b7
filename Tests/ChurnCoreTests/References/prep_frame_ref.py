"""Reference numbers for Tests/ChurnCoreTests/Frame/*Tests.swift (pandas).
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/prep_frame_ref.py"""
import os
import numpy as np
import pandas as pd

pd.set_option("display.width", 200)
pd.set_option("display.max_columns", 30)
nan = np.nan
df = pd.DataFrame({
    "user": ["a", "b", "a", "c", "b", "a", "c", "d", "b", "a", "d", "c"],
    "plan": [1, 2, 1, 1, 2, 2, 1, 3, 2, 1, 3, 1],
    "amount": [10.5, 3.0, nan, 7.25, 8.0, 1.5, nan, 4.0, 2.5, 6.0, 9.75, 3.5],
    "n": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8],
})

print("== group_by user")
g = df.groupby("user").agg(
    count=("amount", "count"), sum=("amount", "sum"), mean=("amount", "mean"),
    min=("amount", "min"), max=("amount", "max"), std=("amount", "std"),
    nunique=("plan", "nunique"), first=("amount", "first"), last=("amount", "last"),
    q25=("amount", lambda s: s.quantile(0.25)), size=("n", "size"), nsum=("n", "sum"))
print(g.to_string())
for c in g.columns:
    print(c, repr(list(g[c])))

print("== group_by user, plan (sum n, mean amount)")
g2 = df.groupby(["user", "plan"]).agg(nsum=("n", "sum"), amean=("amount", "mean")).reset_index()
print(g2.to_string())
for c in g2.columns:
    print(c, repr(list(g2[c])))

print("== sort plan asc, amount desc, nulls last (stable)")
s = df.sort_values(["plan", "amount"], ascending=[True, False], na_position="last", kind="stable")
print(list(s.index))
s2 = df.sort_values(["user", "n"], ascending=[False, True], kind="stable")
print("user desc, n asc:", list(s2.index))

print("== joins")
right = pd.DataFrame({"user": ["a", "b", "b", "e"], "region": ["N", "S", "W", "E"], "n": [100, 200, 300, 400]})
left = df[["user", "plan"]].iloc[:6].reset_index(drop=True)
for how in ["inner", "left", "outer"]:
    j = left.merge(right, on="user", how=how, suffixes=("", "_right"), sort=False)
    print(how, len(j))
    print(j.to_string())
jm = df.merge(df.groupby(["user", "plan"], as_index=False).agg(tot=("n", "sum")), on=["user", "plan"], how="left")
print("multi-key tot", list(jm["tot"]))

print("== pivot")
p = df.pivot_table(index="user", columns="plan", values="amount", aggfunc="mean")
print(p.to_string())
for c in p.columns:
    print(c, repr(list(p[c])))

print("== mlc_churn")
here = os.path.dirname(os.path.abspath(__file__))
mlc = pd.read_csv(os.path.join(here, "..", "Fixtures", "mlc_churn.csv"))
gm = mlc.groupby("state").agg(n=("churn", "size"), mean=("total_day_minutes", "mean"),
                              std=("total_day_minutes", "std"), mx=("total_day_charge", "max"),
                              calls=("number_customer_service_calls", "sum"),
                              q90=("total_eve_minutes", lambda s: s.quantile(0.9)))
print(len(gm))
print(gm.loc[["AK", "CA", "NY", "WY"]].to_string())
for st in ["AK", "CA", "NY", "WY"]:
    print(st, repr(list(gm.loc[st])))
gc = mlc.groupby(["international_plan", "churn"]).agg(n=("state", "size"), acct=("account_length", "mean")).reset_index()
print(gc.to_string())
print(repr(list(gc["acct"])))
top = mlc.sort_values(["total_day_minutes", "account_length"], ascending=[False, True], kind="stable").index[:5]
print("top5", list(top))

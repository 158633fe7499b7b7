"""Reference numbers for IO tests: mlc_churn.csv loaded with pandas and polars.
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/io_mlc_churn.py"""
import os
import pandas as pd
import polars as pl

here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, "..", "Fixtures", "mlc_churn.csv")
df = pd.read_csv(path)
print("shape", df.shape)
print("dtypes", dict(df.dtypes.astype(str)))
print("polars dtypes", dict(zip(pl.read_csv(path).columns, map(str, pl.read_csv(path).dtypes))))
print("row0", df.iloc[0].tolist())
print("row4999", df.iloc[4999].tolist())
print("churn yes", int((df.churn == "yes").sum()))
print("state nunique", df.state.nunique(), "first states", list(pd.unique(df.state))[:5])
print("sum total_day_minutes %.10f" % df.total_day_minutes.sum())
print("sum account_length", int(df.account_length.sum()))
pd.set_option("display.precision", 17)
d = df.describe()
for c in ["account_length", "total_day_minutes", "number_customer_service_calls", "total_intl_charge"]:
    print("describe", c, [repr(float(x)) for x in d[c].tolist()])
o = df[["state", "churn", "international_plan"]].describe()
for c in o.columns:
    print("describe_obj", c, o[c].tolist())
print("value_counts area_code", df.area_code.value_counts().to_dict())
for q in [0.1, 0.25, 0.5, 0.9, 0.99]:
    print("quantile total_eve_minutes", q, repr(float(df.total_eve_minutes.quantile(q))))
print("std total_night_charge", repr(float(df.total_night_charge.std())))
print("mean total_night_charge", repr(float(df.total_night_charge.mean())))
print("min max total_intl_minutes", float(df.total_intl_minutes.min()), float(df.total_intl_minutes.max()))

"""Reference numbers for Tests/ChurnCoreTests/Prep/PrepTests.swift (scikit-learn / numpy).
Fit on the first 4000 rows of Fixtures/mlc_churn.csv, transform the last 1000.
Run: /work/pyref/bin/python Tests/ChurnCoreTests/References/prep_preprocess_ref.py"""
import os
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler, MinMaxScaler, OneHotEncoder, LabelEncoder
from sklearn.impute import SimpleImputer

here = os.path.dirname(os.path.abspath(__file__))
mlc = pd.read_csv(os.path.join(here, "..", "Fixtures", "mlc_churn.csv"))
train, test = mlc.iloc[:4000], mlc.iloc[4000:]
num = ["account_length", "total_day_minutes", "number_customer_service_calls"]

ss = StandardScaler().fit(train[num])
print("standard mean", repr(list(ss.mean_)))
print("standard scale", repr(list(ss.scale_)))
t = ss.transform(test[num])
print("standard test row0", repr(list(t[0])), "row999", repr(list(t[999])))

mm = MinMaxScaler().fit(train[num])
t = mm.transform(test[num])
print("minmax min", repr(list(mm.data_min_)), "max", repr(list(mm.data_max_)))
print("minmax test row0", repr(list(t[0])), "row999", repr(list(t[999])))
print("minmax test max", repr(list(t.max(axis=0))))

oh = OneHotEncoder(drop="first", handle_unknown="ignore" if False else "error", sparse_output=False)
oh.fit(train[["international_plan", "area_code"]])
print("onehot categories", [list(c) for c in oh.categories_])
t = oh.transform(test[["international_plan", "area_code"]])
print("onehot names", list(oh.get_feature_names_out()))
print("onehot column sums", repr(list(t.sum(axis=0))))

st = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(train[["state"]].iloc[:300])
t = st.transform(test[["state"]])
print("state cats from 300 rows", len(st.categories_[0]), "all-zero test rows", int((t.sum(axis=1) == 0).sum()))

le = LabelEncoder().fit(train["state"])
print("label classes", len(le.classes_), "test codes first5", list(le.transform(test["state"])[:5]))

x = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0, np.nan, 10.0], "b": [2, 2, 5, 5, 7, np.nan], "s": ["x", "y", None, "y", "x", "z"]})
for strat in ["mean", "median", "most_frequent"]:
    imp = SimpleImputer(strategy=strat).fit(x[["a", "b"]])
    print("impute", strat, repr(list(imp.statistics_)))
imp = SimpleImputer(strategy="most_frequent").fit(x[["s"]].fillna(np.nan))
print("impute most_frequent s", list(imp.statistics_))

q = np.quantile(train["total_day_minutes"], [0.05, 0.95])
print("winsor bounds", repr(list(q)))
clipped = np.clip(test["total_day_minutes"], q[0], q[1])
print("winsor test sum", repr(float(clipped.sum())), "n clipped", int(((test["total_day_minutes"] < q[0]) | (test["total_day_minutes"] > q[1])).sum()))

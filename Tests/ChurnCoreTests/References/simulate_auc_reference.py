"""Checks that the simulator's features predict churn with standard tools.
Input: CSVs written by FeatureBenchTests.testBenchExportSimulatedTrainingSet
(CHURNLAB_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter testBenchExportSimulatedTrainingSet).
Time-based split: train on every observation date but the last, test on the last.
Expect a good model (LightGBM) around 0.75-0.9 ROC AUC and noise features near 0.5."""
import sys
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import lightgbm as lgb

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/churnlab_sim_auc"
df = pd.read_csv(f"{d}/train.csv")
users = pd.read_csv(f"{d}/users.csv")
df = df.merge(users[["user_id", "device", "channel"]], on="user_id", how="left")
last = df.as_of.max()
train, test = df[df.as_of < last], df[df.as_of == last]
drop = {"as_of", "user_id", "churn", "censored", "device", "channel", "plan"}
feats = [c for c in df.columns if c not in drop]
print(f"rows train {len(train)} test {len(test)}, churn rate test {test.churn.mean():.3f}, {len(feats)} features")

def fill(x):
    return x[feats].fillna(-1)

lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(fill(train), train.churn)
print(f"logistic AUC {roc_auc_score(test.churn, lr.predict_proba(fill(test))[:, 1]):.4f}")
gbm = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.05, num_leaves=31, verbose=-1).fit(train[feats], train.churn)
print(f"lightgbm AUC {roc_auc_score(test.churn, gbm.predict_proba(test[feats])[:, 1]):.4f}")
noise = lambda x: pd.get_dummies(x.device).astype(float)
nz = LogisticRegression().fit(noise(train), train.churn)
print(f"noise (device) AUC {roc_auc_score(test.churn, nz.predict_proba(noise(test))[:, 1]):.4f}")

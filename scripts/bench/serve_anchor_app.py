"""The anchor for the serve benchmark: FastAPI + uvicorn (1 worker) + LightGBM,
the setup the issue measured. POST /score with {"rows": [{f1: .., ...}, ...]}
returns one probability per row. Model path from SERVE_ANCHOR_MODEL."""
import os

import lightgbm as lgb
import numpy as np
from fastapi import FastAPI, Request

booster = lgb.Booster(model_file=os.environ["SERVE_ANCHOR_MODEL"])
names = booster.feature_name()
app = FastAPI()


@app.post("/score")
async def score(request: Request):
    body = await request.json()
    X = np.array([[r[n] for n in names] for r in body["rows"]], dtype=np.float64)
    p = booster.predict(X, num_threads=1)
    return {"results": [{"probability": float(v)} for v in p]}

"""scikit-learn outlier detectors for the nestjs-plugin-host `sklearn` plugin.

Protocol: one JSON object per line on stdin, one answer per line on stdout.
  request:  {"id": 1, "op": "hello" | "fit" | "predict" | "forget", ...}
  answer:   {"id": 1, "ok": true, "result": ...} or {"id": 1, "ok": false, "error": "...", "kind": "ValueError"}
Fitted models stay in this process, keyed by id; the host holds only the id.
Scores follow PyOD: higher = more anomalous (the negated score_samples).
"""
import json
import sys
from collections import OrderedDict

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM

MAX_MODELS = 64
models = OrderedDict()
next_model = 0


def build(method, params):
    contamination = float(params.get("contamination", 0.1))
    if method == "isolation-forest":
        return IsolationForest(
            n_estimators=int(params.get("nEstimators", 100)),
            max_samples=params.get("maxSamples", "auto"),
            contamination=contamination,
            random_state=int(params.get("randomState", 42)),
        )
    if method == "one-class-svm":
        return OneClassSVM(kernel=params.get("kernel", "rbf"), nu=float(params.get("nu", contamination)), gamma=params.get("gamma", "scale"))
    if method == "local-outlier-factor":
        # novelty=True: the fitted model scores new rows (predict), as the host expects.
        return LocalOutlierFactor(n_neighbors=int(params.get("nNeighbors", 20)), contamination=contamination, novelty=True)
    raise ValueError(f"unknown method {method!r}")


def fit(request):
    global next_model
    data = np.asarray(request["data"], dtype=float)
    method = request["method"]
    params = request.get("params", {})
    model = build(method, params)
    model.fit(data)
    scores = -model.score_samples(data)
    # As PyOD: the threshold leaves `contamination` of the training rows above it.
    threshold = float(np.percentile(scores, 100 * (1 - float(params.get("contamination", 0.1)))))
    next_model += 1
    models[next_model] = (model, threshold, data.shape[1])
    while len(models) > MAX_MODELS:
        models.popitem(last=False)
    return {"model": next_model, "threshold": threshold, "columns": int(data.shape[1])}


def predict(request):
    entry = models.get(request["model"])
    if entry is None:
        raise LookupError(f"model {request['model']} is not known to this Python process (it restarted or the model was evicted); fit again")
    model, threshold, columns = entry
    data = np.asarray(request["data"], dtype=float)
    if data.ndim != 2 or data.shape[1] != columns:
        raise ValueError(f"data must have {columns} columns, as at fit time")
    scores = -model.score_samples(data)
    return {"scores": scores.tolist(), "labels": [1 if s > threshold else 0 for s in scores], "threshold": threshold}


def hello(_request):
    return {"python": sys.version.split()[0], "sklearn": sklearn.__version__, "numpy": np.__version__, "executable": sys.executable}


def forget(request):
    return models.pop(request["model"], None) is not None


OPS = {"hello": hello, "fit": fit, "predict": predict, "forget": forget}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            answer = {"id": request_id, "ok": True, "result": OPS[request["op"]](request)}
        except Exception as error:  # every failure goes back to the caller, never kills the worker
            answer = {"id": request_id, "ok": False, "error": str(error), "kind": type(error).__name__}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

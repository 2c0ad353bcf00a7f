# scikit-learn / scipy oracle for test/metrics/sklearn-parity.test.ts: reads cases (JSON) on stdin, prints results.
import json
import sys
import warnings

try:
    import numpy as np
    from scipy import stats
    from sklearn import metrics as M
except ImportError as e:
    print(f"missing Python oracle ({e}): pip install -r test/python-requirements.txt", file=sys.stderr)
    sys.exit(3)

warnings.simplefilter("ignore")


def finite(v):
    return None if v is None or np.isnan(v) else float(v)


out = []
for c in json.load(sys.stdin):
    t, p = np.array(c["true"]), np.array(c["pred"])
    if c["kind"] == "classification":
        out.append(
            {
                "accuracy": M.accuracy_score(t, p),
                "mcc": M.matthews_corrcoef(t, p),
                "f1": M.f1_score(t, p, average="macro", zero_division=0),
                "precision": M.precision_score(t, p, average="macro", zero_division=0),
                "recall": M.recall_score(t, p, average="macro", zero_division=0),
            }
        )
    else:
        out.append(
            {
                "pearson": finite(stats.pearsonr(t, p)[0]) if len(t) > 1 else None,
                "spearman": finite(stats.spearmanr(t, p)[0]) if len(t) > 1 else None,
                "mse": M.mean_squared_error(t, p),
                "r2": M.r2_score(t, p, force_finite=True),
            }
        )
print(json.dumps({"sklearn": __import__("sklearn").__version__, "results": out}))

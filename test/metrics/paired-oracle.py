# scipy oracle for test/metrics/paired-stats.test.ts: reads cases (JSON) on stdin, prints scipy's Wilcoxon signed-rank
# (scipy.stats.wilcoxon with its defaults), sign test (scipy.stats.binomtest, two-sided) and normal tail p-values.
import json
import sys
import warnings

try:
    import numpy as np
    from scipy import stats
except ImportError as e:
    print(f"missing Python oracle ({e}): pip install -r test/python-requirements.txt", file=sys.stderr)
    sys.exit(3)

warnings.simplefilter("ignore")
out = []
for c in json.load(sys.stdin):
    d = np.array(c["d"], dtype=float)
    w = stats.wilcoxon(d)
    k, n = int((d > 0).sum()), int((d != 0).sum())
    out.append({"wStat": float(w.statistic), "wP": float(w.pvalue), "signP": float(stats.binomtest(k, n, 0.5).pvalue) if n else None})
z = [0, 0.1, 0.5, 1, 1.96, 2.5, 3, 4, 5, 6, 8]
print(json.dumps({"results": out, "normalSf": [[x, float(stats.norm.sf(x))] for x in z]}))

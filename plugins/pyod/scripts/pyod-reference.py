#!/usr/bin/env python3
"""Reference scores from PyOD's own code, for the pyod plugin's TypeScript tests.

What it does
  Builds a small deterministic data set of our own making (numpy RandomState,
  seed SEED below; every value rounded to 6 decimals, and those rounded arrays
  are what PyOD sees and what the JSON holds, so the TypeScript tests never
  depend on numpy's RNG), imports PyOD's own ECOD, COPOD, HBOS, KNN and LOF
  classes from the PyOD folder given as the only argument, fits them with
  contamination=0.1 and PyOD's defaults, and prints one JSON document on stdout:

    pyodVersion, pyodCommit, numpy, scipy, sklearn, seed, generatedBy,
    train (200 x 4), test (30 x 4), testNotes (what each test row is),
    methods: { ecod, copod, hbos, knn-largest, knn-mean, knn-median, lof }, each
      params           the detector's constructor args (get_params())
      trainScores      decision_scores_ after fit(train)
      threshold        threshold_
      trainLabels      labels_
      testScores       decision_function(test), the 30 rows as ONE batch, on a
                       fresh fit on train (ECOD/COPOD pool the batch with X_train)
      testScoresSingle decision_function(test[i:i+1]) for each row alone, each on
                       a fresh fit on train
      trainO           (ecod, copod) the per-feature matrix self.O as left by
                       fit(train) (fit scores train alone, before X_train is set)
      binEdges, hist   (hbos, for debugging) bin_edges_ and hist_, per feature
      trainLrd         (lof, for debugging) sklearn's _lrd of the training rows
    edge: ECOD, COPOD and HBOS decision_scores_ on three small data sets
      (one column with a far point, a constant column, duplicated rows).

  Non-finite numbers would be written as the strings "nan", "inf", "-inf", and
  a detector that raises as { "error": "<message>" } (none do with PyOD 3.6.5,
  numpy 1.24, scipy 1.10, scikit-learn 1.2).

How to regenerate (from the repository root)
  /usr/bin/python3 plugins/pyod/scripts/pyod-reference.py /work/shared/reference/pyod \
      > plugins/pyod/test/fixtures/pyod-reference.json

  The folder holds upstream PyOD files (pyod/...) plus `_stubs` (identity
  numba.njit, empty matplotlib), see its UPSTREAM.md; the stubs go at the END
  of sys.path, so a real numba/matplotlib wins where installed. Needs numpy,
  scipy and scikit-learn (Debian: apt-get install python3-sklearn).

  From a real PyOD checkout (git clone https://github.com/yzhao062/pyod), pass
  the checkout's root (the folder holding the `pyod` package). It has no
  `_stubs`: then either `pip install numba matplotlib` (plus joblib, which
  scikit-learn already brings) or copy the `_stubs` folder from
  /work/shared/reference/pyod into the checkout. numba-jitted and plain-Python
  runs of the same functions give the same numbers.
"""

import json
import math
import os
import re
import subprocess
import sys
import warnings

SEED = 20240611
N_TRAIN = 200
N_FEATURES = 4
CONTAMINATION = 0.1


def setup_path(folder):
    folder = os.path.abspath(folder)
    if not os.path.isdir(os.path.join(folder, 'pyod')):
        sys.exit('pyod-reference.py: %s has no pyod/ package folder' % folder)
    sys.path.insert(0, folder)
    stubs = os.path.join(folder, '_stubs')
    if os.path.isdir(stubs):
        sys.path.append(stubs)  # at the END: real numba/matplotlib win
    return folder


def pyod_commit(folder):
    """The upstream commit, from UPSTREAM.md (reference folder) or git."""
    upstream = os.path.join(folder, 'UPSTREAM.md')
    if os.path.isfile(upstream):
        with open(upstream, encoding='utf-8') as f:
            m = re.search(r'commit ([0-9a-f]{40})', f.read())
            if m:
                return m.group(1)
    try:
        out = subprocess.run(['git', '-C', folder, 'rev-parse', 'HEAD'],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip() or None
    except Exception:  # not a git checkout, or no git
        return None


def num(x):
    """A JSON-safe number: Python float/int, or "nan"/"inf"/"-inf"."""
    if isinstance(x, (bool,)):
        return x
    f = float(x)
    if math.isnan(f):
        return 'nan'
    if math.isinf(f):
        return 'inf' if f > 0 else '-inf'
    return f


def vec(a):
    return [num(v) for v in a]


def mat(a):
    return [vec(row) for row in a]


def make_data(np):
    """train: 200 x 4, test: 30 x 4, all rounded to 6 decimals.

    Features: f0, f1 two Gaussian clusters with different scales; f2 skewed
    (log-normal); f3 integer-valued (many ties, range exactly 0..10 so that
    HBOS's 10 bin edges fall on integers, i.e. on data values).
    """
    rs = np.random.RandomState(SEED)

    def inliers(n_a, n_b):
        a = np.column_stack([
            rs.normal(0.0, 1.0, n_a),
            rs.normal(0.0, 0.5, n_a),
            rs.lognormal(0.0, 0.6, n_a),
            np.clip(np.round(rs.normal(4.0, 1.5, n_a)), 0, 10),
        ])
        b = np.column_stack([
            rs.normal(6.0, 0.3, n_b),
            rs.normal(-3.0, 2.0, n_b),
            rs.lognormal(0.8, 0.4, n_b),
            np.clip(np.round(rs.normal(6.0, 1.2, n_b)), 0, 10),
        ])
        return np.vstack([a, b])

    def outliers(n, f3_values):
        return np.column_stack([
            rs.uniform(-9.0, 15.0, n),
            rs.uniform(-12.0, 9.0, n),
            np.exp(rs.uniform(1.8, 3.2, n)),
            np.asarray(f3_values, dtype=float),
        ])

    n_out = 10
    train = np.vstack([
        inliers(120, N_TRAIN - 120 - n_out),
        outliers(n_out, [0, 10, 0, 10, 1, 9, 10, 0, 2, 10]),
    ])
    train = np.round(train[rs.permutation(N_TRAIN)], 6)

    notes = []
    rows = []
    fresh = np.round(inliers(12, 8), 6)
    for r in fresh:
        rows.append(r)
        notes.append('inlier')
    for r in np.round(outliers(4, [10, 0, 5, 3]), 6):
        rows.append(r)
        notes.append('outlier')
    # rows equal to training rows: one ordinary, one the most extreme in f2
    i_plain = 0
    i_extreme = int(np.argmax(train[:, 2]))
    rows.append(train[i_plain].copy())
    notes.append('equal to train[%d]' % i_plain)
    rows.append(train[i_extreme].copy())
    notes.append('equal to train[%d]' % i_extreme)
    # rows just outside the training range, for HBOS's tol (=0.5 bin widths)
    lo, hi = train.min(axis=0), train.max(axis=0)
    width = (hi - lo) / 10.0
    extra = np.round(inliers(4, 0), 6)
    extra[0, 0] = lo[0] - 0.3 * width[0]
    notes_extra = ['f0 0.3 bin widths below the training min (within tol)']
    extra[1, 1] = hi[1] + 0.4 * width[1]
    notes_extra.append('f1 0.4 bin widths above the training max (within tol)')
    extra[2, 2] = hi[2] + 0.8 * width[2]
    notes_extra.append('f2 0.8 bin widths above the training max (beyond tol)')
    extra[3, 0] = lo[0] - 1.7 * width[0]
    extra[3, 3] = 11.0
    notes_extra.append('f0 1.7 bin widths below the min, f3 = 11 (both beyond tol)')
    for r, n in zip(np.round(extra, 6), notes_extra):
        rows.append(r)
        notes.append(n)
    test = np.round(np.array(rows, dtype=float), 6)
    assert train.shape == (N_TRAIN, N_FEATURES) and test.shape == (30, N_FEATURES)
    return train, test, notes


def check_no_neighbor_ties(np, train, test, ks):
    """LOF (and the neighbor *indices*) depend on which rows are the k nearest;
    make sure no distance ties at the k-th / (k+1)-th place, so any exact kNN
    search picks the same neighbors as scikit-learn's KD-tree."""
    def d(a, b):
        return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    dtr = d(train, train)
    np.fill_diagonal(dtr, np.inf)
    dtr = np.sort(dtr, axis=1)
    dte = np.sort(d(test, train), axis=1)
    for k in ks:
        for name, dd in (('train', dtr), ('test', dte)):
            if np.any(dd[:, k - 1] == dd[:, k]):
                sys.exit('pyod-reference.py: distance tie at k=%d in %s; '
                         'pick another SEED' % (k, name))


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: pyod-reference.py <folder holding the pyod package>')
    folder = setup_path(sys.argv[1])
    warnings.simplefilter('ignore')  # scipy's "precision loss" on constant columns

    import numpy as np
    import scipy
    import sklearn
    from pyod.version import __version__ as pyod_version
    from pyod.models.ecod import ECOD
    from pyod.models.copod import COPOD
    from pyod.models.hbos import HBOS
    from pyod.models.knn import KNN
    from pyod.models.lof import LOF

    train, test, notes = make_data(np)
    check_no_neighbor_ties(np, train, test, (5, 20))

    factories = {
        'ecod': lambda: ECOD(contamination=CONTAMINATION, n_jobs=1),
        'copod': lambda: COPOD(contamination=CONTAMINATION, n_jobs=1),
        # HBOS has no n_jobs parameter
        'hbos': lambda: HBOS(n_bins=10, alpha=0.1, tol=0.5,
                             contamination=CONTAMINATION),
        'knn-largest': lambda: KNN(contamination=CONTAMINATION, n_neighbors=5,
                                   method='largest', n_jobs=1),
        'knn-mean': lambda: KNN(contamination=CONTAMINATION, n_neighbors=5,
                                method='mean', n_jobs=1),
        'knn-median': lambda: KNN(contamination=CONTAMINATION, n_neighbors=5,
                                  method='median', n_jobs=1),
        'lof': lambda: LOF(contamination=CONTAMINATION, n_neighbors=20,
                           n_jobs=1),
    }

    methods = {}
    for name, make in factories.items():
        det = make().fit(train)
        entry = {
            'params': {k: v for k, v in sorted(det.get_params(deep=False).items())},
            'trainScores': vec(det.decision_scores_),
            'threshold': num(det.threshold_),
            'trainLabels': [int(v) for v in det.labels_],
        }
        if name in ('ecod', 'copod'):
            # self.O as computed by fit's scoring of train alone
            assert det.O.shape == train.shape
            entry['trainO'] = mat(det.O)
        if name == 'hbos':
            entry['binEdges'] = mat(np.asarray(det.bin_edges_).T)
            entry['hist'] = mat(np.asarray(det.hist_).T)
        if name == 'lof':
            entry['trainLrd'] = vec(det.detector_._lrd)
        entry['testScores'] = vec(make().fit(train).decision_function(test))
        entry['testScoresSingle'] = [
            num(make().fit(train).decision_function(test[i:i + 1])[0])
            for i in range(test.shape[0])
        ]
        methods[name] = entry

    edge_data = {
        'one-column-far-point': np.array(
            [[0], [1], [2], [3], [4], [5], [6], [7], [8], [100]], dtype=float),
        'constant-column': np.array([
            [0.5, 5.0, 12.1], [1.7, 5.0, 10.4], [2.2, 5.0, 11.8],
            [0.9, 5.0, 13.0], [3.1, 5.0, 9.7], [1.4, 5.0, 10.9],
            [2.8, 5.0, 12.6], [0.2, 5.0, 11.1], [1.9, 5.0, 25.0],
            [4.6, 5.0, 10.2], [2.5, 5.0, 11.5], [9.3, 5.0, 12.3],
        ], dtype=float),
        'duplicate-rows': np.array([
            [1.0, 2.0], [1.0, 2.0], [3.0, 1.5], [3.0, 1.5], [4.0, 7.0],
            [10.0, 3.0],
        ], dtype=float),
    }
    edge_makers = {
        'ecod': lambda: ECOD(contamination=CONTAMINATION, n_jobs=1),
        'copod': lambda: COPOD(contamination=CONTAMINATION, n_jobs=1),
        'hbos': lambda: HBOS(n_bins=10, alpha=0.1, tol=0.5,
                             contamination=CONTAMINATION),
    }
    edge = {}
    for case, X in edge_data.items():
        entry = {'X': mat(X)}
        for name, make in edge_makers.items():
            try:
                entry[name] = vec(make().fit(X).decision_scores_)
            except Exception as e:  # record what PyOD says
                entry[name] = {'error': '%s: %s' % (type(e).__name__, e)}
        edge[case] = entry

    script = sys.argv[0]
    if os.path.isabs(script):
        script = os.path.relpath(script)
    doc = {
        'pyodVersion': pyod_version,
        'pyodCommit': pyod_commit(folder),
        'numpy': np.__version__,
        'scipy': scipy.__version__,
        'sklearn': sklearn.__version__,
        'seed': SEED,
        'generatedBy': '%s %s %s > plugins/pyod/test/fixtures/pyod-reference.json'
                       % (sys.executable, script, sys.argv[1]),
        'train': mat(train),
        'test': mat(test),
        'testNotes': notes,
        'methods': methods,
        'edge': edge,
    }
    sys.stdout.write(dumps(doc) + '\n')


PRINT_WIDTH = 160  # the repository's .prettierrc.json


def dumps(obj, indent=0, prefix=0, suffix=0):
    """JSON laid out the way prettier (printWidth 160) lays it out, so the
    committed fixture passes `prettier --check .` unchanged: objects expanded,
    a list on one line when it fits (after `prefix` columns, before `suffix`
    ones), else numbers filled up to the print width and anything else one item
    a line; a list of lists that each have more than one item (a matrix)
    always one row a line. Floats use repr (json.dumps), which round-trips."""
    pad = '  ' * indent
    inner = '  ' * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return '{}'
        items = []
        for i, (k, v) in enumerate(obj.items()):
            key = '%s%s: ' % (inner, json.dumps(k))
            last = i == len(obj) - 1
            items.append(key + dumps(v, indent + 1, len(key), 0 if last else 1))
        return '{\n' + ',\n'.join(items) + '\n' + pad + '}'
    if isinstance(obj, list):
        if not obj:
            return '[]'
        is_matrix = len(obj) > 1 and all(isinstance(v, list) and len(v) > 1 for v in obj)
        if not is_matrix:
            flat = '[' + ', '.join(dumps(v, indent + 1) for v in obj) + ']'
            if '\n' not in flat and prefix + len(flat) + suffix <= PRINT_WIDTH:
                return flat
        if len(obj) > 1 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in obj):
            parts = [json.dumps(v) + (',' if i < len(obj) - 1 else '') for i, v in enumerate(obj)]
            lines, line = [], inner + parts[0]
            for part in parts[1:]:
                if len(line) + 1 + len(part) <= PRINT_WIDTH:
                    line += ' ' + part
                else:
                    lines.append(line)
                    line = inner + part
            lines.append(line)
            return '[\n' + '\n'.join(lines) + '\n' + pad + ']'
        items = []
        for i, v in enumerate(obj):
            items.append(inner + dumps(v, indent + 1, len(inner), 0 if i == len(obj) - 1 else 1))
        return '[\n' + ',\n'.join(items) + '\n' + pad + ']'
    return json.dumps(obj, allow_nan=False)


if __name__ == '__main__':
    main()

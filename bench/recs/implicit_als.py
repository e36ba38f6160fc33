#!/usr/bin/env python3
"""Python `implicit` ALS on the same temporal split and metrics as `loupe eval recs`.

The side-by-side baseline of issue 5. Reads the UCI online-retail orders, trains
on order lines up to the split date and scores the customers who bought both
before and after it, exactly as crates/recs/src/eval.rs does:

  Recall@k  = hits / distinct products bought after the split (averaged)
  NDCG@k    = binary relevance, ideal DCG over min(k, |truth|)
  hit rate  = share of customers with at least one hit
  coverage  = distinct products recommended / all products

Interactions are the same as Loupe's: one per sale line (quantity > 0, with a
customer), weighted 0.5^(age / 120 days) at the split, summed per (customer,
product). A small grid of hyper-parameters is tried and every row is printed,
so the best `implicit` can do here is what Loupe is compared with.

usage: pip install implicit
       python3 bench/recs/implicit_als.py [ORDERS.csv] [--split 2011-08-01] [--k 10,20]

Final holdout (issue 13): `--split-dir DIR` reads the split `loupe eval recs
--holdout-from ... --export-split DIR` wrote (interactions.tsv: customer,
product, Unix seconds; truth.tsv: window, from, to, customer, product, new),
so the customers, products and truth are exactly Loupe's. The grid is tried
on the validation window only (trained on the interactions before it); the
best setting by the mean of Recall@k over all and over new products (Loupe's
own tuning objective) is retrained on everything before the holdout and
scored on it once. Prints one JSON object:
{"name", "params", "validation": SCORES, "holdout": SCORES, "grid": [...]},
SCORES = {"recall", "ndcg", "recall_new", "ndcg_new", "customers", "customers_new"}.

       python3 bench/recs/implicit_als.py --split-dir DIR [--k 20]
"""
import argparse, csv, math, os, sys, time
from datetime import datetime, timezone

import numpy as np
import scipy.sparse as sp

os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import implicit  # noqa: E402
from implicit.als import AlternatingLeastSquares  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, '..', '..', '..', 'shared', 'datasets', 'online-retail-2010-12-to-2011-09.csv')


def load(path):
    rows = []
    with open(path, newline='', encoding='utf-8', errors='replace') as f:
        for r in csv.DictReader(f):
            try:
                t = datetime.strptime(r['InvoiceDate'], '%Y-%m-%d %H:%M:%S').replace(tzinfo=timezone.utc).timestamp()
                q = float(r['Quantity'])
            except ValueError:
                continue
            c = r['CustomerID'].strip()
            if c.endswith('.0'):
                c = c[:-2]
            rows.append((r['InvoiceNo'], r['StockCode'], q, t, c))
    return rows


def metrics(recs, truth, k, n_items):
    recall = ndcg = hits = 0.0
    seen = set()
    for u, items in recs.items():
        t = truth[u]
        top = items[:k]
        seen.update(top)
        h = 0
        dcg = 0.0
        for r, i in enumerate(top):
            if i in t:
                h += 1
                dcg += 1.0 / math.log2(r + 2)
        idcg = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(t))))
        recall += h / len(t)
        ndcg += dcg / idcg if idcg else 0.0
        hits += h > 0
    n = max(len(recs), 1)
    return recall / n, ndcg / n, hits / n, len(seen) / n_items


def recall_ndcg(top, t, k):
    h = 0
    dcg = 0.0
    for r, i in enumerate(top[:k]):
        if i in t:
            h += 1
            dcg += 1.0 / math.log2(r + 2)
    idcg = sum(1.0 / math.log2(r + 2) for r in range(min(k, len(t))))
    return h / len(t), dcg / idcg


def holdout_scores(recs, truth, k):
    """As crates/recs/src/holdout.rs `score`: all products, and new ones only
    (customers without a new product left out of those averages)."""
    s = dict(recall=0.0, ndcg=0.0, recall_new=0.0, ndcg_new=0.0, customers=0, customers_new=0)
    for c, items in truth.items():
        top = recs.get(c, [])
        r, n = recall_ndcg(top, {p for p, _ in items}, k)
        s['recall'] += r
        s['ndcg'] += n
        s['customers'] += 1
        new = {p for p, isnew in items if isnew}
        if new:
            r, n = recall_ndcg(top, new, k)
            s['recall_new'] += r
            s['ndcg_new'] += n
            s['customers_new'] += 1
    for m, base in (('recall', 'customers'), ('ndcg', 'customers'), ('recall_new', 'customers_new'),
                    ('ndcg_new', 'customers_new')):
        s[m] = round(s[m] / max(s[base], 1), 4)
    return s


def split_dir(a):
    import json
    k = max(int(x) for x in a.k.split(','))
    inter = []
    with open(os.path.join(a.split_dir, 'interactions.tsv')) as f:
        next(f)
        for line in f:
            c, p, t = line.rstrip('\n').split('\t')
            inter.append((c, int(p), int(t)))
    windows = {}
    with open(os.path.join(a.split_dir, 'truth.tsv')) as f:
        next(f)
        for line in f:
            w, lo, hi, c, p, new = line.rstrip('\n').split('\t')
            win = windows.setdefault(w, {'from': int(lo), 'to': int(hi), 'truth': {}})
            win['truth'].setdefault(c, []).append((int(p), new == '1'))
    products = sorted({p for _, p, _ in inter} | {p for w in windows.values() for t in w['truth'].values() for p, _ in t})
    item_ix = {p: i for i, p in enumerate(products)}

    def matrix(cut):
        users, acc = {}, {}
        for c, p, t in inter:
            if t >= cut:
                continue
            u = users.setdefault(c, len(users))
            key = (u, item_ix[p])
            acc[key] = acc.get(key, 0.0) + 0.5 ** (max(cut - t, 0) / 86400 / a.half_life)
        keys = list(acc.keys())
        m = sp.csr_matrix((np.array([acc[x] for x in keys], dtype=np.float32),
                           (np.array([x[0] for x in keys]), np.array([x[1] for x in keys]))),
                          shape=(len(users), len(products)))
        return users, m

    def run(win, params, m, users):
        factors, reg, alpha, filt = params
        model = AlternatingLeastSquares(factors=factors, regularization=reg, alpha=alpha, iterations=15,
                                        num_threads=a.threads, random_state=42, calculate_training_loss=False)
        model.fit(m, show_progress=False)
        cs = [c for c in win['truth'] if c in users]
        uids = np.array([users[c] for c in cs])
        ids, _ = model.recommend(uids, m[uids], N=k, filter_already_liked_items=filt)
        recs = {c: [products[i] for i in row if i >= 0] for c, row in zip(cs, ids)}
        return holdout_scores(recs, win['truth'], k)

    val, hold = windows['validation'], windows['holdout']
    users, m = matrix(val['from'])
    grid = []
    for factors in (32, 64, 128):
        for reg in (0.01, 0.1):
            for alpha in (1.0, 5.0, 20.0, 40.0):
                for filt in (False, True):
                    p = (factors, reg, alpha, filt)
                    s = run(val, p, m, users)
                    grid.append({'params': p, 'validation': s})
                    print(f"validation {p}: {s}", file=sys.stderr, flush=True)
    best = max(grid, key=lambda g: (g['validation']['recall'] + g['validation']['recall_new']) / 2)
    users, m = matrix(hold['from'])
    out = {'name': 'implicit_als', 'implicit': implicit.__version__, 'k': k,
           'params': dict(zip(('factors', 'regularization', 'alpha', 'filter_bought'), best['params'])),
           'validation': best['validation'], 'holdout': run(hold, best['params'], m, users),
           'grid': grid}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('orders', nargs='?', default=DEFAULT)
    ap.add_argument('--split', default='2011-08-01')
    ap.add_argument('--k', default='10,20')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--split-dir', help='the holdout split written by loupe eval recs --export-split')
    ap.add_argument('--half-life', type=float, default=120.0, help='days; interactions decay as in Loupe')
    a = ap.parse_args()
    if a.split_dir:
        return split_dir(a)
    ks = [int(x) for x in a.k.split(',')]
    split = datetime.strptime(a.split, '%Y-%m-%d').replace(tzinfo=timezone.utc).timestamp()
    rows = load(a.orders)
    skus = sorted({r[1] for r in rows if r[1]})
    item_ix = {s: i for i, s in enumerate(skus)}
    users, acc, truth = {}, {}, {}
    for inv, sku, q, t, c in rows:
        if q <= 0 or not c or not sku:
            continue
        if t <= split:
            u = users.setdefault(c, len(users))
            w = 0.5 ** (max(split - t, 0) / 86400 / 120.0)
            key = (u, item_ix[sku])
            acc[key] = acc.get(key, 0.0) + w
        else:
            truth.setdefault(c, set()).add(item_ix[sku])
    test = sorted(c for c in truth if c in users)
    cold = len(truth) - len(test)
    keys = list(acc.keys())
    m = sp.csr_matrix((np.array([acc[k] for k in keys], dtype=np.float32),
                       (np.array([k[0] for k in keys]), np.array([k[1] for k in keys]))),
                      shape=(len(users), len(skus)))
    print(f"implicit {implicit.__version__}: {m.nnz} interactions, {len(users)} customers, {len(skus)} products; "
          f"evaluating {len(test)} customers ({cold} cold)")
    kmax = max(ks)
    uids = np.array([users[c] for c in test])
    truth_u = {users[c]: truth[c] for c in test}
    best = None
    for factors in (48, 128):
        for reg in (0.01, 0.05):
            for alpha in (5.0, 20.0, 40.0):
                for filter_liked in (False, True):
                    model = AlternatingLeastSquares(factors=factors, regularization=reg, alpha=alpha, iterations=15,
                                                    num_threads=a.threads, random_state=42, calculate_training_loss=False)
                    t0 = time.time()
                    model.fit(m, show_progress=False)
                    fit = time.time() - t0
                    ids, _ = model.recommend(uids, m[uids], N=kmax, filter_already_liked_items=filter_liked)
                    recs = {u: list(row) for u, row in zip(uids, ids)}
                    cells = []
                    r20 = None
                    for k in ks:
                        r, n, h, cov = metrics(recs, truth_u, k, len(skus))
                        cells.append(f"R@{k} {r:.4f} N@{k} {n:.4f} HR {h:.3f} cov {cov:.3f}")
                        if k == kmax:
                            r20 = r
                    line = (f"factors={factors:<3} reg={reg:<4} alpha={alpha:<4} filter_bought={str(filter_liked):<5} "
                            f"fit {fit:.2f}s  " + ' | '.join(cells))
                    print(line, flush=True)
                    if best is None or r20 > best[0]:
                        best = (r20, line)
    print(f"best by Recall@{kmax}: {best[1]}")


if __name__ == '__main__':
    sys.exit(main())

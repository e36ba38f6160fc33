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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('orders', nargs='?', default=DEFAULT)
    ap.add_argument('--split', default='2011-08-01')
    ap.add_argument('--k', default='10,20')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
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

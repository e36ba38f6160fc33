#!/usr/bin/env python3
"""Offline check of the splits in BENCHMARKS.md ("A search-ranking experiment with a known true effect"): GrowthBook hash v2 (FNV-1a 32-bit,
as crates/experiments/src/assign.rs computes it for ASCII ids) for experiment keys "ranking-k" and
visitors "ranking-k-v{i}", 50/50; how often the sample-ratio p-value falls below 0.001, 0.01, 0.05.
It reproduces the example's own splits exactly (200 keys x 1,000 visitors: 2, 4 and 9 of 200).

usage: bench/experiments/ranking_srm_check.py KEYS VISITORS"""
import math, sys
def fnv(s):
    h = 0x811c9dc5
    for ch in s:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xffffffff
    return h
def hv2(seed, v):
    return (fnv(str(fnv(seed + v))) % 10000) / 10000
K = int(sys.argv[1]); N = int(sys.argv[2])
c = [0,0,0]
for k in range(K):
    key = f"ranking-{k}"
    b = sum(1 for i in range(N) if hv2(key, f"{key}-v{i}") >= 0.5)
    a = N - b
    x2 = (a - N/2)**2/(N/2) + (b - N/2)**2/(N/2)
    p = math.erfc(math.sqrt(x2/2))
    c[0] += p < 0.001; c[1] += p < 0.01; c[2] += p < 0.05
print(K, N, "p<0.001:", c[0]/K, "p<0.01:", c[1]/K, "p<0.05:", c[2]/K)

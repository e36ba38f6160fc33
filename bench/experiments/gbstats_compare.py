#!/usr/bin/env python3
"""Agreement of `loupe experiments analyze` and `srm` with gbstats 0.8.0 (PyPI).

Generates random sufficient statistics of every statistic type for every
configuration (engine, difference type, alternative, sequential, prior), runs
gbstats 0.8.0 and `loupe experiments analyze --json` on the same inputs, and
prints, per type x config, how many agree to 5 decimal places and the largest
absolute difference.

gbstats 0.8.0 is older than the source Loupe follows (growthbook/growthbook,
packages/stats/gbstats). Each disagreement is classified by re-running gbstats
0.8.0 with one of the newer source's changes patched in (the patches below,
each a few lines restating the newer formula): when the patched 0.8.0 agrees
with Loupe, the difference is that change. Anything left is listed as
unexplained. Cases 0.8.0 cannot compute at all (RegressionAdjustedRatio,
one-sided sequential tests) are counted as "not in 0.8.0".

Run through gbstats_compare.sh, which makes the virtual environment and builds
the binary; or directly: python3 gbstats_compare.py --loupe PATH [--per-cell N].
"""

import argparse
import collections
import itertools
import json
import math
import subprocess
import sys

import numpy as np

import gbstats.bayesian.tests as gb_bayes
import gbstats.frequentist.tests as gb_freq
import gbstats.models.statistics as gb_stats
from gbstats.utils import check_srm

TOL = 1e-5  # "agree to 5 decimal places": absolute difference below 1e-5

# ---------------------------------------------------------------------------
# Random inputs: per-unit data drawn with numpy, reduced to sufficient statistics,
# so that every input is one a real experiment could produce.


def sample_mean(x):
    return {"type": "SampleMean", "n": int(len(x)), "sum": float(x.sum()), "sum_squares": float((x * x).sum())}


def proportion(x):
    return {"type": "Proportion", "n": int(len(x)), "sum": float(x.sum())}


def arm_size(rng):
    # Mostly realistic sizes, sometimes tiny ones that make gbstats' error paths run.
    return int(rng.integers(2, 8)) if rng.random() < 0.05 else int(rng.integers(30, 4000))


def gen_sample_mean(rng, lift):
    shape = rng.uniform(0.3, 3)
    scale = rng.uniform(1, 200)
    return [sample_mean(rng.gamma(shape, scale * (1 + lift * arm), arm_size(rng))) for arm in (0, 1)]


def gen_proportion(rng, lift):
    p = rng.uniform(0.01, 0.6)
    return [proportion((rng.random(arm_size(rng)) < min(p * (1 + lift * arm), 1)).astype(float)) for arm in (0, 1)]


def gen_ratio(rng, lift):
    out = []
    for arm in (0, 1):
        n = arm_size(rng)
        d = 1.0 + rng.poisson(rng.uniform(0.5, 5), n)
        m = d * rng.gamma(1.0, rng.uniform(5, 100) * (1 + lift * arm), n) * (rng.random(n) < 0.3)
        out.append(
            {
                "type": "Ratio",
                "n": n,
                "m_sum": float(m.sum()),
                "m_sum_squares": float((m * m).sum()),
                "d_sum": float(d.sum()),
                "d_sum_squares": float((d * d).sum()),
                "m_d_sum_of_products": float((m * d).sum()),
            }
        )
    return out


def gen_regression_adjusted(rng, lift, binary):
    out = []
    rho = rng.uniform(0, 0.95)
    for arm in (0, 1):
        n = arm_size(rng)
        if binary:
            p = rng.uniform(0.05, 0.5)
            pre = (rng.random(n) < p).astype(float)
            keep = rng.random(n) < rho
            fresh = (rng.random(n) < min(p * (1 + lift * arm), 1)).astype(float)
            post = np.where(keep, pre, fresh)
            stat = proportion
        else:
            pre = rng.gamma(1.0, 50, n)
            post = rho * pre + rng.gamma(1.0, 50 * (1 + lift * arm), n)
            stat = sample_mean
        out.append(
            {
                "type": "RegressionAdjusted",
                "n": n,
                "post": stat(post),
                "pre": stat(pre),
                "post_pre_sum_of_products": float((post * pre).sum()),
                "theta": None,
            }
        )
    return out


def gen_regression_adjusted_ratio(rng, lift):
    out = []
    for arm in (0, 1):
        n = arm_size(rng)
        d_pre = 1.0 + rng.poisson(3, n)
        m_pre = d_pre * rng.gamma(1.0, 20, n)
        d_post = np.maximum(1.0, d_pre + rng.poisson(1, n) - 1)
        m_post = 0.5 * m_pre + d_post * rng.gamma(1.0, 10 * (1 + lift * arm), n)
        s = sample_mean
        out.append(
            {
                "type": "RegressionAdjustedRatio",
                "n": n,
                "m_post": s(m_post),
                "d_post": s(d_post),
                "m_pre": s(m_pre),
                "d_pre": s(d_pre),
                "m_post_m_pre_sum_of_products": float((m_post * m_pre).sum()),
                "d_post_d_pre_sum_of_products": float((d_post * d_pre).sum()),
                "m_pre_d_pre_sum_of_products": float((m_pre * d_pre).sum()),
                "m_post_d_post_sum_of_products": float((m_post * d_post).sum()),
                "m_post_d_pre_sum_of_products": float((m_post * d_pre).sum()),
                "m_pre_d_post_sum_of_products": float((m_pre * d_post).sum()),
                "theta": None,
            }
        )
    return out


TYPES = {
    "SampleMean": gen_sample_mean,
    "Proportion": gen_proportion,
    "Ratio": gen_ratio,
    "RegressionAdjusted(mean)": lambda rng, lift: gen_regression_adjusted(rng, lift, False),
    "RegressionAdjusted(prop)": lambda rng, lift: gen_regression_adjusted(rng, lift, True),
    "RegressionAdjustedRatio": gen_regression_adjusted_ratio,
}


def configs():
    """Every configuration cell: (label, function drawing a config)."""
    cells = []
    for diff in ("relative", "absolute"):
        for alt in ("two-sided", "greater", "less"):
            for seq in (False, True):
                label = f"freq {diff[:3]} {alt}{' seq' if seq else ''}"
                cells.append((label, dict(engine="frequentist", difference_type=diff, alternative=alt, seq=seq)))
        for proper in (False, True):
            label = f"bayes {diff[:3]} {'proper' if proper else 'flat'}"
            cells.append((label, dict(engine="bayesian", difference_type=diff, proper=proper)))
    return cells


def draw_config(rng, cell):
    cfg = {"engine": cell["engine"], "difference_type": cell["difference_type"]}
    cfg["alpha"] = float(rng.choice([0.05, 0.05, 0.1, 0.01]))
    if cell["engine"] == "frequentist":
        cfg["alternative"] = cell["alternative"]
        if cell["seq"]:
            cfg["sequential_tuning_parameter"] = float(rng.choice([1000, 5000, 20000]))
    elif cell["proper"]:
        cfg["prior"] = {"mean": float(rng.uniform(-0.1, 0.1)), "variance": float(rng.uniform(0.01, 0.5)), "proper": True}
    return cfg


# ---------------------------------------------------------------------------
# gbstats 0.8.0, and the newer source's changes as patches to it.


def to_gb(stat):
    t = stat["type"]
    if t == "SampleMean":
        return gb_stats.SampleMeanStatistic(n=stat["n"], sum=stat["sum"], sum_squares=stat["sum_squares"])
    if t == "Proportion":
        return gb_stats.ProportionStatistic(n=stat["n"], sum=stat["sum"])
    if t == "Ratio":
        return gb_stats.RatioStatistic(
            n=stat["n"],
            m_statistic=gb_stats.SampleMeanStatistic(n=stat["n"], sum=stat["m_sum"], sum_squares=stat["m_sum_squares"]),
            d_statistic=gb_stats.SampleMeanStatistic(n=stat["n"], sum=stat["d_sum"], sum_squares=stat["d_sum_squares"]),
            m_d_sum_of_products=stat["m_d_sum_of_products"],
        )
    if t == "RegressionAdjusted":
        return gb_stats.RegressionAdjustedStatistic(
            n=stat["n"],
            post_statistic=to_gb(stat["post"]),
            pre_statistic=to_gb(stat["pre"]),
            post_pre_sum_of_products=stat["post_pre_sum_of_products"],
            theta=0,  # 0.8.0 always estimates theta from both arms
        )
    raise NotImplementedError(t)


def not_in_080(case):
    cfg = case["config"]
    if case["A"]["type"] == "RegressionAdjustedRatio":
        return "RegressionAdjustedRatio"
    if cfg["engine"] == "frequentist" and "sequential_tuning_parameter" in cfg and cfg["alternative"] != "two-sided":
        return "one-sided sequential test"
    return None


def run_gbstats(case):
    cfg = case["config"]
    a, b = to_gb(case["A"]), to_gb(case["B"])
    try:
        if cfg["engine"] == "bayesian":
            prior = cfg.get("prior")
            prior = gb_bayes.GaussianPrior(**prior) if prior else gb_bayes.GaussianPrior()
            c = gb_bayes.EffectBayesianConfig(difference_type=cfg["difference_type"], alpha=cfg["alpha"], prior_effect=prior)
            r = gb_bayes.EffectBayesianABTest(a, b, c).compute_result()
            return {
                "expected": r.expected,
                "ci": list(r.ci),
                "uplift": {"mean": r.uplift.mean, "stddev": r.uplift.stddev},
                "chance_to_win": r.chance_to_win,
                "risk": list(r.risk),
                "error": r.error_message,
            }
        if "sequential_tuning_parameter" in cfg:
            c = gb_freq.SequentialConfig(
                difference_type=cfg["difference_type"],
                alpha=cfg["alpha"],
                sequential_tuning_parameter=cfg["sequential_tuning_parameter"],
            )
            test = gb_freq.SequentialTwoSidedTTest(a, b, c)
        else:
            c = gb_freq.FrequentistConfig(difference_type=cfg["difference_type"], alpha=cfg["alpha"])
            cls = {
                "two-sided": gb_freq.TwoSidedTTest,
                "greater": gb_freq.OneSidedTreatmentGreaterTTest,
                "less": gb_freq.OneSidedTreatmentLesserTTest,
            }[cfg["alternative"]]
            test = cls(a, b, c)
        r = test.compute_result()
        return {
            "expected": r.expected,
            "ci": list(r.ci),
            "uplift": {"mean": r.uplift.mean, "stddev": r.uplift.stddev},
            "p_value": r.p_value,
            "error": r.error_message,
        }
    except Exception as e:  # gbstats raises on some degenerate inputs
        return {"error": f"exception: {type(e).__name__}: {e}"}


ORIGINAL = {}


def patch_less_bound(on):
    """Newer source: a "less" test's interval is (-inf, estimate + half-width]."""
    cls = gb_freq.OneSidedTreatmentLesserTTest
    ORIGINAL.setdefault("less", cls.confidence_interval)
    if not on:
        cls.confidence_interval = ORIGINAL["less"]
        return

    def ci(self):
        width = gb_freq.t.ppf(1 - self.alpha, self.dof) * np.sqrt(self.variance)
        return [-np.inf, self.point_estimate + width]

    cls.confidence_interval = property(ci)


def relative_cuped_variance(a, b):
    """frequentist_variance_relative_cuped of the newer models/tests.py."""
    den_trt = b.n * a.unadjusted_mean**2
    den_ctrl = a.n * a.unadjusted_mean**2
    if den_trt == 0 or den_ctrl == 0:
        return 0
    theta = a.theta if a.theta else 0
    v_trt = (b.post_statistic.variance + theta**2 * b.pre_statistic.variance - 2 * theta * b.covariance) / den_trt
    const = -b.post_statistic.mean
    num_a = a.post_statistic.variance * const**2 / (a.post_statistic.mean**2)
    num_b = 2 * theta * a.covariance * const / a.post_statistic.mean
    num_c = theta**2 * a.pre_statistic.variance
    return v_trt + (num_a + num_b + num_c) / den_ctrl


def patch_relative_cuped(on):
    """Newer source: the delta-method variance of the relative CUPED effect."""
    ORIGINAL.setdefault("ttest_variance", gb_freq.TTest.variance)
    ORIGINAL.setdefault("bayes_variance", gb_bayes.frequentist_variance)
    if not on:
        gb_freq.TTest.variance = ORIGINAL["ttest_variance"]
        gb_bayes.frequentist_variance = ORIGINAL["bayes_variance"]
        return

    def variance(self):
        if self.relative and isinstance(self.stat_a, gb_stats.RegressionAdjustedStatistic):
            return relative_cuped_variance(self.stat_a, self.stat_b)
        return ORIGINAL["ttest_variance"].fget(self)

    gb_freq.TTest.variance = property(variance)
    CURRENT_PAIR.clear()

    # The Bayesian test calls frequentist_variance with plain numbers; the pair
    # it is about is recorded just before (see run_case).
    def bayes_variance(var_a, mean_a, n_a, var_b, mean_b, n_b, relative):
        if relative and CURRENT_PAIR and isinstance(CURRENT_PAIR[0], gb_stats.RegressionAdjustedStatistic):
            return relative_cuped_variance(*CURRENT_PAIR)
        return ORIGINAL["bayes_variance"](var_a, mean_a, n_a, var_b, mean_b, n_b, relative)

    gb_bayes.frequentist_variance = bayes_variance


CURRENT_PAIR = []


def patch_proportion_covariance(on):
    """Newer source: the covariance of two proportions divides by n, not n - 1."""
    cls = gb_stats.RegressionAdjustedStatistic
    ORIGINAL.setdefault("ra_cov", cls.covariance)
    if not on:
        cls.covariance = ORIGINAL["ra_cov"]
        return

    def covariance(self):
        if self.n <= 1:
            return 0
        a, b = self.post_statistic, self.pre_statistic
        if isinstance(a, gb_stats.ProportionStatistic) and isinstance(b, gb_stats.ProportionStatistic):
            return self.post_pre_sum_of_products / self.n - a.sum * b.sum / self.n**2
        return ORIGINAL["ra_cov"].fget(self)

    cls.covariance = property(covariance)


PATCHES = {
    "less-bound": patch_less_bound,
    "relative-CUPED-variance": patch_relative_cuped,
    "proportion-covariance": patch_proportion_covariance,
}


def with_patches(names, case):
    for name, patch in PATCHES.items():
        patch(name in names)
    # Theta is estimated inside the test's constructor: the Bayesian variance
    # patch needs the adjusted pair, so build the test the same way run_gbstats does.
    CURRENT_PAIR.clear()
    if case["A"]["type"] == "RegressionAdjusted" and case["config"]["engine"] == "bayesian":
        a, b = to_gb(case["A"]), to_gb(case["B"])
        probe = gb_bayes.EffectBayesianABTest(a, b, gb_bayes.EffectBayesianConfig())
        CURRENT_PAIR.extend([probe.stat_a, probe.stat_b])
    try:
        return run_gbstats(case)
    finally:
        for patch in PATCHES.values():
            patch(False)


# ---------------------------------------------------------------------------
# Comparison.

FIELDS = ("expected", "ci0", "ci1", "mean", "stddev", "p_value", "chance_to_win", "risk0", "risk1")


def flat(r):
    ci = r.get("ci") or [None, None]
    risk = r.get("risk") or [None, None]
    up = r.get("uplift") or {}
    return {
        "expected": r.get("expected"),
        "ci0": -math.inf if ci[0] is None and "ci" in r else ci[0],
        "ci1": math.inf if ci[1] is None and "ci" in r else ci[1],
        "mean": up.get("mean"),
        "stddev": up.get("stddev"),
        "p_value": r.get("p_value"),
        "chance_to_win": r.get("chance_to_win"),
        "risk0": risk[0],
        "risk1": risk[1],
    }


def compare(loupe, gb):
    """(agree, max_abs_diff, note)."""
    le, ge = loupe.get("error"), gb.get("error")
    if le or ge:
        if le and ge:
            same_numbers = compare({**loupe, "error": None}, {**gb, "error": None})[0] if "expected" in gb else True
            note = None if le == ge else f"loupe {le!r}, 0.8.0 {ge!r}"
            return same_numbers, 0.0, note
        return False, math.inf, f"only {'loupe' if le else '0.8.0'} refuses: {le or ge}"
    fl, fg = flat(loupe), flat(gb)
    worst = 0.0
    for k in FIELDS:
        x, y = fl[k], fg[k]
        if x is None and y is None:
            continue
        if x is None or y is None:
            return False, math.inf, f"{k} missing on one side"
        if math.isinf(x) or math.isinf(y):
            if x != y:
                return False, math.inf, f"{k}: loupe {x}, 0.8.0 {y}"
            continue
        worst = max(worst, abs(x - y))
    return worst < TOL, worst, None


def run_loupe_analyze(loupe, cases):
    text = "".join(json.dumps({"A": c["A"], "B": c["B"], "config": c["config"]}) + "\n" for c in cases)
    out = subprocess.run([loupe, "experiments", "analyze", "--json"], input=text, capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert len(lines) == len(cases), f"{len(lines)} output lines for {len(cases)} inputs"
    return [json.loads(line) for line in lines]


def srm_cases(rng, count):
    cases = []
    for _ in range(count):
        k = int(rng.integers(2, 5))
        weights = rng.dirichlet(np.ones(k))
        if rng.random() < 0.25:
            weights[int(rng.integers(0, k))] = 0.0  # an arm switched off
        weights = weights / weights.sum()
        total = int(rng.integers(100, 100000))
        tilt = 1 + (rng.random(k) - 0.5) * (0.1 if rng.random() < 0.5 else 0.002)
        expected = weights * tilt / (weights * tilt).sum()
        users = rng.multinomial(total, expected)
        cases.append((users.tolist(), [round(float(w), 6) for w in weights]))
    return cases


def run_srm(loupe, rng, count):
    rows = collections.Counter()
    worst = 0.0
    examples = []
    for users, weights in srm_cases(rng, count):
        out = subprocess.run(
            [loupe, "experiments", "srm", "--users", ",".join(map(str, users)), "--weights", ",".join(map(str, weights)), "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        ours = json.loads(out.stdout)["p_value"]
        theirs = float(check_srm(users, weights))
        if any(w == 0 or u == 0 for u, w in zip(users, weights)):
            # The back-end's checkSrm drops such arms before the test (so they
            # leave the degrees of freedom too); 0.8.0 keeps them in the count.
            kept = [(u, w) for u, w in zip(users, weights) if w and u]
            backend = 1.0 if len(kept) < 2 else float(check_srm([u for u, _ in kept], [w for _, w in kept]))
            if abs(ours - backend) < TOL:
                rows["empty arm: agree once 0.8.0 leaves it out, as the back-end does"] += 1
                worst = max(worst, abs(ours - backend))
                continue
        elif abs(ours - theirs) < TOL:
            rows["agree"] += 1
            worst = max(worst, abs(ours - theirs))
            continue
        rows["unexplained"] += 1
        examples.append((users, weights, ours, theirs))
    return rows, worst, examples


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loupe", required=True, help="path of the loupe binary")
    ap.add_argument("--per-cell", type=int, default=200, help="random cases per type x config (default 200)")
    ap.add_argument("--srm-cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261207)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    cases = []
    for type_name, gen in TYPES.items():
        for label, cell in configs():
            for _ in range(args.per_cell):
                lift = rng.choice([0.0, rng.uniform(-0.2, 0.3)])
                a, b = gen(rng, lift)
                cases.append({"type": type_name, "cell": label, "A": a, "B": b, "config": draw_config(rng, cell)})
    results = run_loupe_analyze(args.loupe, cases)

    table = collections.OrderedDict()
    classes = collections.Counter()
    unexplained = []
    for case, ours in zip(cases, results):
        key = (case["type"], case["cell"])
        row = table.setdefault(
            key,
            {"n": 0, "agree": 0, "max": 0.0, "only_loupe": 0, "explained": 0, "other": 0, "max_new": 0.0, "differ_new": 0},
        )
        row["n"] += 1
        missing = not_in_080(case)
        if missing:
            row["only_loupe"] += 1
            classes[f"not in 0.8.0: {missing}"] += 1
            continue
        theirs = run_gbstats(case)
        ok, diff, note = compare(ours, theirs)
        # Against 0.8.0 with every newer-source change patched in, the numbers
        # should be the same to rounding error, not just to 5 places.
        ok_new, diff_new, _ = compare(ours, with_patches(set(PATCHES), case))
        row["max_new"] = max(row["max_new"], diff_new)
        row["differ_new"] += 0 if ok_new else 1
        if ok:
            row["agree"] += 1
            row["max"] = max(row["max"], diff)
            if note:
                classes[f"agree (default numbers), error messages differ: {note}"] += 1
            continue
        # Which newer-source change explains it?
        # The smallest set of them that makes 0.8.0 agree.
        fixed_by = None
        for size in range(1, len(PATCHES) + 1):
            for names in itertools.combinations(PATCHES, size):
                if compare(ours, with_patches(set(names), case))[0]:
                    fixed_by = names
                    break
            if fixed_by:
                break
        if fixed_by:
            row["explained"] += 1
            classes["newer source: " + " + ".join(fixed_by)] += 1
        else:
            row["other"] += 1
            unexplained.append((case, ours, theirs, note, diff))

    print(f"gbstats 0.8.0 vs loupe experiments analyze: {len(cases)} cases, {args.per_cell} per type x config, seed {args.seed}")
    print(f"agreement: every reported number within {TOL:g} (5 decimal places)\n")
    print("columns: agree = all numbers within 1e-5 of 0.8.0 as released, and the largest difference among those;")
    print("  newer src = differ, and agree once 0.8.0 has the newer source's change(s) patched in;")
    print("  not 0.8.0 = 0.8.0 cannot compute it; other = unexplained;")
    print("  vs patched = largest difference from 0.8.0 with all the newer source's changes (all comparable cases)\n")
    header = (
        f"{'type':26} {'config':24} {'cases':>5} {'agree':>5} {'max |diff|':>10} {'newer src':>9} "
        f"{'not 0.8.0':>9} {'other':>5} {'vs patched':>10}"
    )
    print(header)
    print("-" * len(header))
    for (type_name, cell), row in table.items():
        print(
            f"{type_name:26} {cell:24} {row['n']:5d} {row['agree']:5d} {row['max']:10.2e} "
            f"{row['explained']:9d} {row['only_loupe']:9d} {row['other']:5d} {row['max_new']:10.2e}"
        )
    total = collections.Counter()
    for row in table.values():
        total.update({k: v for k, v in row.items() if not k.startswith("max")})
    print("-" * len(header))
    print(
        f"{'total':51} {total['n']:5d} {total['agree']:5d} {max(r['max'] for r in table.values()):10.2e} "
        f"{total['explained']:9d} {total['only_loupe']:9d} {total['other']:5d} "
        f"{max(r['max_new'] for r in table.values()):10.2e}"
    )
    print(f"comparable cases that still differ from the patched 0.8.0: {total['differ_new']}")
    print("\nDifferences by cause:")
    for name, count in classes.most_common():
        print(f"  {count:5d}  {name}")
    print(f"\nUnexplained: {len(unexplained)}")
    for case, ours, theirs, note, diff in unexplained[:20]:
        print(json.dumps({"type": case["type"], "config": case["config"], "A": case["A"], "B": case["B"]}))
        print(f"   loupe: {json.dumps(ours)}\n   0.8.0: {json.dumps(theirs, default=str)}\n   note: {note} diff {diff}")

    rows, worst, examples = run_srm(args.loupe, rng, args.srm_cases)
    print(f"\nSRM: {args.srm_cases} cases, loupe experiments srm vs gbstats.utils.check_srm")
    for name, count in rows.most_common():
        print(f"  {count:5d}  {name}")
    print(f"  max |diff| (against the back-end rule): {worst:.2e}")
    for users, weights, ours, theirs in examples[:10]:
        print(f"  unexplained: users {users} weights {weights}: loupe {ours} 0.8.0 {theirs}")
    return 0 if not unexplained and not examples else 1


if __name__ == "__main__":
    sys.exit(main())

//! A/A simulation study of Loupe's experiment read-outs (issue 15) on the demo
//! brand: over many random splits of the same visitors, how often does each
//! read-out of `experiments::stats` declare a difference that is not there, how
//! much does peeking at ten interim looks inflate that, and does the observed
//! power at a known injected effect match `experiments::stats::power`?
//!
//! ```text
//! cargo run --release -p experiments --example aa -- [--replicates 1000] [--customers 50000] [--products 2000] [--days 1095] [--seed 42] [--coin] [--cap-percentile 99] [--json]
//! ```
//!
//! Visitors come from `sim::generate`: every customer with a session in the
//! last 28 days, and every guest session in them as a visitor of its own.

mod study;

use std::time::Instant;

use experiments::stats::{self, PowerInput, PowerMetric};
use serde_json::{json, Value};
use study::{Count, Counts, Effect, Metric, Read, StudyConfig, Visitor, WINDOW_DAYS};

const PLANNED_EFFECT: f64 = 0.10;

struct Args {
    sim: sim::SimConfig,
    study: StudyConfig,
    json: bool,
    /// Cap revenue at this percentile of the buyers' revenue (GrowthBook's
    /// percentile capping), when given.
    cap: Option<f64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args =
        Args { sim: sim::SimConfig::default(), study: StudyConfig::default(), json: false, cap: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        };
        match flag.as_str() {
            "--replicates" => args.study.replicates = value("--replicates")? as u32,
            "--customers" => args.sim.customers = value("--customers")? as usize,
            "--products" => args.sim.products = value("--products")? as usize,
            "--days" => args.sim.days = value("--days")? as u32,
            "--seed" => args.sim.seed = value("--seed")?,
            "--json" => args.json = true,
            "--coin" => args.study.assignment = study::Assignment::Coin,
            "--cap-percentile" => args.cap = Some(value("--cap-percentile")? as f64 / 100.0),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn count_json(c: Count) -> Value {
    let [lo, hi] = c.interval();
    json!({"rate": c.rate(), "ci95": [lo, hi], "rejections": c.rejections, "replicates": c.trials, "errors": c.errors})
}

fn fmt_count(c: Count) -> String {
    let [lo, hi] = c.interval();
    let errors = if c.errors > 0 { format!(" ({} errors)", c.errors) } else { String::new() };
    format!("{:5.3}  [{:5.3}, {:5.3}]  {:4}/{}{errors}", c.rate(), lo, hi, c.rejections, c.trials)
}

/// One power comparison: the effect, what `power` predicts, what each test's
/// own rejection rule predicts, and what the replicates showed.
struct PowerRow {
    metric: Metric,
    effect: f64,
    why: &'static str,
    /// `stats::power` (power.ts), without and with the sequential tuning parameter.
    predicted_fixed: f64,
    predicted_sequential: f64,
    /// The chance that the test's own interval excludes 0 if the relative
    /// effect's estimate were normal with the delta-method standard error
    /// that the injected effect gives (B's variance included): the fixed
    /// interval is 1.96 standard errors wide each side, the sequential one
    /// `sequential_z`.
    rule_fixed: f64,
    rule_sequential: f64,
    counts: Counts,
}

/// Pearson's correlation of the pairs `f` reads from each visitor.
fn correlation(visitors: &[Visitor], f: impl Fn(&Visitor) -> (f64, f64)) -> f64 {
    let n = visitors.len() as f64;
    let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for v in visitors {
        let (x, y) = f(v);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
    }
    (sxy - sx * sy / n) / ((sxx - sx * sx / n) * (syy - sy * sy / n)).sqrt()
}

fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The normal quantile, by bisection on `norm_cdf` (called a few times per run).
fn norm_ppf(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if norm_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// How many standard errors the two-sided sequential interval of gbstats is
/// wide at `n` units in all (its half-width over the standard error, eq. 9 of
/// Waudby-Smith et al. as `experiments::stats` computes it).
fn sequential_z(n: f64, alpha: f64, tuning: f64) -> f64 {
    let rho2 = (-2.0 * alpha.ln() + (-2.0 * alpha.ln() + 1.0).ln()) / tuning;
    let nr2 = n * rho2 + 1.0;
    (n * 2.0 * nr2 * (nr2.sqrt() / alpha).ln() / (n * n * rho2)).sqrt()
}

fn power_input(visitors: &[Visitor], metric: Metric, effect: f64, tuning: Option<f64>) -> PowerInput {
    let (mean, variance) = study::moments(visitors, metric);
    PowerInput {
        metric: match metric {
            Metric::Conversion => PowerMetric::Proportion,
            Metric::Revenue => PowerMetric::Mean,
        },
        mean,
        variance,
        effect,
        n_total: visitors.len() as f64,
        variations: 2.0,
        alpha: 0.05,
        two_tailed: true,
        sequential_tuning_parameter: tuning,
    }
}

fn power_row(
    visitors: &[Visitor],
    cfg: &StudyConfig,
    metric: Metric,
    effect: f64,
    why: &'static str,
) -> PowerRow {
    let predict = |tuning| stats::power(&power_input(visitors, metric, effect, tuning)).unwrap_or(f64::NAN);
    // The standardized effect: the effect over the standard error of the relative
    // effect, with B's variance as the injected effect makes it (power.ts gives
    // B the control's variance: multiplying revenue by 1 + e multiplies it by
    // (1 + e)^2, and a conversion rate p becomes p (1 + e)).
    let (mean, variance) = study::moments(visitors, metric);
    let g = (1.0 + effect).powi(2);
    let var_b = match metric {
        Metric::Conversion => mean * (1.0 + effect) * (1.0 - mean * (1.0 + effect)),
        Metric::Revenue => variance * g,
    };
    let half = visitors.len() as f64 / 2.0;
    let d = effect / ((var_b + variance * g) / (mean * mean * half)).sqrt();
    let rule = |z: f64| 1.0 - norm_cdf(z - d) + norm_cdf(-z - d);
    let z_fixed = -norm_ppf(cfg.alpha / 2.0);
    let injected = match metric {
        Metric::Conversion => Effect::Conversion(effect),
        Metric::Revenue => Effect::Revenue(effect),
    };
    PowerRow {
        metric,
        effect,
        why,
        predicted_fixed: predict(None),
        predicted_sequential: predict(Some(cfg.sequential_tuning)),
        rule_fixed: rule(z_fixed),
        rule_sequential: rule(sequential_z(visitors.len() as f64, cfg.alpha, cfg.sequential_tuning)),
        counts: study::run(visitors, cfg, injected, false),
    }
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("aa: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let world = sim::generate(&args.sim);
    let generated = started.elapsed();
    let mut visitors = study::visitors(&world);
    let caps = args.cap.map(|q| study::cap(&mut visitors, q));
    drop(world);
    let cfg = &args.study;

    let aa = study::run(&visitors, cfg, Effect::None, true);
    let aa_time = started.elapsed();

    // The planned +10% for each metric; when that makes the power trivial, also
    // the effect `mde` says is detected 70% of the time.
    let mut rows = Vec::new();
    for metric in Metric::ALL {
        let row = power_row(&visitors, cfg, metric, PLANNED_EFFECT, "planned");
        let trivial = !(0.3..=0.9).contains(&row.predicted_fixed);
        rows.push(row);
        if trivial {
            let input = power_input(&visitors, metric, PLANNED_EFFECT, None);
            if let Ok(e) = stats::mde(&input, 0.7) {
                let e = (e * 1000.0).round() / 1000.0;
                rows.push(power_row(&visitors, cfg, metric, e, "mde at 70% power"));
            }
        }
    }
    let total = started.elapsed();

    let n = visitors.len();
    let converters = visitors.iter().filter(|v| v.converted).count();
    let guests = visitors.iter().filter(|v| v.id.starts_with("guest")).count();
    let (conv_mean, _) = study::moments(&visitors, Metric::Conversion);
    let (rev_mean, rev_var) = study::moments(&visitors, Metric::Revenue);
    let max_rev = visitors.iter().map(|v| v.revenue).fold(0.0, f64::max);
    let with_pre = visitors.iter().filter(|v| v.pre_converted).count();
    // CUPED can remove at most the squared correlation's share of the variance.
    let corr_conv =
        correlation(&visitors, |v| (f64::from(u8::from(v.converted)), f64::from(u8::from(v.pre_converted))));
    let corr_rev = correlation(&visitors, |v| (v.revenue, v.pre_revenue));

    if args.json {
        let mut fpr = serde_json::Map::new();
        let mut peeking = serde_json::Map::new();
        for metric in Metric::ALL {
            let reads: serde_json::Map<String, Value> =
                Read::ALL.iter().map(|&r| (r.name().to_owned(), count_json(aa.at_end(metric, r)))).collect();
            fpr.insert(metric.name().to_owned(), Value::Object(reads));
            peeking.insert(
                metric.name().to_owned(),
                json!({
                    "fixed-horizon t-test": count_json(aa.any_look(metric, Read::Fixed)),
                    "sequential": count_json(aa.any_look(metric, Read::Sequential)),
                    "first_rejection_by_look": {
                        "fixed-horizon t-test": aa.first_look(metric, Read::Fixed),
                        "sequential": aa.first_look(metric, Read::Sequential),
                    },
                }),
            );
        }
        let power: Vec<Value> = rows
            .iter()
            .map(|r| {
                let observed: serde_json::Map<String, Value> = Read::ALL
                    .iter()
                    .map(|&read| (read.name().to_owned(), count_json(r.counts.at_end(r.metric, read))))
                    .collect();
                json!({
                    "metric": r.metric.name(), "effect": r.effect, "why": r.why,
                    "predicted": {"fixed-horizon t-test": r.predicted_fixed, "sequential": r.predicted_sequential},
                    "by_the_tests_own_rule": {"fixed-horizon t-test": r.rule_fixed, "sequential": r.rule_sequential},
                    "observed": observed,
                })
            })
            .collect();
        let out = json!({
            "sim": {"seed": args.sim.seed, "products": args.sim.products, "customers": args.sim.customers,
                    "days": args.sim.days, "start_date": args.sim.start_date.to_string(),
                    "sessions_per_customer": args.sim.sessions_per_customer, "guest_share": args.sim.guest_share},
            "revenue_capped_at": caps.map(|(post, pre)| json!({"window": post, "pre_period": pre})),
            "study": {"replicates": cfg.replicates, "assignment": format!("{:?}", cfg.assignment), "looks": cfg.looks, "alpha": cfg.alpha,
                      "sequential_tuning_parameter": cfg.sequential_tuning, "window_days": WINDOW_DAYS},
            "visitors": {"n": n, "guests": guests, "converted": converters, "conversion_rate": conv_mean,
                         "revenue_mean": rev_mean, "revenue_sd": rev_var.sqrt(), "revenue_max": max_rev,
                         "converted_in_pre_period": with_pre,
                         "correlation_with_pre_period": {"conversion": corr_conv, "revenue": corr_rev}},
            "false_positive_rate": fpr,
            "peeking_any_of_looks": peeking,
            "power": power,
            "seconds": {"generate": generated.as_secs_f64(), "aa": aa_time.as_secs_f64(), "total": total.as_secs_f64()},
        });
        println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
        return;
    }

    let s = &args.sim;
    println!(
        "demo brand: seed {}, {} products, {} customers, {} days from {}, {} sessions/customer, guest share {}",
        s.seed, s.products, s.customers, s.days, s.start_date, s.sessions_per_customer, s.guest_share
    );
    println!(
        "window: last {WINDOW_DAYS} days; {n} visitors ({guests} guest sessions), {converters} converted ({:.2}%), \
         revenue/visitor mean {rev_mean:.2} sd {:.2} max {max_rev:.0}; {with_pre} bought in the {WINDOW_DAYS} days before",
        100.0 * conv_mean,
        rev_var.sqrt()
    );
    if let Some((post, pre)) = caps {
        println!(
            "revenue capped at the {}th percentile of buyers: {post:.0} in the window, {pre:.0} before it",
            100.0 * args.cap.unwrap_or(0.0)
        );
    }
    println!(
        "correlation with the pre-period (what CUPED can use): conversion {corr_conv:.3}, revenue {corr_rev:.3}"
    );
    println!(
        "{} replicates ({:?} assignment), alpha {}, sequential tuning {}, {} looks; generated in {:.1}s, total {:.1}s\n",
        cfg.replicates,
        cfg.assignment,
        cfg.alpha,
        cfg.sequential_tuning,
        cfg.looks,
        generated.as_secs_f64(),
        total.as_secs_f64()
    );
    println!("A/A false-positive rate at the end (nominal {}), Wilson 95% interval", cfg.alpha);
    for metric in Metric::ALL {
        for read in Read::ALL {
            println!("  {:20} {:21} {}", metric.name(), read.name(), fmt_count(aa.at_end(metric, read)));
        }
    }
    println!("\nA/A with peeking: any of {} looks rejects", cfg.looks);
    for metric in Metric::ALL {
        for read in [Read::Fixed, Read::Sequential] {
            println!("  {:20} {:21} {}", metric.name(), read.name(), fmt_count(aa.any_look(metric, read)));
        }
    }
    println!("\nA/A with peeking: replicates whose first rejection came at look 1, 2, ..., {}", cfg.looks);
    for metric in Metric::ALL {
        for read in [Read::Fixed, Read::Sequential] {
            let firsts: Vec<String> = aa.first_look(metric, read).iter().map(u32::to_string).collect();
            println!("  {:20} {:21} {}", metric.name(), read.name(), firsts.join(" "));
        }
    }
    println!(
        "\nPower: effect injected into B, rejection rate at the end; `power` is stats::power, `own rule` the \
         normal approximation of the test's interval with B's variance as injected"
    );
    for r in &rows {
        println!("  {} +{:.1}% ({}):", r.metric.name(), 100.0 * r.effect, r.why);
        for read in Read::ALL {
            let predicted = match read {
                Read::Fixed => format!("power {:5.3}  own rule {:5.3}", r.predicted_fixed, r.rule_fixed),
                Read::Sequential => {
                    format!("power {:5.3}  own rule {:5.3}", r.predicted_sequential, r.rule_sequential)
                }
                _ => String::new(),
            };
            println!("    {:21} {}  {predicted}", read.name(), fmt_count(r.counts.at_end(r.metric, read)));
        }
    }
}

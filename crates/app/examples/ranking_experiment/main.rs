//! A search-ranking experiment with a known true effect (issue 15), run through Loupe's real path
//! on the simulated demo brand: does the read-out find the effect, and do its intervals cover it?
//!
//! ```text
//! cargo run --release -p app --example ranking_experiment -- [--runs 40] [--visitors 20000] \
//!     [--appeal flat|popularity] [--products 2000] [--customers 50000] [--seed 42] [--top-queries N] \
//!     [--show QUERY]... [--json]
//! ```
//!
//! The brand is `sim::generate`'s world, imported through Loupe's import jobs so that the search
//! index learns from the simulated shoppers' history. Each of `--runs` experiments (its own key, so
//! its own split, and its own behaviour seed) compares the `learned` ranking (control) with
//! `catalog_only`; the shopper model and the exact true effect are in `study.rs`. `--show` prints
//! both rankings' pages for a query, relevant results marked.

mod study;

use std::time::Instant;

use serde_json::{json, Value};
use study::{covers, detects, Appeal, Brand, Run, RunConfig, Shopper, Truth};

struct Args {
    sim: sim::SimConfig,
    runs: usize,
    visitors: usize,
    top_queries: Option<usize>,
    appeal: Appeal,
    show: Vec<String>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        sim: sim::SimConfig::default(),
        runs: 40,
        visitors: 20_000,
        top_queries: None,
        appeal: Appeal::Flat,
        show: Vec::new(),
        json: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            let v = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        };
        match flag.as_str() {
            "--runs" => args.runs = value("--runs")? as usize,
            "--visitors" => args.visitors = value("--visitors")? as usize,
            "--products" => args.sim.products = value("--products")? as usize,
            "--customers" => args.sim.customers = value("--customers")? as usize,
            "--seed" => args.sim.seed = value("--seed")?,
            "--top-queries" => args.top_queries = Some(value("--top-queries")? as usize),
            "--appeal" => {
                let v = it.next().ok_or("--appeal needs a value")?;
                args.appeal =
                    Appeal::parse(&v).ok_or_else(|| format!("--appeal: flat or popularity, not {v}"))?;
            }
            "--show" => args.show.push(it.next().ok_or("--show needs a query")?),
            "--json" => args.json = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// A share with its 95% Wilson interval.
fn share(hits: usize, n: usize) -> Value {
    if n == 0 {
        return json!({"rate": null, "ci95": null, "hits": 0, "runs": 0});
    }
    let (p, n_f, z) = (hits as f64 / n as f64, n as f64, 1.96f64);
    let centre = (p + z * z / (2.0 * n_f)) / (1.0 + z * z / n_f);
    let half = z * (p * (1.0 - p) / n_f + z * z / (4.0 * n_f * n_f)).sqrt() / (1.0 + z * z / n_f);
    json!({"rate": p, "ci95": [(centre - half).max(0.0), (centre + half).min(1.0)], "hits": hits, "runs": n})
}

fn count(runs: &[Run], f: impl Fn(&Run) -> Option<bool>) -> Value {
    let known: Vec<bool> = runs.iter().filter_map(f).collect();
    share(known.iter().filter(|b| **b).count(), known.len())
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

fn summary(truth: &Truth, runs: &[Run]) -> Value {
    let lift = truth.conversion_lift;
    let measured: Vec<f64> = runs.iter().filter_map(|r| r.frequentist.expected).collect();
    let (mean, sd) = mean_sd(&measured);
    let width = |f: fn(&Run) -> &app::wire::experiments::Readout| -> Option<f64> {
        let ws: Vec<f64> = runs
            .iter()
            .filter_map(|r| match f(r).ci {
                (Some(lo), Some(hi)) => Some(hi - lo),
                _ => None,
            })
            .collect();
        (!ws.is_empty()).then(|| ws.iter().sum::<f64>() / ws.len() as f64)
    };
    // The consistency the study relies on: Loupe's read-out counts exactly the visitors and buyers fed.
    let consistent = runs
        .iter()
        .filter(|r| {
            r.exposed == r.assigned
                && r.metric_arms.iter().map(|(n, _)| *n).collect::<Vec<_>>() == r.assigned
                && r.metric_arms.iter().map(|(_, b)| *b as u64).collect::<Vec<_>>() == r.converted
                && r.events_accepted == r.events_sent
        })
        .count();
    json!({
        "true_lift": lift,
        "measured_lift": {"mean": mean, "sd_across_runs": sd, "se_of_mean": sd / (measured.len() as f64).sqrt(),
                          "bias": mean - lift},
        "mean_ci_width": {"fixed": width(|r| &r.frequentist), "sequential": width(|r| &r.sequential)},
        "coverage": {
            "fixed": count(runs, |r| covers(&r.frequentist, lift)),
            "sequential": count(runs, |r| covers(&r.sequential, lift)),
        },
        "detected": {
            "fixed": count(runs, |r| detects(&r.frequentist)),
            "sequential": count(runs, |r| detects(&r.sequential)),
            "bayesian_95": count(runs, |r| r.bayesian.chance_to_win.map(|c| !(0.05..=0.95).contains(&c))),
        },
        "predicted_power": predicted_power(truth, runs),
        "srm_flagged": count(runs, |r| r.srm_p.map(|p| p < 0.001)),
        "runs_counting_exactly_what_was_fed": consistent,
        "runs": runs.len(),
    })
}

/// `experiments::stats::power` at the true effect, the control's true rate and the mean visitors of
/// a run, without and with the sequential tuning parameter the read-out uses.
fn predicted_power(truth: &Truth, runs: &[Run]) -> Value {
    let n_total =
        runs.iter().map(|r| r.assigned.iter().sum::<u64>() as f64).sum::<f64>() / runs.len().max(1) as f64;
    let power = |tuning: Option<f64>| -> Option<f64> {
        let input = json!({"metric": "proportion", "mean": truth.conversion[0], "effect": truth.conversion_lift,
                           "n_total": n_total, "variations": 2, "sequential_tuning_parameter": tuning});
        let input: experiments::stats::PowerInput = serde_json::from_value(input).ok()?;
        experiments::stats::power(&input).ok()
    };
    json!({"fixed": power(None), "sequential": power(Some(app::experiments::SEQUENTIAL_TUNING))})
}

/// The five queries whose pages move the true conversion most between the arms.
fn movers(brand: &Brand, shopper: &Shopper) -> Vec<Value> {
    let total: f64 = brand.queries.iter().map(|q| q.weight).sum();
    let diff = |q: &study::Query| {
        q.weight * (shopper.conversion(&q.pages[1]) - shopper.conversion(&q.pages[0])) / total
    };
    let all: f64 = brand.queries.iter().map(diff).sum();
    let mut qs: Vec<&study::Query> = brand.queries.iter().collect();
    qs.sort_by(|a, b| diff(b).abs().total_cmp(&diff(a).abs()));
    qs.iter()
        .take(5)
        .map(|q| {
            json!({"query": q.text, "searches": q.weight, "share_of_effect": diff(q) / all,
                   "conversion": [shopper.conversion(&q.pages[0]), shopper.conversion(&q.pages[1])]})
        })
        .collect()
}

fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

fn rate(v: &Value) -> String {
    let r = v["rate"].as_f64().unwrap_or(f64::NAN);
    let lo = v["ci95"][0].as_f64().unwrap_or(f64::NAN);
    let hi = v["ci95"][1].as_f64().unwrap_or(f64::NAN);
    format!("{:.3} [{lo:.3}, {hi:.3}] ({}/{})", r, v["hits"], v["runs"])
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let brand = study::build(&args.sim, dir.path(), args.top_queries)?;
    let shopper = Shopper { appeal: args.appeal, ..Shopper::default() };
    let truth = brand.truth(&shopper);
    if !args.json {
        let s = &brand.stats;
        println!(
            "brand: {} products, {} events, {} searches of {} distinct queries ({} used, covering {:.1}% of searches); \
             generated {:.1} s, imported {:.1} s, pages {:.1} s",
            s.products,
            s.events,
            s.searches,
            s.distinct_queries,
            s.queries_used,
            s.searches_covered * 100.0,
            s.generate_ms as f64 / 1000.0,
            s.import_ms as f64 / 1000.0,
            s.pages_ms as f64 / 1000.0
        );
        println!(
            "truth: conversion learned {:.5}, catalog_only {:.5}, relative lift {}; add to cart {:.5} / {:.5} ({}); \
             pages differ on {:.1}% of searches, relevant positions on {:.1}%; relevant per page {:.2} / {:.2}",
            truth.conversion[0],
            truth.conversion[1],
            pct(truth.conversion_lift),
            truth.add_to_cart[0],
            truth.add_to_cart[1],
            pct(truth.add_to_cart_lift),
            truth.pages_differ * 100.0,
            truth.relevant_positions_differ * 100.0,
            truth.relevant_per_page[0],
            truth.relevant_per_page[1]
        );
    }
    if !args.json {
        for m in movers(&brand, &shopper) {
            println!(
                "  {:>6.2}% of the effect: {:?} ({} searches): {:.3} -> {:.3}",
                m["share_of_effect"].as_f64().unwrap_or(0.0) * 100.0,
                m["query"].as_str().unwrap_or(""),
                m["searches"],
                m["conversion"][0].as_f64().unwrap_or(0.0),
                m["conversion"][1].as_f64().unwrap_or(0.0)
            );
        }
    }
    for text in &args.show {
        let Some(q) = brand.queries.iter().find(|q| q.text == *text) else {
            println!("{text:?}: not one of the simulated queries");
            continue;
        };
        println!("{text:?} ({} searches):", q.weight);
        for (ranking, page) in study::ARMS.iter().zip(&q.pages) {
            let shown: Vec<String> =
                page.iter().map(|s| format!("{}{}", if s.relevant { "*" } else { "" }, s.handle)).collect();
            println!("  {:>12}: {}", ranking.as_str(), shown.join(" "));
        }
    }
    let mut runs = Vec::with_capacity(args.runs);
    for k in 0..args.runs {
        let cfg = RunConfig {
            key: format!("ranking-{k}"),
            visitors: args.visitors,
            seed: 1_000 + k as u64,
            starts_at: study::start_of(k),
        };
        let r = study::run(&brand, &shopper, &cfg)?;
        if !args.json {
            let f = &r.frequentist;
            let s = &r.sequential;
            let show = |x: Option<f64>| x.map_or("open".to_string(), pct);
            println!(
                "{:>11}: arms {:?}, buyers {:?}; lift {} fixed [{}, {}] p={:.4} {}; sequential [{}, {}] {}; {} ms",
                r.key,
                r.exposed,
                r.converted,
                f.expected.map_or("-".into(), pct),
                show(f.ci.0),
                show(f.ci.1),
                f.p_value.unwrap_or(f64::NAN),
                if covers(f, truth.conversion_lift) == Some(true) { "covers" } else { "MISSES" },
                show(s.ci.0),
                show(s.ci.1),
                if covers(s, truth.conversion_lift) == Some(true) { "covers" } else { "MISSES" },
                r.ms
            );
        }
        runs.push(r);
    }
    let summary = summary(&truth, &runs);
    let total_s = started.elapsed().as_secs_f64();
    if args.json {
        let out = json!({
            "config": {"sim": {"seed": args.sim.seed, "products": args.sim.products, "customers": args.sim.customers,
                               "days": args.sim.days}, "runs": args.runs, "visitors": args.visitors,
                       "top_queries": args.top_queries, "page": study::PAGE,
                       "shopper": {"click_top": shopper.click_top, "decay": shopper.decay,
                                   "base_relevance": shopper.base_relevance, "cart": shopper.cart, "buy": shopper.buy,
                                   "appeal": shopper.appeal},
                       "arms": study::ARMS.iter().map(|r| r.as_str()).collect::<Vec<_>>()},
            "brand": brand.stats,
            "truth": truth,
            "queries_moving_the_effect": movers(&brand, &shopper),
            "summary": summary,
            "runs": runs,
            "seconds": total_s,
        });
        println!("{out}");
    } else {
        println!(
            "true lift {}; measured mean {} (sd across runs {}); mean CI width fixed {:.4}, sequential {:.4}",
            pct(truth.conversion_lift),
            pct(summary["measured_lift"]["mean"].as_f64().unwrap_or(f64::NAN)),
            pct(summary["measured_lift"]["sd_across_runs"].as_f64().unwrap_or(f64::NAN)),
            summary["mean_ci_width"]["fixed"].as_f64().unwrap_or(f64::NAN),
            summary["mean_ci_width"]["sequential"].as_f64().unwrap_or(f64::NAN)
        );
        println!("coverage of the true lift: fixed {}", rate(&summary["coverage"]["fixed"]));
        println!("                           sequential {}", rate(&summary["coverage"]["sequential"]));
        println!("detected (CI excludes 0):  fixed {}", rate(&summary["detected"]["fixed"]));
        println!("                           sequential {}", rate(&summary["detected"]["sequential"]));
        println!("                           bayesian {}", rate(&summary["detected"]["bayesian_95"]));
        println!(
            "power predicted by experiments::stats::power: fixed {:.3}, sequential {:.3}",
            summary["predicted_power"]["fixed"].as_f64().unwrap_or(f64::NAN),
            summary["predicted_power"]["sequential"].as_f64().unwrap_or(f64::NAN)
        );
        println!(
            "runs whose results count exactly the visitors, buyers and events fed: {}/{}; SRM flagged {}",
            summary["runs_counting_exactly_what_was_fed"],
            summary["runs"],
            rate(&summary["srm_flagged"])
        );
        println!("{:.1} s in all", total_s);
    }
    Ok(())
}

//! `loupe quality`: the data-quality report over the stored catalog: what the
//! normalization found (coverage per attribute) and every problem, with the
//! product and the source line.

use std::path::Path;

use app::wire::quality::QualityReportOut;

use super::products::push_line;
use super::Opened;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Issues listed in the text report (JSON lists up to 5,000).
    #[arg(long, default_value_t = 30)]
    pub limit: usize,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let mut o = String::new();
    let result = run_into(&mut o, data, args);
    crate::out::write_str(&o);
    result
}

fn run_into(o: &mut String, data: &Path, args: Args) -> anyhow::Result<()> {
    let report: QualityReportOut = match super::open(data)? {
        Opened::Local(app) => app::catalog::quality(&app.engines)?,
        Opened::Server(server) => server.get_json("/v1/quality")?,
    };
    if args.json {
        push_line!(o, "{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(o, &report, args.limit);
    }
    Ok(())
}

fn print_report(o: &mut String, r: &QualityReportOut, limit: usize) {
    if r.products == 0 {
        push_line!(o, "The catalog is empty: import one with `loupe import catalog FILE`.");
        return;
    }
    push_line!(o, "{} products, {} variants", r.products, r.variants);
    let pct = |n: usize| (n * 100 + r.products / 2) / r.products;
    let coverage: Vec<String> = r.coverage.iter().map(|(k, v)| format!("{k} {}%", pct(*v))).collect();
    push_line!(o, "  coverage    {}", coverage.join(", "));
    let top = |m: &std::collections::BTreeMap<String, usize>| {
        let mut v: Vec<_> = m.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
    };
    push_line!(o, "  categories  {}", top(&r.categories));
    if !r.metals.is_empty() {
        push_line!(o, "  metals      {}", top(&r.metals));
    }
    if r.issues_total == 0 {
        push_line!(o, "  issues      none");
        return;
    }
    let mut counts: Vec<_> = r.issue_counts.iter().collect();
    counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let counts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    push_line!(o, "  issues      {} ({})", r.issues_total, counts.join(", "));
    for i in r.issues.iter().take(limit) {
        let at = i.issue.line.map(|l| format!("line {l}")).unwrap_or_default();
        push_line!(
            o,
            "    {at:>10}  {:<24} {:<7} {:<22} {}",
            i.handle.as_deref().unwrap_or("-"),
            i.issue.severity,
            i.issue.code,
            i.issue.message
        );
    }
    if r.issues_total > limit {
        push_line!(o, "    ... {} more (--limit N, or --json)", r.issues_total - limit);
    }
}

//! `loupe eval risk --truth FILE`: the return-abuse bands against a truth
//! file (the demo brand's `ground_truth/customers.jsonl`), on the held-out
//! half of the customers (by a hash of their id) and, beside it, the other
//! half, each with the baseline rule in the same run.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cmd::Opened;
use crate::out::outln;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// JSON Lines with `id`, `serial_returner`, `bracketer` per customer.
    #[arg(long)]
    truth: PathBuf,
    #[arg(long)]
    json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let Opened::Local(app) = crate::cmd::open(data)? else {
        anyhow::bail!("`loupe eval risk` reads the store itself: stop the running server first");
    };
    let mut out = Vec::new();
    for half in ["held_out", "tuning"] {
        let file = std::fs::File::open(&args.truth)
            .with_context(|| format!("Failed to open {}", args.truth.display()))?;
        out.push(app::risk::evaluate(&app, std::io::BufReader::new(file), half)?);
    }
    if args.json {
        outln!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    for e in &out {
        outln!(
            "{} ({} customers, {} serial returners or bracketers, {} loyal with 5+ orders):",
            if e.half == "held_out" { "held out" } else { "other half" },
            e.customers,
            e.abusers,
            e.loyal
        );
        outln!(
            "  review or hold: precision {:.3} recall {:.3} (serial returners {:.3}, bracketers {:.3}); hold: precision {:.3} recall {:.3}",
            e.flagged_precision,
            e.flagged_recall,
            e.serial_returner_recall,
            e.bracketer_recall,
            e.hold_precision,
            e.hold_recall
        );
        outln!(
            "  of the {} whose orders show it (2+ returns, or several sizes of one piece in an order): recall {:.3}",
            e.detectable,
            e.detectable_recall
        );
        outln!("  loyal customers flagged: {:.3}", e.loyal_false_positive_rate);
        outln!(
            "  baseline (return rate over twice the store's, 2+ returns): precision {:.3} recall {:.3}, loyal flagged {:.3}",
            e.baseline_precision,
            e.baseline_recall,
            e.baseline_loyal_false_positive_rate
        );
    }
    Ok(())
}

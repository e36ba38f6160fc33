//! `loupe eval merch --truth DIR [--cut DATE]`: merchandising against the
//! demo brand's ground truth. Everything Loupe learns is read from the data
//! before the cut; the truth of behaviour (which products gift and bridal
//! sessions bought, what sold in the season) from the days after it.

use std::path::{Path, PathBuf};

use crate::cmd::Opened;
use crate::out::outln;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The demo's `ground_truth` directory (products.jsonl, sessions.csv).
    #[arg(long)]
    truth: PathBuf,
    /// Learn from the days before this one (YYYY-MM-DD).
    #[arg(long, default_value = "2025-07-01")]
    cut: chrono::NaiveDate,
    /// Read the truth up to this day (default: to the end of the data).
    #[arg(long)]
    until: Option<chrono::NaiveDate>,
    /// The blend the replay ranks with (`sales:1,conversion:0.2`); default: Loupe's default blend.
    #[arg(long)]
    weights: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let Opened::Local(app) = crate::cmd::open(data)? else {
        anyhow::bail!("`loupe eval merch` reads the store itself: stop the running server first");
    };
    let weights = match &args.weights {
        Some(w) => merch::Weights::parse(w).map_err(|e| anyhow::anyhow!("--weights: {e}"))?,
        None => merch::Weights::default(),
    };
    let e = app::merch::evaluate(&app, &args.truth, args.cut, args.until, &weights)?;
    if args.json {
        outln!("{}", serde_json::to_string(&e)?);
        return Ok(());
    }
    outln!(
        "Learnt before {}; truth from then to {}; blend {}.",
        e.cut,
        e.until.as_deref().unwrap_or("the end of the data"),
        e.weights
    );
    outln!("Intent membership (precision, recall; base rate = the truth's share of the catalog):");
    for i in &e.intents {
        outln!(
            "  {:<11} P {:.3} R {:.3}  members {:>4}  truth {:>4}  base {:.3}  ({})",
            i.intent,
            i.precision,
            i.recall,
            i.members,
            i.truth_size,
            i.base_rate,
            i.truth
        );
    }
    let b = &e.bundles;
    outln!(
        "Bundles: {} proposed; same true collection {:.3} (random cross-category pairs {:.3}); bought together after the cut {:.3} (random sample {:.3})",
        b.proposed, b.same_true_collection, b.same_true_collection_random, b.bought_together_after, b.bought_together_after_random
    );
    let r = &e.replay;
    outln!(
        "Replay over {} categories: share of the season's units sold by the first row ({} pieces): re-ranked {:.3}, catalog order {:.3} ({:.2}x), best sellers before the cut {:.3} ({:.2}x)",
        r.categories, r.row, r.first_row_share_reranked, r.first_row_share_catalog_order, r.ratio_to_catalog_order,
        r.first_row_share_bestsellers, r.ratio_to_bestsellers
    );
    Ok(())
}

//! Loupe's recommendation engine: several models trained from the catalog,
//! the orders and the storefront events, blended per surface, filtered by
//! business rules and explained item by item.
//!
//! The engine does no IO. [`Recommender::train`] takes model values and a
//! [`TrainConfig`] (which carries the clock) and returns an immutable,
//! `Send + Sync` value that answers [`Request`]s in well under a millisecond.
//! The server keeps one in memory and swaps in a retrained one when data
//! changes; forgetting a customer is a retrain without their data.
//!
//! The models, each in its own module:
//! - `cooc`: item-to-item co-occurrence in orders, sessions and customers'
//!   histories, with time decay ("bought together with X in 132 orders");
//! - `als`: implicit-feedback matrix factorisation (conjugate-gradient ALS,
//!   f32, threads over `std::thread::scope`), with fold-in for carts and
//!   sessions that were not seen in training;
//! - `content`: similarity over normalized attributes (collection, stone,
//!   metal, style, category, price band, gender, title words) and the
//!   "complete the set" relation between complementary categories;
//! - `trend`: recency-weighted popularity, growth and the seasonal calendar;
//! - the customer's own history (repeat purchases of repeatable items, price
//!   comfort band, gender) in `profile`.
//!
//! `rank` blends them per context and applies the rules (purchasable only,
//! nothing already bought unless repeatable, price band, gender, diversity).
//! `gift` parses a free-text gift brief. `eval` measures all of it on a
//! temporal split of orders; `holdout` tunes the blend on a validation window
//! and scores a final holdout once, beside simple baselines.

mod als;
mod content;
mod cooc;
pub mod eval;
mod gift;
pub mod holdout;
mod items;
mod knn;
mod profile;
mod rank;
mod trend;

use std::collections::HashMap;

use model::{Event, OrderLine, Product, ProductId};

pub use als::AlsConfig;
pub use gift::{parse_brief, Budget, GiftBrief, Occasion, Recipient};
pub use items::minimal_products;

/// How to train. `now` is the clock (Unix seconds): nothing in the engine
/// reads the system time.
#[derive(Clone, Debug)]
pub struct TrainConfig {
    pub now: i64,
    /// Interactions lose half their weight after this many days.
    pub half_life_days: f32,
    pub als: AlsConfig,
    /// Co-occurrence neighbours kept per item.
    pub neighbours: usize,
    /// Larger orders and histories are cut to their most recent items before
    /// pair counting (a 500-line wholesale order says little about pairs).
    pub max_group: usize,
    /// Nearest customers consulted by the customer-to-customer model.
    pub knn: usize,
    /// A product is repeatable (may be recommended again to who bought it)
    /// when at least this share of its buyers bought it in two orders.
    pub repeat_ratio: f32,
    /// Scale each customer's repeat-purchase signal by how often they, more
    /// or less than the catalog's customers at large, buy a product again
    /// (their share of products bought in two orders or more, shrunk toward
    /// the catalog's share).
    pub rebuy_by_customer: bool,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            now: 0,
            half_life_days: 120.0,
            als: AlsConfig::default(),
            neighbours: 150,
            max_group: 60,
            knn: 50,
            repeat_ratio: 0.05,
            rebuy_by_customer: true,
        }
    }
}

impl TrainConfig {
    pub fn at(now: i64) -> TrainConfig {
        TrainConfig { now, ..TrainConfig::default() }
    }
}

/// What the recommendations are for.
#[derive(Clone, Debug, PartialEq)]
pub enum Context {
    /// A product page: similar pieces, complete the set, bought together.
    Product(ProductId),
    /// "For you": a known customer's history.
    Customer(String),
    /// A cart of SKUs (or handles): bought together and add-ons.
    Cart(Vec<String>),
    /// A browsing session: `recent` product handles (or SKUs), oldest first.
    /// When `recent` is empty the session's events seen in training are used.
    Session { id: Option<String>, recent: Vec<String> },
    /// The gift finder.
    Gift(GiftBrief),
    /// Trending now, aware of the season.
    Trending,
}

#[derive(Clone, Debug)]
pub struct Request {
    pub context: Context,
    pub limit: usize,
    /// Unix seconds; `None` means the training clock.
    pub now: Option<i64>,
}

impl Request {
    pub fn new(context: Context, limit: usize) -> Request {
        Request { context, limit, now: None }
    }
}

/// Which evidence a reason rests on. `as_str` is the wire value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    BoughtTogether,
    ViewedTogether,
    SimilarCustomers,
    Similar,
    CompleteTheSet,
    Preference,
    Session,
    Repeat,
    Popular,
    Trending,
    Season,
    PriceBand,
    Budget,
    Recipient,
    Occasion,
}

impl Signal {
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::BoughtTogether => "bought_together",
            Signal::ViewedTogether => "viewed_together",
            Signal::SimilarCustomers => "similar_customers",
            Signal::Similar => "similar",
            Signal::CompleteTheSet => "complete_the_set",
            Signal::Preference => "preference",
            Signal::Session => "session",
            Signal::Repeat => "repeat_purchase",
            Signal::Popular => "popular",
            Signal::Trending => "trending",
            Signal::Season => "season",
            Signal::PriceBand => "price_band",
            Signal::Budget => "budget",
            Signal::Recipient => "recipient",
            Signal::Occasion => "occasion",
        }
    }
}

/// One readable reason and its share of the item's score.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    pub signal: Signal,
    pub detail: String,
    pub contribution: f32,
}

/// One recommended product.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub product_id: ProductId,
    pub handle: String,
    pub title: String,
    /// The purchasable variants' SKUs.
    pub skus: Vec<String>,
    pub score: f32,
    pub why: Vec<Reason>,
}

/// The models' blend weights. Zero turns a model off; `eval` uses that to
/// measure each model alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub cooc: f32,
    pub als: f32,
    /// Customers with similar baskets (user-to-user neighbours).
    pub neighbours: f32,
    pub content: f32,
    /// Complete the set (complementary categories of what was seen).
    pub set: f32,
    pub repeat: f32,
    pub popular: f32,
    pub trend: f32,
    /// Strength of the diversity penalty (0 = none, 1 = strong).
    pub diversity: f32,
    /// Whether business rules (already bought, price band, gender) apply.
    pub rules: bool,
}

impl Weights {
    /// The blend for a known customer, tuned on temporal splits of the
    /// online-retail orders and the demo brand (see BENCHMARKS.md). The
    /// popularity weight grows for customers with few purchases.
    pub const CUSTOMER: Weights = Weights {
        cooc: 0.1,
        als: 0.1,
        neighbours: 0.3,
        content: 0.05,
        set: 0.1,
        repeat: 1.0,
        popular: 0.05,
        trend: 0.02,
        diversity: 0.1,
        rules: true,
    };

    /// Only one model, no rules and no diversity: for evaluation.
    pub fn only(model: Model) -> Weights {
        let mut w = Weights {
            cooc: 0.0,
            als: 0.0,
            neighbours: 0.0,
            content: 0.0,
            set: 0.0,
            repeat: 0.0,
            popular: 0.0,
            trend: 0.0,
            diversity: 0.0,
            rules: false,
        };
        match model {
            Model::Cooc => w.cooc = 1.0,
            Model::Als => w.als = 1.0,
            Model::Neighbours => w.neighbours = 1.0,
            Model::Content => w.content = 1.0,
            Model::Repeat => w.repeat = 1.0,
            Model::Popular => w.popular = 1.0,
            Model::Trend => w.trend = 1.0,
        }
        w
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Cooc,
    Als,
    Neighbours,
    Content,
    Repeat,
    Popular,
    Trend,
}

impl Model {
    pub const ALL: [Model; 7] = [
        Model::Popular,
        Model::Trend,
        Model::Repeat,
        Model::Cooc,
        Model::Als,
        Model::Neighbours,
        Model::Content,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Model::Cooc => "cooccurrence",
            Model::Als => "als",
            Model::Neighbours => "customer_knn",
            Model::Content => "content",
            Model::Repeat => "repeat",
            Model::Popular => "popularity",
            Model::Trend => "trend",
        }
    }
}

/// Sizes of what was trained, for logs and benchmarks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainStats {
    pub items: usize,
    pub purchasable: usize,
    pub customers: usize,
    pub interactions: usize,
    pub cooc_pairs: usize,
    pub als_seconds: f32,
    pub cooc_seconds: f32,
    pub total_seconds: f32,
}

/// A trained recommender. Immutable; share it behind an `Arc`.
pub struct Recommender {
    pub(crate) now: i64,
    pub(crate) items: items::Items,
    pub(crate) users: profile::Users,
    pub(crate) sessions: HashMap<String, Vec<u32>>,
    pub(crate) cooc: cooc::Cooc,
    pub(crate) als: als::Factors,
    pub(crate) knn: knn::UserKnn,
    /// Per item: distinct buyers, and buyers who bought it in two orders.
    pub(crate) repeat_stats: Vec<(u32, u32)>,
    /// The catalog's share of (customer, product) purchases made in two
    /// orders or more; `None` when repeat signals are not scaled per customer.
    pub(crate) rebuy_rate: Option<f32>,
    pub(crate) content: content::Content,
    pub(crate) trend: trend::Trend,
    pub(crate) stats: TrainStats,
}

impl Recommender {
    /// Trains every model. Order lines for SKUs no product knows are
    /// skipped (the store creates minimal products for them on import, and
    /// [`minimal_products`] does the same for files read outside the store).
    pub fn train(
        products: &[Product],
        lines: &[OrderLine],
        events: &[Event],
        cfg: &TrainConfig,
    ) -> Recommender {
        let mut sorted: Vec<&Event> = events.iter().collect();
        sorted.sort_by_key(|e| e.at);
        rank::train(products, lines, sorted, cfg)
    }

    /// [`Recommender::train`] on events already in time order (the store's
    /// order), consumed in one pass: the events need not fit in memory.
    pub fn train_sorted<E: std::borrow::Borrow<Event>>(
        products: &[Product],
        lines: &[OrderLine],
        events: impl IntoIterator<Item = E>,
        cfg: &TrainConfig,
    ) -> Recommender {
        rank::train(products, lines, events, cfg)
    }

    pub fn recommend(&self, req: &Request) -> Vec<Item> {
        self.recommend_with(req, None)
    }

    /// As [`Recommender::recommend`] with explicit blend weights (`None` is
    /// the context's own blend).
    pub fn recommend_with(&self, req: &Request, weights: Option<&Weights>) -> Vec<Item> {
        rank::recommend(self, req, weights)
    }

    /// Finds a product by numeric id, handle or variant SKU.
    pub fn resolve_product(&self, key: &str) -> Option<ProductId> {
        self.items.resolve(key).map(|i| self.items.info[i as usize].id)
    }

    pub fn knows_customer(&self, id: &str) -> bool {
        self.users.index.contains_key(id)
    }

    /// Whether training saw this session recently enough to remember its
    /// items (sessions that ended within 30 days of the training clock).
    pub fn knows_session(&self, id: &str) -> bool {
        self.sessions.get(id).is_some_and(|s| !s.is_empty())
    }

    pub fn stats(&self) -> &TrainStats {
        &self.stats
    }

    /// The training clock, Unix seconds.
    pub fn trained_at(&self) -> i64 {
        self.now
    }
}

#[cfg(test)]
mod tests;

//! Recommendations in the web shell: the product page's "Complete the set"
//! and "You may also like", the home page's "Trending now", the gift finder
//! (`/gifts`) and the back-office page `/admin/recommendations` (model
//! statistics, trending, and a preview of any context with its reasons).
//!
//! A shopper's page never waits long for the model and never fails because
//! of it: [`model`] gives up after a short wait (training goes on in the
//! background and fills the cache for the next page) and every error simply
//! leaves the section out. The bag's "Pairs well with" is rendered by
//! [`super::cart`], which its script asks, since the bag lives in the browser.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use maud::{html, Markup};
use model::Product;
use recs::{Context, Item, Reason, Recommender, Request, Signal};
use serde::Deserialize;

use super::{
    art, capitalize, fmt_price, group_thousands, is_shoppable, materials_line, page, shop_page, url_encode,
    PageQuery, PageResult,
};
use crate::blocking;
use crate::state::AppState;

/// How long a storefront page waits for a model that is being trained.
pub(crate) const SHOP_WAIT: Duration = Duration::from_millis(1500);
/// The back-office waits longer: it is there to look at the model.
const ADMIN_WAIT: Duration = Duration::from_secs(20);

/// The trained recommender, or `None` when it is not ready within `wait` or
/// training failed. The first call starts training in the background (once,
/// however many pages ask); a page polls for it and gives up after `wait`.
pub(crate) async fn model(state: &AppState, wait: Duration) -> Option<Arc<Recommender>> {
    let started = std::time::Instant::now();
    loop {
        let engines = state.app.engines.clone();
        match blocking(move || Ok(engines.recs_if_ready()?)).await {
            Ok(Some(model)) => return Some(model),
            Ok(None) if started.elapsed() < wait => tokio::time::sleep(Duration::from_millis(50)).await,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "recommendations unavailable for a page");
                return None;
            }
        }
    }
}

/// Recommendations for a page: `None` when the model is not ready or the
/// context cannot be built (an unknown product).
pub(crate) async fn recommend(
    state: &AppState,
    wait: Duration,
    limit: usize,
    context: impl FnOnce(&Recommender) -> Option<Context> + Send + 'static,
) -> Option<(Arc<Recommender>, Context, Vec<Item>)> {
    let model = model(state, wait).await?;
    blocking(move || {
        let Some(ctx) = context(&model) else { return Ok(None) };
        let list = model.recommend(&Request::new(ctx.clone(), limit));
        Ok(Some((model, ctx, list)))
    })
    .await
    .ok()
    .flatten()
}

/// The reason a shopper reads under a card: the strongest one.
pub(crate) fn top_reason(item: &Item) -> Vec<&Reason> {
    item.why.iter().max_by(|a, b| a.contribution.total_cmp(&b.contribution)).into_iter().collect()
}

/// A gift's reasons: the strongest, and the strongest about the recipient
/// or the occasion when that is another one (the price shows the budget).
fn gift_reasons(item: &Item) -> Vec<&Reason> {
    let mut out = top_reason(item);
    let personal = item
        .why
        .iter()
        .filter(|r| matches!(r.signal, Signal::Recipient | Signal::Occasion))
        .max_by(|a, b| a.contribution.total_cmp(&b.contribution));
    if let Some(r) = personal {
        if out.first().is_none_or(|top| top.signal != r.signal) {
            out.push(r);
        }
    }
    out
}

/// A sentence from an engine's reason, capitalised. Under the heading
/// "Complete the set" the engine's own "completes the set: " says nothing new.
pub(crate) fn readable(detail: &str) -> String {
    let detail = detail.trim();
    capitalize(detail.strip_prefix("completes the set: ").unwrap_or(detail))
}

/// A reason in the shopper's voice. The API's `why` and the back-office
/// keep the merchandiser's numbers ("bought together in 14 orders", "sales
/// up 300%"); a shopper reads plain words and never a sales count. Reasons
/// about the piece itself (similar, completes the set, your budget) are
/// already plain and pass through.
pub(crate) fn shopper_words(r: &Reason) -> String {
    let detail = readable(&r.detail);
    let plain = match r.signal {
        Signal::BoughtTogether => Some(together(&detail, "Often bought together with")),
        Signal::ViewedTogether => Some(together(&detail, "Often viewed with")),
        Signal::Popular => Some("A customer favourite".to_string()),
        Signal::Trending => Some("Trending now".to_string()),
        Signal::Season => Some("A favourite this season".to_string()),
        Signal::Repeat => Some("You have ordered this before".to_string()),
        _ => None,
    };
    match plain {
        Some(text) => text,
        // Prices and sizes are the shopper's own numbers; any other count is ours.
        None if matches!(r.signal, Signal::Budget | Signal::PriceBand) => detail,
        None if detail.chars().any(|c| c.is_ascii_digit()) => "Picked for you".to_string(),
        None => detail,
    }
}

/// "Often bought together with the Pearl Studs" from "Bought together with
/// the Pearl Studs in 14 orders" (the count is the merchandiser's).
fn together(detail: &str, lead: &str) -> String {
    let what = detail
        .split_once(" with ")
        .map(|(_, rest)| rest.rsplit_once(" in ").map_or(rest, |(w, _)| w))
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()));
    match what {
        Some(w) => format!("{lead} {w}"),
        None => format!("{lead} this"),
    }
}

/// A storefront card with the reasons it is shown (one, or two for gifts).
pub(crate) fn card(p: &Product, reasons: &[&Reason]) -> Markup {
    html! {
        li class="card" {
            a href={ "/p/" (url_encode(&p.handle)) } {
                span class="art" { (art::product_art(p, None)) }
                div class="title" { (p.shown_title()) }
                div class="meta" { (materials_line(p)) }
                div class="price" { (fmt_price(p)) }
            }
            @for r in reasons {
                p class="reason" data-signal=(r.signal.as_str()) { (shopper_words(r)) }
            }
        }
    }
}

/// A section of recommended cards, or nothing when there are none.
pub(crate) fn section(id: &str, heading: &str, note: &str, cards: &[(&Product, Vec<&Reason>)]) -> Markup {
    html! {
        @if !cards.is_empty() {
            section class="section recs" id=(id) aria-labelledby={ (id) "-h" } {
                div class="section-head" {
                    h2 id={ (id) "-h" } { (heading) }
                    @if !note.is_empty() {
                        span class="muted" { (note) }
                    }
                }
                ul class="grid" { @for (p, r) in cards { (card(p, r)) } }
            }
        }
    }
}

fn by_id(products: &[Product]) -> HashMap<model::ProductId, &Product> {
    products.iter().filter(|p| is_shoppable(p)).map(|p| (p.id, p)).collect()
}

/// The product page's two sections: pieces that complete the set (with that
/// reason) and the other recommendations (with their strongest reason).
pub(crate) async fn product_sections(state: &AppState, products: &[Product], product: &Product) -> Markup {
    let handle = product.handle.clone();
    let Some((_, _, list)) =
        recommend(state, SHOP_WAIT, 12, move |m| m.resolve_product(&handle).map(Context::Product)).await
    else {
        return html! {};
    };
    let known = by_id(products);
    let mut set = Vec::new();
    let mut like = Vec::new();
    for item in &list {
        let Some(p) = known.get(&item.product_id).copied() else { continue };
        if p.id == product.id {
            continue;
        }
        match item.why.iter().find(|r| r.signal == Signal::CompleteTheSet) {
            Some(r) if set.len() < 4 => set.push((p, vec![r])),
            _ if like.len() < 4 => like.push((p, top_reason(item))),
            _ => {}
        }
    }
    html! {
        (section("complete-the-set", "Complete the set", "Made to be worn together", &set))
        (section("recommendations", "You may also like", "", &like))
    }
}

/// The home page's "Trending now".
pub(crate) async fn trending_section(state: &AppState, products: &[Product]) -> Markup {
    let Some((_, _, list)) = recommend(state, SHOP_WAIT, 8, |_| Some(Context::Trending)).await else {
        return html! {};
    };
    let known = by_id(products);
    let cards: Vec<_> =
        list.iter().filter_map(|i| known.get(&i.product_id).map(|p| (*p, top_reason(i)))).take(4).collect();
    section("trending", "Trending now", "What shoppers are choosing this season", &cards)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct GiftParams {
    #[serde(default)]
    brief: Option<String>,
    #[serde(default)]
    recipient: Option<String>,
    #[serde(default)]
    occasion: Option<String>,
    #[serde(default)]
    budget: Option<String>,
}

const RECIPIENTS: &[(&str, &str)] = &[
    ("", "Anyone"),
    ("mom", "Mother"),
    ("dad", "Father"),
    ("wife", "Wife"),
    ("husband", "Husband"),
    ("girlfriend", "Girlfriend"),
    ("boyfriend", "Boyfriend"),
    ("partner", "Partner"),
    ("sister", "Sister"),
    ("brother", "Brother"),
    ("daughter", "Daughter"),
    ("son", "Son"),
    ("grandmother", "Grandmother"),
    ("friend", "Friend"),
    ("myself", "Myself"),
];

const OCCASIONS: &[(&str, &str)] = &[
    ("", "Any occasion"),
    ("birthday", "Birthday"),
    ("anniversary", "Anniversary"),
    ("valentines", "Valentine's Day"),
    ("mothers day", "Mother's Day"),
    ("fathers day", "Father's Day"),
    ("holidays", "The holidays"),
    ("graduation", "Graduation"),
    ("wedding", "Wedding"),
    ("engagement", "Engagement"),
    ("thank you", "A thank-you"),
];

impl GiftParams {
    fn field(v: &Option<String>) -> &str {
        v.as_deref().map(str::trim).unwrap_or("")
    }

    /// The brief for the engine: the free text when given, else the
    /// form's choices written as a sentence ("for mom birthday under 200").
    fn brief(&self) -> String {
        let free = Self::field(&self.brief);
        if !free.is_empty() {
            return free.chars().take(300).collect();
        }
        let mut words = Vec::new();
        let recipient = Self::field(&self.recipient);
        if RECIPIENTS.iter().any(|(v, _)| !v.is_empty() && *v == recipient) {
            words.push(format!("for {recipient}"));
        }
        let occasion = Self::field(&self.occasion);
        if OCCASIONS.iter().any(|(v, _)| !v.is_empty() && *v == occasion) {
            words.push(occasion.to_string());
        }
        let budget: String =
            Self::field(&self.budget).chars().filter(|c| c.is_ascii_digit() || *c == '.').take(12).collect();
        if budget.parse::<f64>().is_ok_and(|b| b > 0.0) {
            words.push(format!("under {budget}"));
        }
        words.join(", ")
    }
}

fn select(name: &str, label: &str, options: &[(&str, &str)], chosen: &str) -> Markup {
    html! {
        label {
            (label)
            select name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[*value == chosen] { (text) }
                }
            }
        }
    }
}

/// What the engine understood of a brief, as chips.
fn understood(brief: &recs::GiftBrief) -> Vec<String> {
    let mut chips = Vec::new();
    if let Some(r) = brief.recipient {
        chips.push(format!("For your {}", r.as_str()));
    }
    if let Some(o) = brief.occasion {
        chips.push(capitalize(&o.as_str().replace("s_day", "'s day").replace('_', " ")));
    }
    if let Some(b) = brief.budget {
        let money = |x: f64| format!("${}", group_thousands(x.round() as u64));
        match (b.min, b.max) {
            (Some(lo), Some(hi)) => chips.push(format!("{} to {}", money(lo), money(hi))),
            (None, Some(hi)) => chips.push(format!("Under {}", money(hi))),
            (Some(lo), None) => chips.push(format!("Over {}", money(lo))),
            (None, None) => {}
        }
    }
    chips
}

/// `/gifts`: the gift finder.
pub(crate) async fn gifts_page(
    State(state): State<AppState>,
    PageQuery(params): PageQuery<GiftParams>,
) -> PageResult {
    let (products, shop) = super::storefront::load(&state).await?;
    let brief = params.brief();
    let head = html! {
        nav class="crumbs" aria-label="Breadcrumb" {
            ol { li { a href="/" { "Home" } } li aria-current="page" { "Gift finder" } }
        }
        div class="page-head" {
            h1 { "Find a gift" }
            p { "Tell us who it is for, the occasion and your budget, or write it in your own words." }
        }
        form class="gift-form" method="get" action="/gifts" {
            label class="wide" {
                "In your own words"
                input type="text" name="brief" value=(GiftParams::field(&params.brief))
                    placeholder="for mom, under 200" maxlength="300";
            }
            p class="or muted small" { "or choose" }
            (select("recipient", "For", RECIPIENTS, GiftParams::field(&params.recipient)))
            (select("occasion", "Occasion", OCCASIONS, GiftParams::field(&params.occasion)))
            label {
                "Budget up to"
                input type="number" name="budget" min="1" step="1" inputmode="numeric"
                    value=(GiftParams::field(&params.budget)) placeholder="200";
            }
            button class="button" type="submit" { "Show ideas" }
        }
    };
    if brief.is_empty() {
        let body = html! {
            div class="wrap" {
                (head)
                p class="muted" {
                    "Try " a href="/gifts?brief=for+mom%2C+under+200" { "for mom, under 200" } ", "
                    a href="/gifts?brief=anniversary+gift+for+my+wife" { "anniversary gift for my wife" } " or "
                    a href="/gifts?brief=graduation+present+for+my+son" { "graduation present for my son" } "."
                }
            }
        };
        return Ok(shop_page(&shop, "Gift finder", "", "", body));
    }
    let b = brief.clone();
    let result =
        recommend(&state, SHOP_WAIT * 4, 12, move |_| Some(Context::Gift(recs::parse_brief(&b)))).await;
    let Some((_, ctx, list)) = result else {
        let body = html! {
            div class="wrap" {
                (head)
                p class="placeholder" { "Our gift ideas are being prepared. Please try again in a moment." }
            }
        };
        return Ok(shop_page(&shop, "Gift finder", "", "", body));
    };
    let chips = match &ctx {
        Context::Gift(g) => understood(g),
        _ => Vec::new(),
    };
    let known = by_id(&products);
    let cards: Vec<_> =
        list.iter().filter_map(|i| known.get(&i.product_id).map(|p| (*p, gift_reasons(i)))).take(8).collect();
    let body = html! {
        div class="wrap" {
            (head)
            @if !chips.is_empty() {
                ul class="chips" aria-label="What we understood" { @for c in &chips { li { (c) } } }
            }
            @if cards.is_empty() {
                p class="placeholder" { "Nothing fits that brief yet. Try a larger budget or another occasion." }
            } @else {
                (section("gift-ideas", "Gift ideas", &format!("A shortlist for \u{201c}{brief}\u{201d}"), &cards))
            }
        }
    };
    Ok(shop_page(&shop, "Gift finder", "", "", body))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PreviewParams {
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    customer: Option<String>,
    #[serde(default)]
    gift: Option<String>,
}

/// "21:55" and "trained Nov 23, 2026 (UTC)" for the statistics tile.
fn fmt_trained(secs: i64) -> (String, String) {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| (t.format("%H:%M").to_string(), t.format("trained %b %-d, %Y (UTC)").to_string()))
        .unwrap_or_else(|| ("?".into(), "trained at an unknown time".into()))
}

/// A table of recommendations with every reason and its contribution.
fn preview_table(products: &HashMap<model::ProductId, &Product>, list: &[Item]) -> Markup {
    html! {
        @if list.is_empty() {
            p class="muted" { "No recommendations for this context." }
        } @else {
            div class="table-wrap" {
                table {
                    thead { tr { th class="num" { "#" } th { "Piece" } th class="num" { "Score" } th { "Why" } } }
                    tbody {
                        @for (n, item) in list.iter().enumerate() {
                            tr {
                                td class="num" { (n + 1) }
                                td {
                                    a href={ "/p/" (url_encode(&item.handle)) } { (item.title) }
                                    div class="muted small" {
                                        (products.get(&item.product_id).map(|p| fmt_price(p)).unwrap_or_default())
                                    }
                                }
                                td class="num" { (format!("{:.3}", item.score)) }
                                td {
                                    ul class="why-list" {
                                        @for r in &item.why {
                                            li {
                                                span class="badge" { (super::label(r.signal.as_str())) } " " (r.detail) " "
                                                span class="muted small" title="contribution to the score" {
                                                    "+" (format!("{:.2}", r.contribution))
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `/admin/recommendations`.
pub(crate) async fn admin_page(
    State(state): State<AppState>,
    PageQuery(params): PageQuery<PreviewParams>,
) -> PageResult {
    let title = "Recommendations";
    let nav = "/admin/recommendations";
    let st = state.clone();
    let products = blocking(move || Ok(st.app.engines.catalog()?)).await?;
    let Some(model) = model(&state, ADMIN_WAIT).await else {
        let body = html! {
            div class="panel placeholder" {
                h1 { "Recommendations" }
                p {
                    "The model is still training, or could not be trained (see the server log). Reload in a moment."
                }
            }
        };
        return Ok(page(title, nav, body));
    };
    let field = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let (product, customer, gift) = (field(&params.product), field(&params.customer), field(&params.gift));
    let m = model.clone();
    let (pv, cv, gv) = (product.clone(), customer.clone(), gift.clone());
    let (trending, preview) = blocking(move || {
        let trending = m.recommend(&Request::new(Context::Trending, 10));
        let ctx = if !pv.is_empty() {
            Some(m.resolve_product(&pv).map(Context::Product).ok_or(format!("No product {pv:?}.")))
        } else if !cv.is_empty() {
            Some(Ok(Context::Customer(cv)))
        } else if !gv.is_empty() {
            Some(Ok(Context::Gift(recs::parse_brief(&gv))))
        } else {
            None
        };
        let preview = ctx.map(|c| c.map(|c| m.recommend(&Request::new(c, 10))));
        Ok((trending, preview))
    })
    .await?;
    let known = by_id(&products);
    let stats = model.stats();
    let trained = fmt_trained(model.trained_at());
    // What the previewed context is, above its table.
    let caption = || {
        if !product.is_empty() {
            let p =
                products.iter().find(|p| p.handle == product || p.variants.iter().any(|v| v.sku == product));
            html! {
                "The product page of " (p.map(|p| p.title.as_str()).unwrap_or(&product)) ": pieces with a "
                span class="badge" { "complete_the_set" }
                " reason show under \u{201c}Complete the set\u{201d}, the others under \u{201c}You may also like\u{201d}."
            }
        } else if !customer.is_empty() {
            if model.knows_customer(&customer) {
                html! { "\u{201c}For you\u{201d} for customer " (customer) "." }
            } else {
                html! { "Customer " (customer) " is unknown to the model: they get popular pieces." }
            }
        } else {
            let chips = understood(&recs::parse_brief(&gift));
            if chips.is_empty() {
                html! { "The brief names no recipient, occasion or budget: a general shortlist." }
            } else {
                html! { "The gift finder, understood as: " (chips.join(" · ")) "." }
            }
        }
    };
    let body = html! {
        h1 { "Recommendations" }
        ul class="stats" {
            li { span class="value" { (trained.0) } span class="label" { (trained.1) } }
            li {
                span class="value" { (group_thousands(stats.interactions as u64)) }
                span class="label" { "interactions" }
            }
            li {
                span class="value" { (group_thousands(stats.items as u64)) }
                span class="label" { "products (" (group_thousands(stats.purchasable as u64)) " purchasable)" }
            }
            li {
                span class="value" { (group_thousands(stats.customers as u64)) }
                span class="label" { "customers" }
            }
            li {
                span class="value" { (group_thousands(stats.cooc_pairs as u64)) }
                span class="label" { "bought-together pairs" }
            }
            li {
                span class="value" { (format!("{:.1} s", stats.total_seconds)) }
                span class="label" { "training time" }
            }
        }
        section class="panel" id="preview" {
            h2 { "Preview" }
            p class="muted small" {
                "What a shopper would see for a product page, a customer's \u{201c}for you\u{201d}, or a gift \
                 brief, with every reason and what it adds to the score."
            }
            form class="filters" method="get" action="/admin/recommendations" {
                label { "Product handle or SKU" input type="text" name="product" value=(product); }
                label { "Customer id" input type="text" name="customer" value=(customer); }
                label {
                    "Gift brief"
                    input type="text" name="gift" value=(gift) placeholder="for mom, under 200";
                }
                button class="button" type="submit" { "Preview" }
            }
            @match &preview {
                None => p class="muted small" { "Fill one field. The first filled one is used." },
                Some(Err(msg)) => p class="badge bad" { (msg) },
                Some(Ok(list)) => {
                    p class="small" { (caption()) }
                    (preview_table(&known, list))
                },
            }
        }
        section class="panel" {
            h2 { "Trending now" }
            p class="muted small" { "The home page's section, aware of the season." }
            (preview_table(&known, &trending))
        }
    };
    Ok(page(title, nav, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_brief(params: GiftParams, expect: &str) {
        assert_eq!(params.brief(), expect);
    }

    fn form(recipient: &str, occasion: &str, budget: &str) -> GiftParams {
        GiftParams {
            brief: None,
            recipient: Some(recipient.into()),
            occasion: Some(occasion.into()),
            budget: Some(budget.into()),
        }
    }

    #[test]
    fn a_gift_brief_comes_from_the_text_or_the_form() {
        check_brief(
            GiftParams { brief: Some(" for mom, under 200 ".into()), ..form("dad", "", "") },
            "for mom, under 200",
        );
        check_brief(form("mom", "birthday", "200"), "for mom, birthday, under 200");
        check_brief(form("", "anniversary", ""), "anniversary");
        // Values outside the form's lists are ignored, not passed on.
        check_brief(form("<script>", "nonsense", "-5"), "under 5");
        check_brief(form("", "", "abc"), "");
    }

    #[test]
    fn the_form_choices_are_understood_by_the_engine() {
        let b = recs::parse_brief(&form("mom", "mothers day", "150").brief());
        assert_eq!(b.recipient.map(|r| r.as_str()), Some("mother"));
        assert_eq!(b.occasion.map(|o| o.as_str()), Some("mothers_day"));
        assert_eq!(b.budget.and_then(|b| b.max), Some(150.0));
        for (value, _) in OCCASIONS.iter().filter(|(v, _)| !v.is_empty()) {
            assert!(recs::parse_brief(value).occasion.is_some(), "{value}");
        }
        for (value, _) in RECIPIENTS.iter().filter(|(v, _)| !v.is_empty()) {
            assert!(recs::parse_brief(&format!("for {value}")).recipient.is_some(), "{value}");
        }
    }

    #[test]
    fn shoppers_read_plain_words_and_no_sales_counts() {
        let reason = |signal, detail: &str| Reason { signal, detail: detail.to_string(), contribution: 1.0 };
        for (signal, detail, expect) in [
            (
                Signal::BoughtTogether,
                "bought together with the Pearl Studs in 14 orders",
                "Often bought together with the Pearl Studs",
            ),
            (
                Signal::ViewedTogether,
                "viewed together with the Gold Hoops in 9 sessions",
                "Often viewed with the Gold Hoops",
            ),
            (
                Signal::Popular,
                "popular with new customers: bought 22 times in the last 30 days",
                "A customer favourite",
            ),
            (Signal::Trending, "trending: sales up 1100% in the last 30 days", "Trending now"),
            (Signal::Season, "sold well in this season last year (8 orders)", "A favourite this season"),
            (
                Signal::Repeat,
                "you have ordered this 3 times; customers re-order it",
                "You have ordered this before",
            ),
            (
                Signal::Similar,
                "also in rose gold, like the Dara Drops",
                "Also in rose gold, like the Dara Drops",
            ),
            (Signal::Budget, "within your budget of $200", "Within your budget of $200"),
        ] {
            let said = shopper_words(&reason(signal, detail));
            assert_eq!(said, expect, "{detail}");
            if signal != Signal::Budget {
                assert!(!said.chars().any(|c| c.is_ascii_digit()), "a number for a shopper: {said}");
            }
        }
    }

    #[test]
    fn understood_chips_read_well() {
        let chips = understood(&recs::parse_brief("for mom, mothers day, under 200"));
        assert_eq!(chips, ["For your mother", "Mother's day", "Under $200"]);
    }
}

//! Merchandising in the back-office and the shop (issue 14).
//!
//! `/admin/merchandising`: the collections (Loupe's intents, the brand's
//! rules, the catalog's named collections, the categories) and a form to
//! make one from a rule; `/admin/merchandising/collection?key=`: members
//! with their reasons and strength, pin / move / exclude, and the ranking
//! blend as sliders with the order today beside the order it gives, saved
//! with a button; `/admin/merchandising/bundles` and `/placements`. Search
//! rules (pin, boost, bury, hide) have their forms at `/admin/search`.
//! Every change goes through `app::merch` and into the decision log.
//!
//! The shop: `/collections/{key}` lists a collection in its saved order with
//! plain reasons; approved bundles show on product pages and in the bag.

use axum::extract::State;
use axum::response::Redirect;
use axum::Extension;
use maud::{html, Markup};
use model::Product;
use serde::Deserialize;

use super::storefront::card_with as card;
use super::{page, url_encode, PageError, PageQuery, PageResult};
use crate::auth::Caller;
use crate::blocking;
use crate::error::{ApiError, Path};
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::wire::merch::{BundleDecisionIn, CollectionIn, RuleOut};

pub(crate) fn area() -> Area {
    Area::new("merchandising pages", "Collections, re-ranking, bundles and placements.")
        .admin_scope(Scope::AdminMerchandising)
        .page("/admin/merchandising", Access::AdminPage, overview)
        .page("/admin/merchandising/collection", Access::AdminPage, collection_page)
        .page_post("/admin/merchandising/member", Access::AdminPage, post_member)
        .page_post("/admin/merchandising/rank", Access::AdminPage, post_rank)
        .page_post("/admin/merchandising/new", Access::AdminPage, post_new)
        .page("/admin/merchandising/bundles", Access::AdminPage, bundles_page)
        .page_post("/admin/merchandising/bundles/decide", Access::AdminPage, post_bundle)
        .page("/admin/merchandising/placements", Access::AdminPage, placements_page)
        .page("/collections/{key}", Access::Open, shop_collection)
}

fn actor(caller: &Option<Extension<Caller>>) -> String {
    caller.as_ref().map(|c| c.actor()).unwrap_or_else(|| "open".into())
}

fn nav(active: &str) -> Markup {
    let links = [
        ("/admin/merchandising", "Collections"),
        ("/admin/merchandising/bundles", "Bundles"),
        ("/admin/merchandising/placements", "Placements"),
        ("/admin/search", "Search rules"),
    ];
    html! {
        p class="section-links" {
            @for (i, (href, label)) in links.iter().enumerate() {
                @if i > 0 { " · " }
                @if *href == active { strong { (label) } } @else { a href=(href) { (label) } }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverviewParams {
    created: String,
    error: String,
}

async fn overview(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    PageQuery(p): PageQuery<OverviewParams>,
) -> PageResult {
    let list = blocking(move || Ok(app::merch::list(&state.app)?)).await?;
    let by = actor(&caller);
    let kinds = [
        ("intent", "Intent collections", "How shoppers think: Loupe proposes the members from their attributes and from what shoppers did; you pin, exclude and order."),
        ("rule", "Your collections", "Made from a rule (below), plus the products bought with them or found by the same searches."),
        ("collection", "Named in the catalog", "Collections the catalog's tags and titles name."),
        ("category", "Categories", "Re-rank a category: the shop's category page uses the saved order."),
    ];
    let body = html! {
        div class="page-head" {
            h1 { "Merchandising" }
            p { "Collections shoppers think in, each product with why it belongs. Loupe suggests and explains; what you pin, exclude, order or approve is never overwritten when Loupe relearns, and each change goes into the " a href="/admin/audit?kind=merchandising_collection" { "decision log" } "." }
        }
        (nav("/admin/merchandising"))
        @if !p.created.is_empty() { p class="notice" role="status" { "Collection " (p.created) " created." } }
        @if !p.error.is_empty() { p class="form-errors" role="alert" { (p.error) } }
        @if list.iter().all(|c| c.members == 0) {
            section class="panel" { p class="muted" { "No products yet. Import a catalog (Tasks, or " code { "loupe import catalog FILE" } ") and the intent collections fill themselves." } }
        }
        @for (kind, title, note) in kinds {
            @let rows: Vec<_> = list.iter().filter(|c| c.kind == kind).collect();
            @if !rows.is_empty() || kind == "rule" {
                section class="panel" aria-labelledby={ "k-" (kind) } {
                    h2 id={ "k-" (kind) } { (title) }
                    p class="muted small" { (note) }
                    @if rows.is_empty() {
                        p class="muted" { "None yet: make one with the form below." }
                    } @else {
                        div class="table-wrap" {
                            table data-collections=(kind) {
                                thead { tr { th scope="col" { "Collection" } th scope="col" { "Members" } th scope="col" { "Your choices" } th scope="col" { "First in line" } } }
                                tbody {
                                    @for c in rows {
                                        tr data-key=(c.key) {
                                            td { a href={ "/admin/merchandising/collection?key=" (url_encode(&c.key)) } { strong { (c.name) } } div class="muted small" { (c.description) } }
                                            td { (c.members) }
                                            td class="small" {
                                                @if c.pinned > 0 { span class="badge" { (c.pinned) " pinned" } }
                                                @if c.excluded > 0 { span class="badge" { (c.excluded) " excluded" } }
                                                @if c.ranked { span class="badge ok" { "ranking saved" } }
                                                @if c.pinned == 0 && c.excluded == 0 && !c.ranked { span class="muted" { "none" } }
                                            }
                                            td class="small" { (c.top.join(", ")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="new-h" {
            h2 id="new-h" { "New collection from a rule" }
            p class="muted small" { "A product joins when it matches enough of the rule (each list it matches adds to its strength) or when shoppers' searches and baskets tie it to the members. Lists are comma-separated." }
            form class="rule-form" method="post" action="/admin/merchandising/new" data-new-collection {
                label { "Key" input type="text" name="key" required pattern="[a-z][a-z0-9\\-]{0,47}" placeholder="summer-gold"; span class="hint" { "Lower-case letters, digits and -." } }
                label { "Name" input type="text" name="name" required maxlength="80" placeholder="Summer gold"; }
                label class="wide" { "Description" input type="text" name="description" maxlength="500"; }
                label { "Categories" input type="text" name="categories" placeholder="necklace, bracelet"; }
                label { "Styles" input type="text" name="styles" placeholder="minimal"; }
                label { "Words in title or tags" input type="text" name="words" placeholder="sun, shell"; }
                label { "Stones" input type="text" name="stones" placeholder="pearl"; }
                label { "Metals" input type="text" name="metals" placeholder="gold"; }
                label { "Tags" input type="text" name="tags" placeholder="summer"; }
                fieldset {
                    legend { "Price band (the product's third of its category's prices)" }
                    @for b in ["low", "mid", "high"] {
                        label class="inline" { input type="checkbox" name={ "band_" (b) } value="1"; (b) }
                    }
                }
                label { "Your name" input type="text" name="by" required value=(by); }
                div class="form-actions wide" { button class="button" type="submit" { "Create collection" } }
            }
        }
    };
    Ok(page("Merchandising", "/admin/merchandising", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CollectionParams {
    key: String,
    preview: String,
    saved: String,
    changed: String,
    conversion: Option<f64>,
    revenue_per_view: Option<f64>,
    margin: Option<f64>,
    stock_cover: Option<f64>,
    seasonality: Option<f64>,
    newness: Option<f64>,
    sales: Option<f64>,
    diversity: String,
}

impl CollectionParams {
    /// The blend the sliders ask for; `None` before the form was sent.
    fn weights(&self) -> Option<String> {
        if self.preview.is_empty() {
            return None;
        }
        let mut w = merch::Weights::default();
        for (f, v) in [
            (merch::Factor::Conversion, self.conversion),
            (merch::Factor::RevenuePerView, self.revenue_per_view),
            (merch::Factor::Margin, self.margin),
            (merch::Factor::StockCover, self.stock_cover),
            (merch::Factor::Seasonality, self.seasonality),
            (merch::Factor::Newness, self.newness),
            (merch::Factor::Sales, self.sales),
        ] {
            if let Some(v) = v {
                w.set(f, v.clamp(0.0, 1.0));
            }
        }
        w.diversity = !self.diversity.is_empty();
        Some(w.to_param())
    }
}

fn factor_list(why: &[app::wire::merch::FactorOut]) -> Markup {
    let mut top: Vec<&app::wire::merch::FactorOut> =
        why.iter().filter(|f| f.contribution.abs() >= 0.005).collect();
    top.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    html! {
        @if top.is_empty() {
            div class="muted small" { "no factor moved it" }
        } @else {
            ul class="why-list small" {
                @for f in top.iter().take(3) {
                    li {
                        span class=(if f.contribution > 0.0 { "badge ok" } else { "badge bad" }) {
                            (if f.contribution > 0.0 { "▲ " } else { "▼ " }) (merch::Factor::parse(&f.factor).map(|x| x.label()).unwrap_or(&f.factor))
                        }
                        " " (f.detail)
                    }
                }
            }
        }
    }
}

async fn collection_page(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    PageQuery(p): PageQuery<CollectionParams>,
) -> PageResult {
    let key = p.key.clone();
    let asked = p.weights();
    let (c, preview) = blocking(move || {
        let c = app::merch::show(&state.app, &key)?;
        let preview = app::merch::preview(&state.app, &key, asked.as_deref())?;
        Ok((c, preview))
    })
    .await?;
    let by = actor(&caller);
    let w = merch::Weights::parse(&preview.weights).unwrap_or_default();
    let shop_href = match c.key.strip_prefix("category-") {
        Some(cat) => format!("/c/{}", cat.replace('-', "_")),
        None => format!("/collections/{}", url_encode(&c.key)),
    };
    let member_form = |handle: &str, action: &str, label: &str| -> Markup {
        html! {
            form class="inline-form" method="post" action="/admin/merchandising/member" {
                input type="hidden" name="key" value=(c.key);
                input type="hidden" name="handle" value=(handle);
                input type="hidden" name="by" value=(by);
                button class="link-button" type="submit" name="action" value=(action) { (label) }
            }
        }
    };
    let body = html! {
        nav class="crumbs" aria-label="Breadcrumb" { ol { li { a href="/admin/merchandising" { "Merchandising" } } li aria-current="page" { (c.name) } } }
        div class="page-head" {
            h1 { (c.name) }
            p { (c.description) " " span class="badge" { (c.kind) } " " a href=(shop_href) { "See it in the shop" } }
            @if let (Some(at), Some(who)) = (&c.updated_at, &c.updated_by) { p class="muted small" { "Last changed " (at.get(..16).unwrap_or(at).replace('T', " ")) " by " (who) "." } }
        }
        @if !p.saved.is_empty() { p class="notice" role="status" { "Ranking saved: the shop shows this order. Recorded in the decision log." } }
        @if !p.changed.is_empty() { p class="notice" role="status" { "Saved. Recorded in the decision log." } }
        @if let Some(r) = &c.rule {
            section class="panel" aria-labelledby="rule-h" {
                h2 id="rule-h" { "Its rule" }
                dl class="specs small" {
                    @for (term, list) in [("Categories", &r.categories), ("Styles", &r.styles), ("Words", &r.words), ("Stones", &r.stones), ("Metals", &r.metals), ("Price bands", &r.price_bands), ("Tags", &r.tags), ("Searches", &r.queries)] {
                        @if !list.is_empty() { dt { (term) } dd { (list.join(", ")) } }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="rank-h" {
            h2 id="rank-h" { "Ranking" }
            p class="muted small" { "Move the sliders to weigh what matters this week; the order today and the order the blend gives are side by side, each product with the facts that moved it. Pins stay where you put them. Nothing changes in the shop until you save." }
            form class="rule-form" method="get" action="/admin/merchandising/collection" data-weights {
                input type="hidden" name="key" value=(c.key);
                input type="hidden" name="preview" value="1";
                @for f in merch::FACTORS {
                    label {
                        (f.label()) " " output { (super::trim_float(w.get(f))) }
                        input type="range" name=(f.key()) min="0" max="1" step="0.05" value=(w.get(f)) data-autosubmit;
                    }
                }
                label class="inline" { input type="checkbox" name="diversity" value="1" checked[w.diversity] data-autosubmit; "Diversity: no metal or style on more than half of a row" }
                div class="form-actions wide" { button class="button ghost" type="submit" { "Preview" } }
            }
            div class="preview-grid" data-preview {
                @for (title, list) in [("Today", &preview.before), ("With this blend", &preview.after)] {
                    div class="preview-col" {
                        h3 { (title) }
                        @if list.is_empty() { p class="muted small" { "No members." } }
                        ol class="preview-list" {
                            @for r in list.iter().take(12) {
                                li class=[r.pinned.then_some("ruled")] data-handle=(r.handle) {
                                    a href={ "/p/" (url_encode(&r.handle)) } { (r.title) }
                                    @if r.pinned { " " span class="badge warn" { "pinned" } }
                                    @if r.moved_for_diversity { " " span class="badge" { "held back for diversity" } }
                                    " " span class="muted small" { "score " (format!("{:.2}", r.score)) }
                                    (factor_list(&r.why))
                                }
                            }
                        }
                    }
                }
            }
            form class="inline-form" method="post" action="/admin/merchandising/rank" data-save-ranking {
                input type="hidden" name="key" value=(c.key);
                input type="hidden" name="weights" value=(preview.weights);
                label { "Your name " input type="text" name="by" required value=(by); }
                " "
                button class="button" type="submit" { "Save this ranking" }
                @if let Some(saved) = &c.weights { " " span class="muted small" { "Saved blend: " (saved) } }
            }
        }
        section class="panel" aria-labelledby="members-h" {
            h2 id="members-h" { "Members (" (c.members.len()) ")" }
            @if c.members.is_empty() {
                p class="muted" { "No product matches this collection yet. Pin one with the form below, or widen the rule." }
            } @else {
                div class="table-wrap" {
                    table data-members {
                        thead { tr { th scope="col" { "#" } th scope="col" { "Product" } th scope="col" { "Strength" } th scope="col" { "Why" } th scope="col" { "Your call" } } }
                        tbody {
                            @for m in &c.members {
                                tr data-handle=(m.handle) data-pinned[m.pinned] {
                                    td { (m.position) }
                                    td { a href={ "/p/" (url_encode(&m.handle)) } { (m.title) } div class="muted small" { (m.handle) } }
                                    td { (format!("{:.2}", m.strength)) }
                                    td { ul class="why-list small" { @for r in &m.why { li { (r.detail) } } } }
                                    td class="row-actions" {
                                        @if m.pinned {
                                            (member_form(&m.handle, "up", "Up")) " " (member_form(&m.handle, "down", "Down")) " " (member_form(&m.handle, "unpin", "Unpin"))
                                        } @else {
                                            (member_form(&m.handle, "pin", "Pin"))
                                        }
                                        " " (member_form(&m.handle, "exclude", "Exclude"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !c.excludes.is_empty() {
                h3 { "Excluded" }
                ul class="small" data-excluded {
                    @for h in &c.excludes { li { (h) " " (member_form(h, "include", "Put back")) } }
                }
            }
            form class="inline-form" method="post" action="/admin/merchandising/member" {
                input type="hidden" name="key" value=(c.key);
                input type="hidden" name="by" value=(by);
                label { "Pin a product by handle " input type="text" name="handle" required; }
                " " button class="button ghost" type="submit" name="action" value="pin" { "Pin" }
            }
        }
    };
    Ok(page(&c.name, "/admin/merchandising", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MemberForm {
    key: String,
    handle: String,
    action: String,
    by: String,
}

async fn post_member(
    State(state): State<AppState>,
    axum::Form(f): axum::Form<MemberForm>,
) -> Result<Redirect, PageError> {
    let key = f.key.clone();
    blocking(move || {
        let c = app::merch::show(&state.app, &f.key)?;
        let (mut pins, mut excludes) = (c.pins, c.excludes);
        let h = f.handle.trim().to_string();
        let at = pins.iter().position(|x| *x == h);
        match (f.action.as_str(), at) {
            ("pin", None) => {
                pins.push(h.clone());
                excludes.retain(|x| *x != h);
            }
            ("unpin", Some(i)) => {
                pins.remove(i);
            }
            ("up", Some(i)) if i > 0 => pins.swap(i, i - 1),
            ("down", Some(i)) if i + 1 < pins.len() => pins.swap(i, i + 1),
            ("exclude", _) => {
                pins.retain(|x| *x != h);
                if !excludes.contains(&h) {
                    excludes.push(h.clone());
                }
            }
            ("include", _) => excludes.retain(|x| *x != h),
            _ => return Ok(()),
        }
        let input = CollectionIn {
            pins: Some(pins),
            excludes: Some(excludes),
            by: f.by.clone(),
            ..Default::default()
        };
        app::merch::update(&state.app, &f.key, &input)?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/admin/merchandising/collection?key={}&changed=1", url_encode(&key))))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RankForm {
    key: String,
    weights: String,
    by: String,
}

async fn post_rank(
    State(state): State<AppState>,
    axum::Form(f): axum::Form<RankForm>,
) -> Result<Redirect, PageError> {
    let key = f.key.clone();
    let w = f.weights.clone();
    blocking(move || {
        let input = CollectionIn { weights: Some(f.weights), by: f.by, ..Default::default() };
        app::merch::update(&state.app, &f.key, &input)?;
        Ok(())
    })
    .await?;
    let mut href = format!("/admin/merchandising/collection?key={}&saved=1", url_encode(&key));
    if let Ok(w) = merch::Weights::parse(&w) {
        href.push_str("&preview=1");
        for f in merch::FACTORS {
            href.push_str(&format!("&{}={}", f.key(), w.get(f)));
        }
        if w.diversity {
            href.push_str("&diversity=1");
        }
    }
    Ok(Redirect::to(&href))
}

fn list_of(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect()
}

async fn post_new(
    State(state): State<AppState>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Result<Redirect, PageError> {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let key = get("key");
    let rule = RuleOut {
        categories: list_of(&get("categories")).into_iter().map(|c| c.replace([' ', '-'], "_")).collect(),
        styles: list_of(&get("styles")),
        words: list_of(&get("words")),
        stones: list_of(&get("stones")).into_iter().map(|c| c.replace(' ', "_")).collect(),
        metals: list_of(&get("metals")).into_iter().map(|c| c.replace(' ', "_")).collect(),
        price_bands: ["low", "mid", "high"]
            .iter()
            .filter(|b| !get(&format!("band_{b}")).is_empty())
            .map(|b| b.to_string())
            .collect(),
        tags: list_of(&get("tags")),
        queries: Vec::new(),
    };
    let description = get("description");
    let input = CollectionIn {
        name: Some(get("name")).filter(|n| !n.is_empty()),
        description: Some(description).filter(|d| !d.is_empty()),
        rule: Some(rule),
        by: get("by"),
        ..Default::default()
    };
    let k = key.clone();
    let made = blocking(move || Ok(app::merch::update(&state.app, &k, &input)?)).await;
    match made {
        Ok(c) => {
            Ok(Redirect::to(&format!("/admin/merchandising/collection?key={}&changed=1", url_encode(&c.key))))
        }
        Err(e) => Ok(Redirect::to(&format!("/admin/merchandising?error={}", url_encode(&e.message)))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BundleParams {
    status: String,
    decided: String,
}

async fn bundles_page(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    PageQuery(p): PageQuery<BundleParams>,
) -> PageResult {
    let status = app::merch::parse_status(Some(&p.status)).map_err(ApiError::from)?;
    let list = blocking(move || Ok(app::merch::bundles(&state.app, status.as_deref())?)).await?;
    let by = actor(&caller);
    let item = |i: &app::wire::merch::BundleItemOut| -> Markup {
        html! {
            a href={ "/p/" (url_encode(&i.handle)) } { (i.title) }
            span class="muted small" { " " (i.category.as_deref().unwrap_or("").replace('_', " ")) @if let Some(x) = i.price { " · " (format!("{x:.0}")) } }
        }
    };
    let body = html! {
        div class="page-head" {
            h1 { "Bundles" }
            p { "Pieces to wear together, proposed from what customers bought together (with the attach rate their orders show) and from matching attributes (same collection and metal; the attach rate is then an estimate from similar pairs, and says so). Approved bundles appear on both pieces' pages and in the bag." }
        }
        (nav("/admin/merchandising/bundles"))
        @if !p.decided.is_empty() { p class="notice" role="status" { "Recorded in the decision log." } }
        form class="filters" method="get" {
            label { "Show" select name="status" data-autosubmit {
                @for (v, l) in [("", "All"), ("proposed", "Proposed"), ("approved", "Approved"), ("rejected", "Rejected")] {
                    option value=(v) selected[p.status == v] { (l) }
                }
            } }
            noscript { button class="button ghost" type="submit" { "Show" } }
        }
        @if list.is_empty() {
            section class="panel" { p class="muted" { "No bundles here. Proposals need orders with two or more pieces (import orders), or pieces of one named collection in the same metal." } }
        } @else {
            div class="table-wrap" {
                table data-bundles {
                    thead { tr { th scope="col" { "Piece" } th scope="col" { "Wear with" } th scope="col" { "Attach rate" } th scope="col" { "Evidence" } th scope="col" { "Decide" } } }
                    tbody {
                        @for b in list.iter().take(60) {
                            tr data-bundle=(b.id) data-status=(b.status) {
                                td { (item(&b.anchor)) }
                                td { @for i in &b.items { div { (item(i)) } } }
                                td {
                                    @match b.attach_rate {
                                        Some(r) => { (format!("{:.1}%", 100.0 * r)) @if b.estimated { " " span class="badge warn" { "estimate" } } }
                                        None => { span class="muted" { "unknown" } }
                                    }
                                    @if let Some(l) = b.lift { div class="muted small" { (format!("{l:.1}x chance")) } }
                                }
                                td { ul class="why-list small" { @for e in &b.evidence { li { (e) } } } }
                                td {
                                    @if b.status != "proposed" {
                                        span class=(if b.status == "approved" { "badge ok" } else { "badge bad" }) { (b.status) }
                                        div class="muted small" { (b.decided_by.as_deref().unwrap_or("")) }
                                    }
                                    form class="inline-form" method="post" action="/admin/merchandising/bundles/decide" {
                                        input type="hidden" name="id" value=(b.id);
                                        input type="hidden" name="by" value=(by);
                                        label class="visually-hidden" for={ "items-" (b.id) } { "Companions" }
                                        input type="text" id={ "items-" (b.id) } name="items" size="14" placeholder="edit: handles" ;
                                        button class="button ghost" type="submit" name="decision" value="approve" { "Approve" }
                                        button class="button ghost" type="submit" name="decision" value="edit" { "Save edit" }
                                        button class="button ghost" type="submit" name="decision" value="reject" { "Reject" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if list.len() > 60 { p class="muted small" { "The first 60 of " (list.len()) "; the API (" code { "GET /v1/bundles" } ") pages through all." } }
        }
    };
    Ok(page("Bundles", "/admin/merchandising", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BundleForm {
    id: String,
    decision: String,
    items: String,
    by: String,
    note: String,
}

async fn post_bundle(
    State(state): State<AppState>,
    axum::Form(f): axum::Form<BundleForm>,
) -> Result<Redirect, PageError> {
    let input = BundleDecisionIn {
        decision: f.decision,
        items: Some(
            f.items.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        )
        .filter(|v| !v.is_empty()),
        by: f.by,
        note: Some(f.note).filter(|n| !n.trim().is_empty()),
    };
    let id = f.id;
    blocking(move || Ok(app::merch::decide_bundle(&state.app, &id, &input)?)).await?;
    Ok(Redirect::to("/admin/merchandising/bundles?decided=1"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WeekParams {
    week: String,
}

async fn placements_page(State(state): State<AppState>, PageQuery(p): PageQuery<WeekParams>) -> PageResult {
    let week = app::merch::parse_week(&p.week).map_err(ApiError::from)?;
    let out = blocking(move || Ok(app::merch::placements(&state.app, week)?)).await?;
    let slot_name = |s: &str| match s {
        "hero" => "Homepage hero",
        "email" => "Email",
        _ => "Paid campaign",
    };
    let body = html! {
        div class="page-head" {
            h1 { "Placements" }
            p { "Which collections deserve the homepage hero, the email and the paid campaign in the week of " strong { (out.week) } ", read only from the days before it: momentum, the season ahead as last year sold it, the stock to support a push, and margin. Suggestions: you decide." }
            @if let Some(d) = &out.data_until { p class="muted small" { "The data runs to " (d) "." } }
        }
        (nav("/admin/merchandising/placements"))
        form class="filters" method="get" {
            label { "Week of" input type="date" name="week" value=(out.week); }
            button class="button ghost" type="submit" { "Show" }
        }
        @if out.collections.is_empty() {
            section class="panel" { p class="muted" { "No collection has members yet: import a catalog and orders." } }
        } @else {
            section class="panel" aria-labelledby="sugg-h" {
                h2 id="sugg-h" { "Suggested" }
                div class="table-wrap" {
                    table data-placements {
                        thead { tr { th scope="col" { "Slot" } th scope="col" { "Collection" } th scope="col" { "Evidence" } } }
                        tbody {
                            @for c in out.collections.iter().filter(|c| c.slot.is_some()) {
                                tr data-slot=(c.slot.as_deref().unwrap_or("")) data-key=(c.key) {
                                    td { span class="badge ok" { (slot_name(c.slot.as_deref().unwrap_or(""))) } }
                                    td { a href={ "/admin/merchandising/collection?key=" (url_encode(&c.key)) } { (c.name) } }
                                    td { ul class="why-list small" { @for e in &c.evidence { li { (e) } } } }
                                }
                            }
                        }
                    }
                }
                @if out.hero.is_none() { p class="muted" { "No collection sold in the four weeks before with the stock to support a push: nothing is suggested for the hero." } }
            }
            @if let Some(lw) = &out.last_week {
                section class="panel" aria-labelledby="last-h" {
                    h2 id="last-h" { "Last week (" (lw.week) "): suggested against sold" }
                    p class="muted small" { (lw.note) }
                    p { "Suggested: " (lw.suggested.join(", ")) "." @if let Some(r) = lw.hero_rank { " The suggested hero was number " (r) " by units sold." } }
                    ol class="small" { @for s in &lw.sold { li { (s.name) " " span class="muted" { (s.units) " units" } } } }
                }
            }
            section class="panel" aria-labelledby="all-h" {
                h2 id="all-h" { "Every collection, scored" }
                div class="table-wrap" {
                    table {
                        thead { tr { th scope="col" { "Collection" } th scope="col" { "Units, 4 weeks" } th scope="col" { "Momentum" } th scope="col" { "Season ahead" } th scope="col" { "Weeks of cover" } th scope="col" { "Margin" } } }
                        tbody {
                            @for c in &out.collections {
                                tr {
                                    td { (c.name) }
                                    td { (c.units_4w) }
                                    td { (format!("{:.2}x", c.momentum)) }
                                    td { @match c.season_lift { Some(s) => (format!("{s:.2}x")), None => span class="muted" { "no year of data" } } }
                                    td { @match c.cover_weeks { Some(w) => (format!("{w:.1}")), None => span class="muted" { "unknown" } } }
                                    td { @match c.margin_rate { Some(m) => (format!("{:.0}%", 100.0 * m)), None => span class="muted" { "unknown" } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Placements", "/admin/merchandising", body))
}

// ---- the shop ---------------------------------------------------------------

async fn shop_collection(State(state): State<AppState>, Path(key): Path<String>) -> PageResult {
    let (_, shop) = super::storefront::load(&state).await?;
    let app::merch::ShopCollection { name, description, items } =
        blocking(move || Ok(app::merch::storefront(&state.app, &key)?)).await?;
    let shown: Vec<&(Product, Vec<String>)> = items.iter().filter(|(p, _)| super::is_shoppable(p)).collect();
    let body = html! {
        div class="wrap" {
            nav class="crumbs" aria-label="Breadcrumb" { ol { li { a href="/" { "Home" } } li aria-current="page" { (name) } } }
            div class="page-head" { h1 { (name) } p { (description) } }
            @if shown.is_empty() {
                p class="muted" { "Nothing here yet. " a href="/search?q=" { "See every piece" } }
            } @else {
                ul class="grid" data-collection {
                    @for (p, why) in shown.iter().take(48) { (card(p, why.first().map(String::as_str))) }
                }
            }
        }
    };
    Ok(super::shop_page(&shop, &name, "", "", body))
}

/// "Wear it with": the pieces of approved bundles that hold `p`, for its page.
pub(crate) async fn product_section(state: &AppState, products: &[Product], p: &Product) -> Markup {
    let st = state.clone();
    let handle = p.handle.clone();
    let Ok(list) = blocking(move || Ok(app::merch::approved_with(&st.app, &handle)?)).await else {
        return html! {};
    };
    let cards: Vec<(&Product, &str)> = list
        .iter()
        .filter_map(|(h, why)| {
            products.iter().find(|x| x.handle == *h && super::is_shoppable(x)).map(|x| (x, why.as_str()))
        })
        .take(4)
        .collect();
    html! {
        @if !cards.is_empty() {
            section class="section recs" id="bundle" aria-labelledby="bundle-h" {
                div class="section-head" { h2 id="bundle-h" { "Complete the look" } }
                ul class="grid" data-bundle-cards { @for (x, why) in &cards { (card(x, Some(why))) } }
            }
        }
    }
}

/// Approved bundles' pieces for the bag's "pairs well" list, first.
pub(crate) async fn bag_cards(
    state: &AppState,
    products: &[Product],
    in_bag: &[String],
) -> Vec<(Product, String)> {
    let st = state.clone();
    let handles = in_bag.to_vec();
    let Ok(list) = blocking(move || {
        let mut out: Vec<(String, String)> = Vec::new();
        for h in &handles {
            for (x, why) in app::merch::approved_with(&st.app, h)? {
                if !handles.contains(&x) && !out.iter().any(|(y, _)| *y == x) {
                    out.push((x, why));
                }
            }
        }
        Ok(out)
    })
    .await
    else {
        return Vec::new();
    };
    list.into_iter()
        .filter_map(|(h, why)| {
            products.iter().find(|x| x.handle == h && super::is_shoppable(x)).map(|x| (x.clone(), why))
        })
        .collect()
}

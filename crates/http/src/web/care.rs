//! The back-office's care page (issue 17): `/admin/care` previews any
//! piece's care plan (by SKU: its materials, cautions and every message
//! with the day it is due and why) and shows the calendar of what goes out
//! in a window, each message planned or suppressed with the reason, and the
//! outbox: what was sent, what waits for a retry, and the dead letters with
//! why they failed and a button to try again.
//!
//! The shopper's side: `/unsubscribe/{token}` (the link in every care
//! e-mail; a GET only asks, as RFC 8058 requires, since mail scanners follow
//! links; the button, or a mail client's one-click POST, unsubscribes) and
//! `/consent/confirm/{token}` (double opt-in).

use axum::extract::{Path, State};
use axum::response::Redirect;
use maud::{html, Markup};
use serde::Deserialize;

use super::{page, pager, shop_of as shop, shop_page, url_encode, PageError, PageQuery, PageResult, Shop};
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;

pub(crate) fn area() -> Area {
    Area::new("care pages", "Care plans, the care calendar, the outbox, unsubscribe and confirmation.")
        .admin_scope(Scope::AdminSupport)
        .page("/admin/care", Access::AdminPage, care_page)
        .page_post("/admin/care/outbox/{id}/retry", Access::AdminPage, post_retry)
        .page("/unsubscribe/{token}", Access::Open, unsubscribe_page)
        .page_post("/unsubscribe/{token}", Access::Open, unsubscribe_post)
        .page("/consent/confirm/{token}", Access::Open, confirm_page)
        .page_post("/consent/confirm/{token}", Access::Open, confirm_post)
}

/// What the customer sees about themselves: never their id in full.
fn masked(customer: &str) -> String {
    let n = customer.chars().count();
    if n <= 4 {
        return "your account".into();
    }
    let tail: String = customer.chars().skip(n - 3).collect();
    format!("the account ending {tail}")
}

fn notice_page(shop: &Shop, title: &str, body: Markup) -> Markup {
    shop_page(shop, title, "", "", html! { div class="wrap help" { div class="page-head" { (body) } } })
}

async fn unsubscribe_page(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    let (shop, who) =
        blocking(move || Ok((shop(&state)?, app::outbox::token_subject(&state.app, "u", &token)?))).await?;
    let body = match who {
        None => html! {
            h1 { "This link does not work" }
            p { "It may have been cut short when it was copied. Use the link in the e-mail itself, or write to us from the help page." }
            p { a class="button ghost" href="/help" { "Help" } }
        },
        Some((customer, channel)) => html! {
            h1 { "Stop care " (if channel == "sms" { "text messages" } else { "e-mails" }) "?" }
            p { "We send a few notes after a purchase: how to look after the piece, when a check-up or a restringing is due. "
                "You can stop them for " (masked(&customer)) ". This stops only these care notes." }
            form method="post" {
                input type="hidden" name="List-Unsubscribe" value="page";
                button class="button" type="submit" { "Unsubscribe" }
            }
        },
    };
    Ok(notice_page(&shop, "Unsubscribe", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OneClick {
    #[serde(rename = "List-Unsubscribe")]
    list_unsubscribe: String,
}

async fn unsubscribe_post(
    State(state): State<AppState>,
    Path(token): Path<String>,
    axum::Form(f): axum::Form<OneClick>,
) -> PageResult {
    // RFC 8058: a mail client's one-click POST carries `List-Unsubscribe=One-Click`.
    let source =
        if f.list_unsubscribe == "One-Click" { "list_unsubscribe_one_click" } else { "unsubscribe_page" };
    let (shop, done) = blocking(move || {
        let done = app::outbox::unsubscribe(&state.app, &token, source);
        Ok((shop(&state)?, done))
    })
    .await?;
    let body = match done {
        Ok(_) => html! {
            h1 { "You are unsubscribed" }
            p role="status" { "No more care messages will be sent. If you change your mind, tell us from the help page." }
            p { a class="button ghost" href="/" { "Back to the shop" } }
        },
        Err(e) => html! { h1 { "This link does not work" } p { (e.message) } },
    };
    Ok(notice_page(&shop, "Unsubscribed", body))
}

async fn confirm_page(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    let (shop, who) =
        blocking(move || Ok((shop(&state)?, app::outbox::token_subject(&state.app, "c", &token)?))).await?;
    let body = match who {
        None => {
            html! { h1 { "This link does not work" } p { "Use the link in the confirmation e-mail itself." } }
        }
        Some((customer, _)) => html! {
            h1 { "Confirm care e-mails" }
            p { "Confirm that " (masked(&customer)) " wants a few notes after each purchase on caring for the piece. "
                "Every e-mail has a link to stop them." }
            form method="post" { button class="button" type="submit" { "Confirm" } }
        },
    };
    Ok(notice_page(&shop, "Confirm", body))
}

async fn confirm_post(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    let (shop, done) = blocking(move || {
        let done = app::outbox::confirm(&state.app, &token);
        Ok((shop(&state)?, done))
    })
    .await?;
    let body = match done {
        Ok(_) => {
            html! { h1 { "Thank you" } p role="status" { "Care e-mails are on. Every one has a link to stop them." } }
        }
        Err(e) => html! { h1 { "This link does not work" } p { (e.message) } },
    };
    Ok(notice_page(&shop, "Confirmed", body))
}

async fn post_retry(State(state): State<AppState>, Path(id): Path<String>) -> Result<Redirect, PageError> {
    blocking(move || Ok(app::outbox::retry(&state.app, &id, "admin page")?)).await?;
    Ok(Redirect::to("/admin/care?outbox=dead#outbox"))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    sku: String,
    from: String,
    to: String,
    /// The outbox's status filter.
    outbox: String,
    page: usize,
}

/// Outbox rows per page.
const OUTBOX_PAGE: usize = 25;

/// Calendar rows shown; the JSON API has them all.
const SHOWN: usize = 100;

async fn care_page(State(state): State<AppState>, PageQuery(p): PageQuery<Params>) -> PageResult {
    let sku = p.sku.trim().to_string();
    let (from_s, to_s) = (p.from.clone(), p.to.clone());
    let p2 = p.clone();
    let (plan, plan_error, calendar, calendar_error, outbox, delivery) = blocking(move || {
        let p = p2;
        let plans = app::care::stored_plans(&state.app)?;
        let (plan, plan_error) = if sku.is_empty() {
            (None, None)
        } else {
            match app::care::plan_for_sku(&state.app, &sku, None, &plans) {
                Ok(p) => (Some(p), None),
                Err(e) => (None, Some(e.message)),
            }
        };
        let today = state.app.clock.today();
        let from = if from_s.is_empty() { Ok(today) } else { app::care::parse_date("from", &from_s) };
        let to = match (&from, to_s.is_empty()) {
            (Ok(f), true) => Ok(*f + chrono::Duration::days(7)),
            _ => app::care::parse_date("to", &to_s),
        };
        let (calendar, calendar_error) = match (from, to) {
            (Ok(f), Ok(t)) => match app::care::schedule(&state.app, f, t, &plans) {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(e.message)),
            },
            (Err(e), _) | (_, Err(e)) => (None, Some(e.message)),
        };
        let status = if p.outbox.is_empty() { None } else { Some(p.outbox.as_str()) };
        let page = p.page.max(1);
        let outbox = app::outbox::list(&state.app, status, (page - 1) * OUTBOX_PAGE, OUTBOX_PAGE);
        let delivery = app::outbox::settings(&state.app)?;
        Ok((plan, plan_error, calendar, calendar_error, outbox, delivery))
    })
    .await?;
    let (outbox, outbox_error) = match outbox {
        Ok(o) => (Some(o), None),
        Err(e) => (None, Some(e.message)),
    };
    let body = html! {
        div class="page-head" {
            h1 { "Care" }
            p { "What each piece needs after the sale, and what goes out when. Plans come from a data file ("
                code { "crates/care/data/care-plans.toml" } ", extended with " code { "loupe care plans --set FILE" }
                "); nothing is sent without the customer's consent for the channel." }
        }
        section class="panel" aria-labelledby="preview" {
            h2 id="preview" { "Preview a piece's plan" }
            form class="rule-form" method="get" action="/admin/care" {
                label { "SKU" input type="text" name="sku" value=(p.sku) placeholder="PEARL-NK-18" required; }
                div { button class="button" type="submit" { "Preview" } }
            }
            @if let Some(e) = &plan_error { p class="notice bad" role="alert" { (e) } }
            @if let Some(plan) = &plan {
                h3 { (plan.title) " " span class="muted small" { "(" (plan.sku) ")" } }
                p { "Materials: " (if plan.materials.is_empty() { "not known".to_string() } else { plan.materials.join(", ") }) }
                ul class="chips" data-cautions {
                    @for c in &plan.cautions { li { (c.replace('_', " ")) } }
                }
                div class="table-wrap" {
                    table {
                        thead { tr { th scope="col" class="num" { "Day" } th scope="col" { "Message" } th scope="col" { "Why" } } }
                        tbody {
                            @for m in &plan.messages {
                                tr data-topic=(m.topic) {
                                    td class="num" { (m.day) }
                                    td { strong { (m.title) } div class="small" { (m.body) } div class="muted small" { (m.channel) } }
                                    td class="small" { (m.why) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="calendar" {
            h2 id="calendar" { "Calendar" }
            form class="rule-form" method="get" action="/admin/care" {
                input type="hidden" name="sku" value=(p.sku);
                label { "From" input type="date" name="from" value=(p.from); }
                label { "To" input type="date" name="to" value=(p.to); }
                div { button class="button ghost" type="submit" { "Show" } }
            }
            @if let Some(e) = &calendar_error { p class="notice bad" role="alert" { (e) } }
            @if let Some(c) = &calendar {
                p { strong { (c.planned) } " planned, " strong { (c.suppressed) } " suppressed from " (c.from) " to " (c.to) "."
                    @for (r, n) in &c.by_reason { " " span class="badge warn" { (r.replace('_', " ")) ": " (n) } } }
                @if c.messages.is_empty() {
                    p class="muted" { "Nothing is due in this window. Care messages follow purchases: import orders, or pick earlier dates." }
                } @else {
                    div class="table-wrap" {
                        table {
                            thead { tr { th scope="col" { "When (UTC)" } th scope="col" { "Message" } th scope="col" { "Order" } th scope="col" { "Status" } } }
                            tbody {
                                @for m in c.messages.iter().take(SHOWN) {
                                    tr {
                                        td { (m.at.get(..16).unwrap_or(&m.at).replace('T', " ")) }
                                        td { (m.title) div class="muted small" { (m.why) } }
                                        td class="small" {
                                            a href={ "/admin/care?sku=" (url_encode(&m.sku)) } { (m.sku) }
                                            div { (m.order_id) " · " (m.customer_id.as_deref().unwrap_or("guest")) }
                                        }
                                        td {
                                            @match &m.reason {
                                                None => span class="badge ok" { "planned" },
                                                Some(r) => span class="badge warn" { (r.replace('_', " ")) },
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if c.messages.len() > SHOWN {
                        p class="muted small" { "The first " (SHOWN) " of " (c.messages.len()) "; " code { "GET /v1/care/schedule" } " has them all." }
                    }
                }
            }
        }
        (outbox_section(&p, outbox.as_ref(), outbox_error.as_deref(), &delivery))
    };
    Ok(page("Care", "/admin/care", body))
}

fn outbox_section(
    p: &Params,
    outbox: Option<&app::wire::care::OutboxPage>,
    error: Option<&str>,
    delivery: &app::wire::care::DeliverySettings,
) -> Markup {
    let base = format!("/admin/care?outbox={}", url_encode(&p.outbox));
    html! {
        section class="panel" aria-labelledby="outbox" {
            h2 id="outbox" { "Outbox" }
            @if delivery.webhook_url.is_none() && delivery.smtp_url.is_none() {
                p class="notice" role="status" {
                    "Delivery is off: nothing is decided or sent until a webhook or an SMTP server is set ("
                    code { "loupe care delivery --webhook-url URL" } " or " code { "--smtp-url URL" } ")."
                }
            } @else {
                p class="muted small" {
                    "Delivering to "
                    @if let Some(w) = &delivery.webhook_url { "the webhook " code { (w) } }
                    @if delivery.webhook_url.is_some() && delivery.smtp_url.is_some() { " and " }
                    @if delivery.smtp_url.is_some() { "e-mail over SMTP" }
                    "; a failing message is tried " (delivery.max_attempts) " times, the waits doubling from "
                    (if delivery.retry_base_ms < 1000 { format!("{} ms", delivery.retry_base_ms) } else { format!("{} s", delivery.retry_base_ms / 1000) })
                    ", then waits here for a person."
                }
            }
            @if let Some(e) = error { p class="notice bad" role="alert" { (e) } }
            @if let Some(o) = outbox {
                nav class="chips" aria-label="Outbox status" {
                    a href="/admin/care#outbox" aria-current=[p.outbox.is_empty().then_some("page")] { "all " (o.counts.values().sum::<usize>()) }
                    @for s in ["pending", "sent", "dead", "suppressed"] {
                        a href={ "/admin/care?outbox=" (s) "#outbox" } aria-current=[(p.outbox == s).then_some("page")] {
                            (if s == "dead" { "dead letters" } else { s }) " " (o.counts.get(s).copied().unwrap_or(0))
                        }
                    }
                }
                @if o.items.is_empty() {
                    p class="muted" {
                        @if p.outbox == "dead" { "No dead letters: every message that failed is still being retried, or was sent." }
                        @else { "Nothing here yet. Messages arrive as purchases come due, once delivery is on." }
                    }
                } @else {
                    div class="table-wrap" {
                        table data-outbox {
                            thead { tr { th scope="col" { "Due (UTC)" } th scope="col" { "Message" } th scope="col" { "To" } th scope="col" { "Status" } } }
                            tbody {
                                @for m in &o.items {
                                    tr data-status=(m.status) {
                                        td { (m.due_at.get(..16).unwrap_or(&m.due_at).replace('T', " ")) }
                                        td { (m.subject) div class="muted small" { (m.topic) " · " code { (m.id) } } }
                                        td class="small" { (m.customer_id.as_deref().unwrap_or("guest")) " · " (m.channel) }
                                        td {
                                            @match m.status.as_str() {
                                                "sent" => span class="badge ok" { "sent" },
                                                "pending" => span class="badge" { "pending" },
                                                "dead" => span class="badge bad" { "dead" },
                                                _ => span class="badge warn" { (m.reason.as_deref().unwrap_or("suppressed").replace('_', " ")) },
                                            }
                                            @if let Some(last) = m.attempts.iter().rev().find(|a| !a.ok) {
                                                div class="muted small" {
                                                    (m.attempts.iter().filter(|a| a.transport != "requeued").count()) " attempts; last failure: "
                                                    (last.error.as_deref().unwrap_or("?"))
                                                }
                                            }
                                            @if let Some(n) = &m.next_attempt_at { div class="muted small" { "next try " (n.get(..16).unwrap_or(n).replace('T', " ")) } }
                                            @if m.status == "dead" {
                                                form method="post" action={ "/admin/care/outbox/" (url_encode(&m.id)) "/retry" } {
                                                    button class="button ghost" type="submit" { "Retry" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    (pager(&base, "&", p.page.max(1), o.total.div_ceil(OUTBOX_PAGE)))
                }
            }
        }
    }
}

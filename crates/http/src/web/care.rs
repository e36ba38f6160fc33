//! The back-office's care page (issue 17): `/admin/care` previews any
//! piece's care plan (by SKU: its materials, cautions and every message
//! with the day it is due and why) and shows the calendar of what goes out
//! in a window, each message planned or suppressed with the reason.

use axum::extract::State;
use maud::html;
use serde::Deserialize;

use super::{page, url_encode, PageQuery, PageResult};
use crate::blocking;
use crate::routes::{Access, Area};
use crate::state::AppState;

pub(crate) fn area() -> Area {
    Area::new("care pages", "Care plans and the care calendar.").page(
        "/admin/care",
        Access::AdminPage,
        care_page,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    sku: String,
    from: String,
    to: String,
}

/// Calendar rows shown; the JSON API has them all.
const SHOWN: usize = 100;

async fn care_page(State(state): State<AppState>, PageQuery(p): PageQuery<Params>) -> PageResult {
    let sku = p.sku.trim().to_string();
    let (from_s, to_s) = (p.from.clone(), p.to.clone());
    let (plan, plan_error, calendar, calendar_error) = blocking(move || {
        let plans = app::care::plans(None)?;
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
        Ok((plan, plan_error, calendar, calendar_error))
    })
    .await?;
    let body = html! {
        div class="page-head" {
            h1 { "Care" }
            p { "What each piece needs after the sale, and what goes out when. Plans come from a data file ("
                code { "crates/care/data/care-plans.toml" } ", extended with " code { "loupe care plan --plans FILE" }
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
    };
    Ok(page("Care", "/admin/care", body))
}

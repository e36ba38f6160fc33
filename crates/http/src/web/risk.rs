//! The back-office's risk queue (issue 18): `/admin/risk` lists orders and
//! customers in `review` or `hold`, riskiest first, each with the reasons
//! that add up to its score, and a form for a person's decision (approve,
//! hold, review the refund) that goes into the decision log. Loupe flags;
//! a person decides.

use axum::extract::State;
use axum::response::Redirect;
use maud::{html, Markup};
use serde::Deserialize;

use super::{page, PageError, PageQuery, PageResult};
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::wire::risk::{RiskDecisionIn, RiskReasonOut};

pub(crate) fn area() -> Area {
    Area::new("risk pages", "The risk queue.")
        .admin_scope(Scope::AdminTrust)
        .page("/admin/risk", Access::AdminPage, risk_page)
        .page_post("/admin/risk/decide", Access::AdminPage, post_decide)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    decided: String,
}

const SHOWN: usize = 30;

fn reasons(why: &[RiskReasonOut]) -> Markup {
    html! {
        ul class="small reasons" {
            @for r in why { li { (r.detail) span class="muted" { " (+" (format!("{:.2}", r.contribution)) ")" } } }
        }
    }
}

fn decide_form(subject: &str) -> Markup {
    html! {
        form class="inline-form" method="post" action="/admin/risk/decide" {
            input type="hidden" name="subject" value=(subject);
            label class="visually-hidden" { "Your name" }
            input type="text" name="by" placeholder="Your name" required size="10";
            input type="text" name="note" placeholder="Why (optional)" size="14";
            button class="button ghost" type="submit" name="decision" value="approve" { "Approve" }
            button class="button ghost" type="submit" name="decision" value="hold" { "Hold" }
        }
    }
}

async fn risk_page(State(state): State<AppState>, PageQuery(p): PageQuery<Params>) -> PageResult {
    let (orders, customers) =
        blocking(move || Ok(app::risk::queue(&state.app, Some(app::risk::Band::Review))?)).await?;
    let body = html! {
        div class="page-head" {
            h1 { "Risk" }
            p { "Orders and customers whose history stands out, with the reasons that add up to each score. Scores read only what was bought, when, for how much and what came back: never a customer's country, postcode or any trait. Loupe flags; you decide, and each decision goes into the " a href="/admin/audit?kind=risk_decision" { "decision log" } "." }
        }
        @if !p.decided.is_empty() { p class="notice" role="status" { "Recorded in the decision log." } }
        section class="panel" aria-labelledby="orders" {
            h2 id="orders" { "Orders to review (" (orders.len()) ")" }
            @if orders.is_empty() {
                p class="muted" { "No order stands out. A first order far above the store's usual, several orders in a day, or a customer with a history of returns would show here." }
            } @else {
                div class="table-wrap" {
                    table data-risk-orders {
                        thead { tr { th scope="col" { "Order" } th scope="col" { "Score" } th scope="col" { "Why" } th scope="col" { "Decide" } } }
                        tbody {
                            @for o in orders.iter().take(SHOWN) {
                                tr data-band=(o.band) {
                                    td { strong { (o.order_id) } div class="muted small" { (o.customer_id.as_deref().unwrap_or("guest")) " · " (format!("{:.2}", o.value)) " · " (o.ordered_at.get(..10).unwrap_or(&o.ordered_at)) } }
                                    td { span class=(if o.band == "hold" { "badge bad" } else { "badge warn" }) { (o.band) } " " (format!("{:.2}", o.score)) }
                                    td { (reasons(&o.why)) }
                                    td { (decide_form(&format!("order:{}", o.order_id))) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="customers" {
            h2 id="customers" { "Customers whose returns stand out (" (customers.len()) ")" }
            @if customers.is_empty() {
                p class="muted" { "No customer stands out. Returns well above the store's rate, several sizes of one ring kept but one, or most of what they paid coming back would show here." }
            } @else {
                div class="table-wrap" {
                    table data-risk-customers {
                        thead { tr { th scope="col" { "Customer" } th scope="col" { "Score" } th scope="col" { "Why" } th scope="col" { "Decide" } } }
                        tbody {
                            @for c in customers.iter().take(SHOWN) {
                                tr data-band=(c.band) {
                                    td { strong { (c.customer_id) } div class="muted small" { (c.orders) " orders · " (c.units_returned) " of " (c.units_bought) " units back" } }
                                    td { span class=(if c.band == "hold" { "badge bad" } else { "badge warn" }) { (c.band) } " " (format!("{:.2}", c.return_abuse_score)) }
                                    td { (reasons(&c.why)) }
                                    td { (decide_form(&format!("customer:{}", c.customer_id))) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Risk", "/admin/risk", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecideForm {
    subject: String,
    decision: String,
    by: String,
    note: String,
}

async fn post_decide(
    State(state): State<AppState>,
    axum::Form(f): axum::Form<DecideForm>,
) -> Result<Redirect, PageError> {
    let input = RiskDecisionIn {
        subject: f.subject,
        decision: f.decision,
        by: f.by,
        note: Some(f.note).filter(|n| !n.trim().is_empty()),
    };
    blocking(move || Ok(app::risk::decide(&state.app, &input)?)).await?;
    Ok(Redirect::to("/admin/risk?decided=1"))
}

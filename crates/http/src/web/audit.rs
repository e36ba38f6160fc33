//! The back-office's decision log (issue 18): `/admin/audit` reads the
//! hash-chained log newest first, filtered by kind, subject and dates, each
//! entry with who or what decided, from what, and why; the chain's state
//! heads the page.

use axum::extract::State;
use maud::html;
use serde::Deserialize;

use super::{page, pager, url_encode, PageQuery, PageResult};
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;

pub(crate) fn area() -> Area {
    Area::new("audit pages", "The decision log.").admin_scope(Scope::AdminTrust).page(
        "/admin/audit",
        Access::AdminPage,
        audit_page,
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    kind: String,
    subject: String,
    from: String,
    to: String,
    page: usize,
}

const PER_PAGE: usize = 50;

async fn audit_page(State(state): State<AppState>, PageQuery(p): PageQuery<Params>) -> PageResult {
    let q = p.clone();
    let (verified, listed) = blocking(move || {
        let verified = app::decisions::verify(&state.app)?;
        let listed =
            app::decisions::Query::parse(Some(&q.kind), Some(&q.subject), Some(&q.from), Some(&q.to))
                .and_then(|query| {
                    app::decisions::list(&state.app, &query, (q.page.max(1) - 1) * PER_PAGE, PER_PAGE)
                });
        Ok((verified, listed))
    })
    .await?;
    let base = format!(
        "/admin/audit?kind={}&subject={}&from={}&to={}",
        url_encode(&p.kind),
        url_encode(&p.subject),
        url_encode(&p.from),
        url_encode(&p.to)
    );
    let body = html! {
        div class="page-head" {
            h1 { "Decision log" }
            p { "Every care message Loupe decided to send or not and each delivery, each support case's triage, a sample of the storefront's searches that a merchandising rule changed, of its recommendations and of its experiment assignments, and every decision a person made after Loupe's suggestion (replenishment, risk, support replies and corrections), in order. Each entry carries the hash of the one before it, so an edited or removed entry is found. Customers appear by pseudonym only." }
        }
        @if verified.ok && verified.entries == 0 {
            p class="notice" role="status" data-chain="empty" { "Nothing is recorded yet: the chain starts with the first decision." }
        } @else if verified.ok {
            p class="notice" role="status" data-chain="ok" {
                "The chain holds: " (verified.entries) " entries verified"
                @if let Some(cp) = &verified.checkpoint { " from the signed checkpoint after entry " (cp.through_seq) " (" (cp.pruned) " older entries pruned)" }
                ". " code { "loupe audit verify" } " checks it from the command line; " code { "loupe audit export" } " writes a copy that verifies on its own; " code { "loupe audit prune --older-than 365d" } " keeps the log to a retention period."
            }
        } @else {
            p class="notice bad" role="alert" data-chain="broken" {
                "The chain breaks at entry " (verified.first_broken.unwrap_or(0)) ": " (verified.problem.as_deref().unwrap_or("")) ". The store was changed outside Loupe."
            }
        }
        section class="panel" {
            form class="rule-form" method="get" action="/admin/audit" {
                label { "Kind" input type="text" name="kind" value=(p.kind) placeholder="care_message"; }
                label { "Subject" input type="text" name="subject" value=(p.subject) placeholder="customer:C000123"; }
                label { "From" input type="date" name="from" value=(p.from); }
                label { "To" input type="date" name="to" value=(p.to); }
                div { button class="button" type="submit" { "Show" } }
            }
            @match &listed {
                Err(e) => p class="notice bad" role="alert" { (e.message) },
                Ok(l) if l.items.is_empty() => p class="muted" {
                    "No decisions match. They are recorded as care messages are decided and delivered, as support cases arrive, as the storefront searches and recommends (sampled) and as people decide on replenishment, risk and support cases."
                },
                Ok(l) => {
                    p class="muted small" { (l.total) " entries" }
                    div class="table-wrap" {
                        table data-decisions {
                            thead { tr { th scope="col" class="num" { "#" } th scope="col" { "When (UTC)" } th scope="col" { "Decision" } th scope="col" { "Why" } th scope="col" { "By" } } }
                            tbody {
                                @for d in &l.items {
                                    tr data-kind=(d.kind) {
                                        td class="num" { (d.seq) }
                                        td { (d.at.get(..16).unwrap_or(&d.at).replace('T', " ")) }
                                        td {
                                            strong { (d.kind.replace('_', " ")) } " · " (d.subject)
                                            div class="small" { code { (d.output) } }
                                            div class="muted small" { "from " code { (d.inputs) } " · " (d.version) }
                                        }
                                        td class="small" {
                                            @if let Some(reasons) = d.reasons.as_array() {
                                                @for r in reasons {
                                                    div { (r.get("detail").and_then(|v| v.as_str()).or_else(|| r.get("signal").and_then(|v| v.as_str())).unwrap_or("")) }
                                                }
                                            } @else {
                                                code { (d.reasons) }
                                            }
                                        }
                                        td class="small" {
                                            (d.actor)
                                            @if let Some(by) = &d.override_by { div class="muted" { "overrode: " (by) " " (d.override_why.as_deref().unwrap_or("")) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    (pager(&base, "&", p.page.max(1), l.total.div_ceil(PER_PAGE)))
                }
            }
        }
    };
    Ok(page("Decision log", "/admin/audit", body))
}

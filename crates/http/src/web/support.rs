//! Support pages (issue 16).
//!
//! Back-office: `/admin/support`, the agent queue (open cases by priority
//! with their SLA clocks); `/admin/support/tickets/{id}`, one case: the
//! summary an agent starts from, the thread, the suggested reply with its
//! sources in an editable box, and forms to send it (recorded) and to
//! correct the intent (learnt by the next model); `/admin/support/kb`, the
//! knowledge base's passages with how often answers cited them.
//!
//! Storefront: `/help?q=` answers a question from the knowledge base, with
//! its sources and, always, a way to reach a person (`POST /help/contact`
//! opens a ticket). The chat panel on every shop page (the script's
//! `chat()`) asks `/help/answer?q=` for the same answer as JSON. Neither
//! ever shows facts about an order: anyone can type an order number.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::{page, pager, shop_of as shop, shop_page, url_encode, PageError, PageQuery, PageResult};
use crate::blocking;
use crate::error::{ApiError, Json};
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::support::{Caller, Show};
use app::wire::support::*;

pub(crate) fn area() -> Area {
    Area::new("support pages", "The agent queue, cases, the knowledge base, the storefront's help.")
        .admin_scope(Scope::AdminSupport)
        .page("/admin/support", Access::AdminPage, queue_page)
        .page("/admin/support/tickets/{id}", Access::AdminPage, ticket_page)
        .page_post("/admin/support/tickets/{id}/reply", Access::AdminPage, post_reply)
        .page_post("/admin/support/tickets/{id}/intent", Access::AdminPage, post_intent)
        .page("/admin/support/kb", Access::AdminPage, kb_page)
        .page("/help", Access::Open, help_page)
        .page("/help/answer", Access::Open, help_answer)
        .page_post("/help/contact", Access::Open, help_contact)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct QueueParams {
    status: Option<String>,
    page: Option<usize>,
    sent: Option<String>,
}

fn due(s: &SlaOut) -> Markup {
    html! {
        @if s.met_at.is_some() {
            span class={ "badge " (if s.breached { "bad" } else { "ok" }) } { @if s.breached { "met late" } @else { "met" } }
        } @else if s.breached {
            span class="badge bad" { "overdue " (hours(s.minutes_left.unwrap_or(0).abs())) }
        } @else if let Some(m) = s.minutes_left {
            span class={ "badge " (if m < 60 { "warn" } else { "" }) } { (hours(m)) " left" }
        } @else {
            span class="muted" { "no hours set" }
        }
    }
}

/// Working minutes as "3 h 05" or "2 d 4 h" (a working day is the brand's
/// opening hours, so days here are rough).
fn hours(minutes: i64) -> String {
    if minutes >= 60 * 24 {
        format!("{} d {} h", minutes / (60 * 24), (minutes % (60 * 24)) / 60)
    } else {
        format!("{} h {:02}", minutes / 60, minutes % 60)
    }
}

fn priority(label: &str) -> Markup {
    let class = match label {
        "urgent" => "badge bad",
        "high" => "badge warn",
        _ => "badge",
    };
    html! { span class=(class) { (label) } }
}

async fn queue_page(State(state): State<AppState>, PageQuery(p): PageQuery<QueueParams>) -> PageResult {
    let status = p.status.clone().unwrap_or_else(|| "open".into());
    let show = Show::parse(Some(&status)).unwrap_or(Show::Open);
    let page_no = p.page.unwrap_or(1);
    let q = blocking(move || Ok(app::support::queue(&state.app, show, page_no)?)).await?;
    let tabs = [("open", "Open"), ("escalated", "Escalated"), ("closed", "Closed"), ("all", "All")];
    let body = html! {
        div class="page-head" {
            h1 { "Support" }
            p { "Open cases by priority, then by the first-response clock. Loupe drafts a reply from the knowledge base and says why each case escalates; you decide what is sent. "
                a href="/admin/support/kb" { "Knowledge base" } "." }
        }
        @if let Some(id) = &p.sent { p class="notice" role="status" { "Saved on case " (id) "." } }
        div class="tiles kpis" {
            div class="panel" { strong { (q.open) } span class="muted" { " open" } }
            div class="panel" { strong { (q.escalated) } span class="muted" { " escalated" } }
            div class="panel" { strong { (q.breached) } span class="muted" { " past an SLA" } }
        }
        nav class="chips" aria-label="Which cases" {
            @for (key, label) in tabs {
                a class="badge" href={ "/admin/support?status=" (key) } aria-current=[(key == status).then_some("page")] { (label) }
            }
        }
        @if q.items.is_empty() {
            div class="panel placeholder" {
                h2 { "No cases here" }
                p { "Import a help desk's export with " code { "loupe import tickets FILE" } " (JSON Lines or CSV), or send messages to "
                    code { "POST /v1/tickets" } ". The storefront's help panel opens a case when a shopper asks for a person." }
            }
        } @else {
            div class="panel table-wrap" {
                table {
                    thead { tr {
                        th scope="col" { "Case" } th scope="col" { "Priority" } th scope="col" { "Intent" }
                        th scope="col" { "Customer" } th scope="col" { "First response" } th scope="col" { "Why it escalates" }
                    } }
                    tbody {
                        @for i in &q.items {
                            tr data-ticket=(i.id) {
                                td {
                                    a href={ "/admin/support/tickets/" (url_encode(&i.id)) } { (i.id) }
                                    div class="small" { (i.subject) }
                                    div class="muted small" { (i.created_at.get(..16).unwrap_or(&i.created_at).replace('T', " ")) " · " (i.channel) }
                                }
                                td { (priority(&i.priority_label)) div class="muted small" { (i.priority) } }
                                td { (i.intent) div class="muted small" { (i.sentiment) } }
                                td class="small" {
                                    (i.customer_id.as_deref().unwrap_or("guest"))
                                    @if let Some(o) = &i.order_id { div class="muted" { (o) } }
                                    @if let Some(d) = &i.deadline { div { "needs it by " strong { (d) } } }
                                }
                                td { (due(&i.first_response)) }
                                td class="small" {
                                    @if i.escalate {
                                        @for s in &i.signals { span class="badge warn" { (s.replace('_', " ")) } }
                                    } @else { span class="muted" { "routine" } }
                                }
                            }
                        }
                    }
                }
            }
            (pager(&format!("/admin/support?status={}", url_encode(&status)), "&", q.page, q.pages))
        }
    };
    Ok(page("Support", "/admin/support", body))
}

async fn ticket_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageQuery(p): PageQuery<QueueParams>,
) -> PageResult {
    let t = blocking(move || Ok(app::support::ticket_view(&state.app, &id)?)).await?;
    let s = &t.summary;
    let intents: Vec<&str> = support::Intent::ALL.iter().map(|i| i.as_str()).collect();
    let action = format!("/admin/support/tickets/{}", url_encode(&t.id));
    let body = html! {
        p class="crumbs" { a href="/admin/support" { "Support" } " / " (t.id) }
        div class="page-head" {
            h1 { (if t.subject.is_empty() { t.id.as_str() } else { t.subject.as_str() }) }
            p { (t.channel) " · opened " (t.created_at.replace('T', " ")) " · " (t.status)
                " · " (priority(&t.classified.priority_label)) }
        }
        @if p.sent.is_some() { p class="notice" role="status" { "Saved." } }
        div class="two-col" {
            section class="panel" aria-labelledby="summary" {
                h2 id="summary" { "Summary" }
                dl class="specs" {
                    dt { "Wants" } dd data-wants { "\u{201c}" (s.wants) "\u{201d}" }
                    dt { "Intent" } dd {
                        (s.intent_label) " " span class="muted" { "(" (s.intent) ", " (format!("{:.0}%", t.classified.confidence * 100.0)) ")" }
                        @if let Some(c) = &s.corrected_intent { div { "corrected by an agent to " strong { (c) } } }
                    }
                    dt { "Sentiment" } dd { (s.sentiment) }
                    @if !s.deadlines.is_empty() { dt { "Deadline" } dd { @for d in &s.deadlines { strong { (d) } " " } } }
                    dt { "Customer" } dd {
                        (t.customer_id.as_deref().unwrap_or("guest"))
                        @if let Some(c) = &t.contact { " · " (c) }
                    }
                    @if let Some(o) = &s.order {
                        dt { "Order" } dd {
                            (o.order_id) ": " (format!("{:.2}", o.total)) " " (o.currency) " on " (o.ordered_on.as_deref().unwrap_or("?")) ", " (o.status)
                            div class="small" { (o.items.join(", ")) }
                            @if let Some(pb) = &o.promised_by { div class="small muted" { "Promised by " (pb) ": " (o.promise_basis) } }
                        }
                    }
                    dt { "Orders" } dd {
                        @if s.orders.is_empty() { span class="muted" { "none on record" } }
                        @else { (s.orders.len()) " (latest " (s.orders[0].ordered_on) ")" }
                    }
                    dt { "Earlier cases" } dd {
                        @if s.earlier_tickets.is_empty() { span class="muted" { "none" } }
                        @for e in &s.earlier_tickets {
                            div class="small" { a href={ "/admin/support/tickets/" (url_encode(&e.id)) } { (e.id) } " " (e.created_at.get(..10).unwrap_or("")) " " (e.intent) " (" (e.status) ")" }
                        }
                    }
                }
                h3 { "Why" }
                ul class="why-list" {
                    @for w in &t.classified.why {
                        li { span class="badge" { (w.signal.replace('_', " ")) } " " (w.detail) }
                    }
                }
                p { "First response: " (due(&t.first_response)) " Resolution: " (due(&t.resolution)) }
            }
            section class="panel" aria-labelledby="thread" {
                h2 id="thread" { "Thread" }
                @for m in &t.messages {
                    article class={ "message " (m.from) } {
                        p class="muted small" { (m.from) @if let Some(a) = &m.author { " · " (a) } " · " (m.at.replace('T', " ")) }
                        p class="body" { (m.body) }
                    }
                }
            }
        }
        section class="panel" aria-labelledby="reply" {
            h2 id="reply" { "Reply" }
            @match &t.suggested.answer {
                Some(_) => p class="muted" { "Drafted from the knowledge base; edit it before sending. Sources:" },
                None => p class="muted" { "The knowledge base does not cover this case, so there is no draft: write the reply yourself." },
            }
            @if !t.suggested.citations.is_empty() {
                ul class="sources" {
                    @for c in &t.suggested.citations { li { strong { (c.heading) } " (" (c.source) ")" } }
                }
            }
            form class="rule-form" method="post" action={ (action) "/reply" } {
                label class="wide" { "Message to the customer"
                    textarea name="body" rows="8" required { (t.suggested.answer.clone().unwrap_or_default()) }
                }
                label { "Your name" input type="text" name="author" autocomplete="name"; }
                label class="inline" { input type="checkbox" name="close" value="true"; "Close the case" }
                div class="wide" { button class="button" type="submit" { "Send reply" } }
            }
            form class="rule-form" method="post" action={ (action) "/intent" } {
                label { "Correct the intent"
                    select name="intent" {
                        @for i in &intents {
                            option value=(i) selected[*i == s.corrected_intent.as_deref().unwrap_or(&s.intent)] { (i) }
                        }
                    }
                }
                div { button class="button ghost" type="submit" { "Save intent" } }
                p class="hint muted wide" { "Corrections are kept as training data: the classifier learns them the next time it is asked." }
            }
        }
    };
    Ok(page(&format!("Case {}", t.id), "/admin/support", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReplyForm {
    body: String,
    author: String,
    close: Option<String>,
}

async fn post_reply(
    State(state): State<AppState>,
    caller: Option<axum::Extension<crate::auth::Caller>>,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ReplyForm>,
) -> Result<Redirect, PageError> {
    let actor = caller.map_or_else(|| "open".to_string(), |c| c.0.actor());
    let input = ReplyIn { body: f.body, author: Some(f.author), close: f.close.is_some() };
    let back = format!("/admin/support/tickets/{}?sent=1", url_encode(&id));
    blocking(move || Ok(app::support::reply(&state.app, &id, &input, &actor)?)).await?;
    Ok(Redirect::to(&back))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IntentForm {
    intent: String,
}

async fn post_intent(
    State(state): State<AppState>,
    caller: Option<axum::Extension<crate::auth::Caller>>,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<IntentForm>,
) -> Result<Redirect, PageError> {
    let actor = caller.map_or_else(|| "open".to_string(), |c| c.0.actor());
    let back = format!("/admin/support/tickets/{}?sent=1", url_encode(&id));
    blocking(move || {
        Ok(app::support::correct(&state.app, &id, &IntentIn { intent: f.intent, author: None }, &actor)?)
    })
    .await?;
    Ok(Redirect::to(&back))
}

async fn kb_page(State(state): State<AppState>) -> PageResult {
    let kb = blocking(move || Ok(app::support::kb_list(&state.app)?)).await?;
    let body = html! {
        p class="crumbs" { a href="/admin/support" { "Support" } " / Knowledge base" }
        div class="page-head" {
            h1 { "Knowledge base" }
            p { "The passages Loupe answers from, and the questions that used them. Loupe answers only from these: what they do not say, it does not answer. Import a help page with "
                code { "loupe import kb FILE" } " (Markdown, HTML, or CSV with question and answer columns) or " code { "POST /v1/kb" } "; importing the same file again replaces its passages." }
        }
        @if kb.passages.is_empty() {
            div class="panel placeholder" { h2 { "No passages yet" } p { "Import the brand's FAQ or help pages to let Loupe answer shoppers." } }
        } @else {
            p class="muted" { (kb.passages.len()) " passages from " (kb.sources.len()) " sources." }
            div class="panel table-wrap" {
                table {
                    thead { tr { th scope="col" { "Passage" } th scope="col" class="num" { "Cited" } th scope="col" { "Latest questions" } } }
                    tbody {
                        @for p in &kb.passages {
                            tr {
                                td { strong { (p.heading) } div class="muted small" { (p.source) ", line " (p.line) }
                                     div class="small" { (p.text.chars().take(220).collect::<String>()) @if p.text.chars().count() > 220 { "…" } } }
                                td class="num" { (p.used) }
                                td class="small" { @for q in &p.questions { div { "\u{201c}" (q) "\u{201d}" } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Knowledge base", "/admin/support", body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HelpParams {
    q: String,
    sent: Option<String>,
}

async fn help_page(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<HelpParams>,
) -> Result<Response, PageError> {
    let q = p.q.trim().chars().take(app::support::MAX_MESSAGE_CHARS).collect::<String>();
    let sent = p.sent.clone();
    let (shop, answer) = blocking(move || {
        let shop = shop(&state)?;
        let answer = if q.is_empty() {
            None
        } else {
            Some(app::support::answer(
                &state.app,
                &MessageIn { text: q, ..MessageIn::default() },
                Caller::Shopper,
                true,
            )?)
        };
        Ok((shop, answer))
    })
    .await?;
    let body = html! {
        div class="wrap help" {
            div class="page-head" {
                h1 { "Help" }
                p { "Answers come from our own help pages, with the page they are from. A person is always a message away." }
            }
            @if sent.is_some() {
                p class="notice" role="status" { "Thank you: your message is with our team, and a person will reply." }
            }
            form class="search-form help-form" action="/help" method="get" {
                label class="visually-hidden" for="help-q" { "Your question" }
                input id="help-q" name="q" type="search" value=(p.q) placeholder="How long does shipping take?" autocomplete="off";
                button type="submit" { "Ask" }
            }
            @if let Some(a) = &answer { (answer_block(a)) }
            (contact_form(&p.q))
        }
    };
    Ok(shop_page(&shop, "Help", "", "", body).into_response())
}

/// The answer with its sources, or a plain "we don't know" that sends the
/// shopper to a person.
pub(crate) fn answer_block(a: &Answered) -> Markup {
    html! {
        section class="panel answer" aria-live="polite" {
            @match &a.answer {
                Some(text) => {
                    @for para in text.split("\n\n") { p { (para) } }
                    p class="muted small" { "From: "
                        @for (i, c) in a.citations.iter().enumerate() { @if i > 0 { "; " } (c.heading) }
                    }
                }
                None => p { "Our help pages don't answer that, so we won't guess. Ask our team below and a person will reply." },
            }
        }
    }
}

fn contact_form(question: &str) -> Markup {
    html! {
        details class="panel contact" id="contact" open[!question.is_empty()] {
            summary { "Talk to a person" }
            form class="rule-form" method="post" action="/help/contact" {
                label class="wide" { "Your message" textarea name="body" rows="4" required { (question) } }
                label { "Your e-mail, so we can reply" input type="email" name="contact" autocomplete="email" required; }
                label { "Order number (if it is about an order)" input type="text" name="order_id"; }
                div class="wide" { button class="button" type="submit" { "Send to our team" } }
            }
        }
    }
}

async fn help_answer(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<HelpParams>,
) -> Result<Json<Answered>, ApiError> {
    let q = p.q;
    Ok(Json(
        blocking(move || {
            Ok(app::support::answer(
                &state.app,
                &MessageIn { text: q, ..MessageIn::default() },
                Caller::Shopper,
                true,
            )?)
        })
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ContactForm {
    body: String,
    contact: String,
    order_id: String,
}

async fn help_contact(
    State(state): State<AppState>,
    axum::Form(f): axum::Form<ContactForm>,
) -> Result<Redirect, PageError> {
    let input = TicketIn {
        body: f.body,
        subject: Some("From the shop's help page".into()),
        order_id: Some(f.order_id).filter(|o| !o.trim().is_empty()),
        channel: Some("chat".into()),
        contact: Some(f.contact).filter(|c| !c.trim().is_empty()),
        ..TicketIn::default()
    };
    blocking(move || Ok(app::support::receive(&state.app, &input, Caller::Shopper)?)).await?;
    Ok(Redirect::to("/help?sent=1"))
}

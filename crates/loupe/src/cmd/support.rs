//! `loupe support classify|answer|queue|ticket`: the support use cases of
//! `app::support` from the command line, through the running server when
//! one holds the data directory. `classify` and `answer` take the message
//! as an argument, or one message per line on stdin, and print one JSON
//! line each with `--json`.

use crate::out::outln;
use std::io::{BufRead, Read};
use std::path::Path;

use app::support::Caller;
use app::wire::support::{Answered, Classified, MessageIn, Queue, TicketView};

use super::Opened;
use crate::remote::{encode, Server};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: SupportCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum SupportCommand {
    /// The intent, entities, sentiment and escalation of a message, with why.
    #[command(
        after_help = "Intents: order_status, cancel_order, order_change, place_order, shipping, address_change, \
returns, refund, payment, invoice, account, complaint, feedback, human_agent, newsletter, sizing, care, \
authenticity, repair_warranty, engraving, gift, custom_order, product_question, other.\n\
Entity kinds: order_id, date (deadline: true when the customer needs something by then), ring_size, amount, product.\n\
Escalation signals: human_request, abuse, authenticity_legal, chargeback, lost_or_damaged, health_safety, \
high_value, deadline_at_risk, negative_sentiment, low_confidence, complaint, learned (1 each), an allergy without a reaction (0.3); \
a message escalates when they sum to 1 or more."
    )]
    Classify(MessageArgs),
    /// The reply the brand's knowledge base gives, with the passages it cites;
    /// `answer` is null (and `escalate` true) when no passage covers the question.
    Answer(MessageArgs),
    /// The agent queue: open cases by priority, with their SLA clocks.
    Queue {
        /// `open` (default), `escalated`, `closed` or `all`.
        #[arg(long, default_value = "open")]
        status: String,
        #[arg(long, default_value_t = 1)]
        page: usize,
        #[arg(long)]
        json: bool,
    },
    /// One case: the thread, the summary, the suggested reply, the clocks.
    Ticket {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct MessageArgs {
    /// The message; without it, one message per line is read from stdin.
    pub text: Option<String>,
    /// When the message was written (RFC 3339): dates in it are read from that day. Default: now.
    #[arg(long)]
    pub at: Option<String>,
    /// The customer who wrote it (order facts are shown only for their own orders).
    #[arg(long)]
    pub customer: Option<String>,
    /// The order it is about, if the message does not say.
    #[arg(long)]
    pub order: Option<String>,
    /// One JSON object per message.
    #[arg(long)]
    pub json: bool,
}

fn messages(args: &MessageArgs) -> anyhow::Result<Vec<String>> {
    if let Some(t) = &args.text {
        return Ok(vec![t.clone()]);
    }
    let mut all = String::new();
    std::io::stdin().lock().read_to_string(&mut all)?;
    Ok(all.as_bytes().lines().map_while(Result::ok).filter(|l| !l.trim().is_empty()).collect())
}

fn input(args: &MessageArgs, text: String) -> MessageIn {
    MessageIn { text, at: args.at.clone(), customer_id: args.customer.clone(), order_id: args.order.clone() }
}

fn post<T: serde::de::DeserializeOwned>(server: &Server, path: &str, body: &MessageIn) -> anyhow::Result<T> {
    let json = serde_json::to_vec(body)?;
    server.post(path, "application/json", &mut json.as_slice(), json.len() as u64)?.json()
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.command {
        SupportCommand::Classify(m) => {
            let opened = super::open(data)?;
            for text in messages(&m)? {
                let c: Classified = match &opened {
                    Opened::Local(app) => app::support::classify(app, &input(&m, text), Caller::Trusted)?,
                    Opened::Server(s) => post(s, "/v1/support/classify", &input(&m, text))?,
                };
                if m.json {
                    outln!("{}", serde_json::to_string(&c)?);
                } else {
                    print_classified(&c);
                }
            }
        }
        SupportCommand::Answer(m) => {
            let opened = super::open(data)?;
            for text in messages(&m)? {
                let a: Answered = match &opened {
                    Opened::Local(app) => app::support::answer(app, &input(&m, text), Caller::Trusted, true)?,
                    Opened::Server(s) => post(s, "/v1/support/answer", &input(&m, text))?,
                };
                if m.json {
                    outln!("{}", serde_json::to_string(&a)?);
                } else {
                    print_answered(&a);
                }
            }
        }
        SupportCommand::Queue { status, page, json } => {
            let show = app::support::Show::parse(Some(&status))?;
            let q: Queue = match super::open(data)? {
                Opened::Local(app) => app::support::queue(&app, show, page)?,
                Opened::Server(s) => {
                    s.get_json(&format!("/v1/support/queue?status={}&page={page}", encode(&status)))?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&q)?);
            } else {
                print_queue(&q);
            }
        }
        SupportCommand::Ticket { id, json } => {
            let t: TicketView = match super::open(data)? {
                Opened::Local(app) => app::support::ticket_view(&app, &id)?,
                Opened::Server(s) => s.get_json(&format!("/v1/tickets/{}", encode(&id)))?,
            };
            if json {
                outln!("{}", serde_json::to_string(&t)?);
            } else {
                print_ticket(&t);
            }
        }
    }
    Ok(())
}

fn print_why(why: &[app::wire::support::WhyOut]) {
    for w in why {
        outln!("  {:<20} {:>5.2}  {}", w.signal, w.contribution, w.detail);
    }
}

fn print_classified(c: &Classified) {
    outln!(
        "{} ({:.0}%), {}, priority {} ({}){}",
        c.intent,
        c.confidence * 100.0,
        c.sentiment,
        c.priority,
        c.priority_label,
        if c.escalate { ", ESCALATE to a person" } else { "" }
    );
    for e in &c.entities {
        outln!("  {} {}{}", e.kind, e.value, if e.deadline { " (deadline)" } else { "" });
    }
    print_why(&c.why);
}

fn print_answered(a: &Answered) {
    match &a.answer {
        Some(text) => {
            outln!("{text}");
            for c in &a.citations {
                outln!("  [source: {} > {}]", c.source, c.heading);
            }
        }
        None => outln!("(no answer: the knowledge base does not cover this; it goes to a person)"),
    }
    if a.escalate && a.answer.is_some() {
        outln!("  escalate to a person as well");
    }
    print_why(&a.why);
}

fn print_queue(q: &Queue) {
    if q.total == 0 {
        outln!("No cases here. Import tickets with `loupe import tickets FILE`, or send them to POST /v1/tickets.");
        return;
    }
    outln!(
        "{} open, {} escalated, {} past an SLA; page {} of {}",
        q.open,
        q.escalated,
        q.breached,
        q.page,
        q.pages
    );
    outln!("{:<10} {:<8} {:<17} {:<10} {:<10} {}", "id", "priority", "intent", "sentiment", "due", "subject");
    for i in &q.items {
        let due = match (i.first_response.breached, i.first_response.minutes_left) {
            (true, _) => "overdue".to_string(),
            (_, Some(m)) => format!("{}h{:02}", m / 60, m % 60),
            _ => "answered".to_string(),
        };
        outln!(
            "{:<10} {:<8} {:<17} {:<10} {:<10} {}{}",
            i.id,
            i.priority_label,
            i.intent,
            i.sentiment,
            due,
            i.subject,
            if i.escalate { " [escalated]" } else { "" }
        );
    }
}

fn print_ticket(t: &TicketView) {
    outln!("{} ({}, {}) {}", t.id, t.channel, t.status, t.subject);
    outln!("wants: {}", t.summary.wants);
    outln!("intent: {} ({}), sentiment {}", t.summary.intent, t.summary.intent_label, t.summary.sentiment);
    if let Some(o) = &t.summary.order {
        outln!(
            "order {}: {} {} on {}, {}",
            o.order_id,
            o.total,
            o.currency,
            o.ordered_on.as_deref().unwrap_or("?"),
            o.status
        );
    }
    for m in &t.messages {
        outln!("-- {} {} {}", m.at, m.from, m.author.as_deref().unwrap_or(""));
        outln!("{}", m.body);
    }
    outln!("-- suggested reply");
    match &t.suggested.answer {
        Some(a) => outln!("{a}"),
        None => outln!("(none: the knowledge base does not cover it)"),
    }
}

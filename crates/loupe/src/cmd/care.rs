//! `loupe care plan --sku SKU`: a purchased piece's care plan (materials,
//! cautions, and each message with the day after delivery it is due and
//! why), from the built-in plans extended by `--plans FILE`. Goes through a
//! running server when one holds the data directory.

use crate::out::outln;
use std::path::{Path, PathBuf};

use anyhow::Context;
use app::wire::care::{
    CarePlanOut, ConsentIn, ConsentOut, DeliveryRunOut, DeliverySettings, OutboxMessageOut, OutboxPage,
    ScheduleOut,
};

use super::Opened;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: CareCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum CareCommand {
    /// The care plan of the variant with a SKU.
    #[command(
        after_help = "Cautions: no_ultrasonic, no_steam, no_chemicals, no_perfume_contact, remove_before_swimming, \
no_abrasive_polish, store_separately, store_dry.\n\
Messages: {\"day\" (after delivery), \"topic\", \"title\", \"body\", \"channel\", \"why\"} and \"on\" (the date) with --purchased-on.\n\
Plans: crates/care/data/care-plans.toml is built in; --plans FILE adds or replaces plans by key (same shape)."
    )]
    Plan {
        #[arg(long)]
        sku: String,
        /// The purchase date (YYYY-MM-DD): messages then carry their dates, counted from the estimated delivery.
        #[arg(long)]
        purchased_on: Option<String>,
        /// A TOML file of care plans extending the built-in ones (a plan with the same key replaces it).
        #[arg(long)]
        plans: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The care calendar: every message due in a window, planned or suppressed with the reason
    /// (returned, no_customer, forgotten, no_consent, open_complaint, paused, frequency_cap).
    Schedule {
        /// First day (YYYY-MM-DD); default today.
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD); default a week after --from. At most 366 days.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        plans: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Stores the brand's care-plans file (TOML, the shape of crates/care/data/care-plans.toml): every
    /// later plan, calendar and delivery uses it on top of the built-in plans.
    Plans {
        /// The file to store; without it (and without --clear), lists the plans in use.
        #[arg(long)]
        set: Option<PathBuf>,
        /// Go back to the built-in plans only.
        #[arg(long, conflicts_with = "set")]
        clear: bool,
    },
    /// Shows or changes how the outbox delivers: a webhook (signed as Standard Webhooks says)
    /// and/or an SMTP server. Without either, nothing is decided or sent.
    #[command(
        after_help = "Examples:\n  loupe care delivery --webhook-url https://hooks.brand.example/loupe\n  \
loupe care delivery --smtp-url 'smtps://user:pass@smtp.brand.example' --from 'Brand Care <care@brand.example>' \
--public-url https://care.brand.example\n\
The webhook's signing secret (whsec_...) is made when a URL is first set and shown here; --rotate-secret makes a new one."
    )]
    Delivery {
        #[arg(long)]
        webhook_url: Option<String>,
        /// smtp://host:port, smtp://host:587?tls=required (STARTTLS) or smtps://user:password@host:465.
        #[arg(long)]
        smtp_url: Option<String>,
        /// The e-mails' sender: 'Brand Care <care@brand.example>'.
        #[arg(long)]
        from: Option<String>,
        /// Where shoppers reach this Loupe (the unsubscribe and confirmation pages).
        #[arg(long)]
        public_url: Option<String>,
        /// The first retry's delay in milliseconds (each next one doubles, with jitter, to 6 hours).
        #[arg(long)]
        retry_base_ms: Option<u64>,
        /// Failed attempts before a message goes to the dead letters.
        #[arg(long)]
        max_attempts: Option<u32>,
        /// Grants made through Loupe count only once the customer confirms by e-mail.
        #[arg(long)]
        double_opt_in: Option<bool>,
        /// Stop sending to the webhook.
        #[arg(long)]
        no_webhook: bool,
        /// Stop sending e-mail.
        #[arg(long)]
        no_smtp: bool,
        /// Make a new webhook signing secret.
        #[arg(long)]
        rotate_secret: bool,
        #[arg(long)]
        json: bool,
    },
    /// Decides the care messages due since the last run and delivers what is due, retrying
    /// failures with backoff until none is left pending (or the next retry is over a minute away).
    Deliver {
        /// Decide from this day (YYYY-MM-DD) instead of the last run (the first run looks one day back).
        #[arg(long)]
        since: Option<String>,
        /// One pass: do not wait for retries.
        #[arg(long)]
        once: bool,
        #[arg(long)]
        json: bool,
    },
    /// The outbox: messages pending, sent, dead (every attempt failed) or suppressed, newest first.
    Outbox {
        /// pending, sent, dead or suppressed.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long)]
        json: bool,
    },
    /// Puts a dead message back in the queue (after fixing what made it fail).
    Retry {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Records a customer's consent change for a channel, or shows their history.
    Consent {
        #[arg(long)]
        customer: String,
        /// email or sms.
        #[arg(long, default_value = "email")]
        channel: String,
        #[arg(long, conflicts_with = "withdraw")]
        grant: bool,
        #[arg(long)]
        withdraw: bool,
        /// Where it was given or withdrawn: checkout, preference_center, support, ...
        #[arg(long, default_value = "cli")]
        source: String,
        /// The e-mail address or phone number the consent is for.
        #[arg(long)]
        address: Option<String>,
        /// When (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        /// The customer's UTC offset (+01:00, -05:00): messages go at 10:00 there, never in quiet hours.
        #[arg(long, allow_hyphen_values = true)]
        utc_offset: Option<String>,
        /// How the brand greets them in care messages ({first_name} in the plans).
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.command {
        CareCommand::Plan { sku, purchased_on, plans, json } => {
            let purchased =
                purchased_on.as_deref().map(|d| app::care::parse_date("--purchased-on", d)).transpose()?;
            let extra = match &plans {
                Some(p) => Some(
                    std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))?,
                ),
                None => None,
            };
            let plan: CarePlanOut = match super::open(data)? {
                Opened::Local(app) => {
                    let set = match &extra {
                        Some(text) => app::care::plans(Some(text))?,
                        None => app::care::stored_plans(&app)?,
                    };
                    app::care::plan_for_sku(&app, &sku, purchased, &set)?
                }
                Opened::Server(server) => {
                    if plans.is_some() {
                        anyhow::bail!(
                            "--plans is not sent to a running server; stop it, or leave --plans out"
                        );
                    }
                    let mut path = format!("/v1/care/plan?sku={}", encode(&sku));
                    if let Some(d) = &purchased_on {
                        path.push_str(&format!("&purchased_on={}", encode(d)));
                    }
                    server.get_json(&path)?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&plan)?);
            } else {
                print(&plan);
            }
        }
        CareCommand::Schedule { from, to, plans, json } => {
            let today = super::system_clock().today();
            let from_day = match &from {
                Some(d) => app::care::parse_date("--from", d)?,
                None => today,
            };
            let to_day = match &to {
                Some(d) => app::care::parse_date("--to", d)?,
                None => from_day + chrono::Duration::days(7),
            };
            let extra = match &plans {
                Some(p) => Some(
                    std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))?,
                ),
                None => None,
            };
            let out: ScheduleOut = match super::open(data)? {
                Opened::Local(app) => {
                    let set = match &extra {
                        Some(text) => app::care::plans(Some(text))?,
                        None => app::care::stored_plans(&app)?,
                    };
                    app::care::schedule(&app, from_day, to_day, &set)?
                }
                Opened::Server(server) => {
                    if plans.is_some() {
                        anyhow::bail!(
                            "--plans is not sent to a running server; stop it, or leave --plans out"
                        );
                    }
                    server.get_json(&format!("/v1/care/schedule?from={from_day}&to={to_day}"))?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&out)?);
            } else {
                print_schedule(&out);
            }
        }
        CareCommand::Plans { set, clear } => {
            let Opened::Local(app) = super::open(data)? else {
                anyhow::bail!("`loupe care plans` works on the store itself: stop the running server first");
            };
            let text = match &set {
                Some(p) => Some(
                    std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))?,
                ),
                None => None,
            };
            let plans = if set.is_some() || clear {
                app::care::put_brand_plans(&app, text.as_deref())?
            } else {
                app::care::stored_plans(&app)?
            };
            outln!(
                "{} care plans in use{}",
                plans.len(),
                if set.is_some() { " (the brand's file stored)" } else { "" }
            );
        }
        CareCommand::Delivery {
            webhook_url,
            smtp_url,
            from,
            public_url,
            retry_base_ms,
            max_attempts,
            double_opt_in,
            no_webhook,
            no_smtp,
            rotate_secret,
            json,
        } => {
            let changes = webhook_url.is_some()
                || smtp_url.is_some()
                || from.is_some()
                || public_url.is_some()
                || retry_base_ms.is_some()
                || max_attempts.is_some()
                || double_opt_in.is_some()
                || no_webhook
                || no_smtp
                || rotate_secret;
            let edit = |mut s: DeliverySettings| {
                if webhook_url.is_some() {
                    s.webhook_url = webhook_url.clone();
                }
                if no_webhook {
                    s.webhook_url = None;
                    s.webhook_secret = None;
                }
                if smtp_url.is_some() {
                    s.smtp_url = smtp_url.clone();
                }
                if no_smtp {
                    s.smtp_url = None;
                }
                if from.is_some() {
                    s.from = from.clone();
                }
                if public_url.is_some() {
                    s.public_url = public_url.clone();
                }
                if let Some(v) = retry_base_ms {
                    s.retry_base_ms = v;
                }
                if let Some(v) = max_attempts {
                    s.max_attempts = v;
                }
                if let Some(v) = double_opt_in {
                    s.double_opt_in = v;
                }
                s
            };
            let out: DeliverySettings = match super::open(data)? {
                Opened::Local(app) => {
                    let current = app::outbox::settings(&app)?;
                    if changes {
                        app::outbox::put_settings(&app, edit(current), rotate_secret)?
                    } else {
                        current
                    }
                }
                Opened::Server(server) => {
                    let current: DeliverySettings = server.get_json("/v1/care/delivery")?;
                    if changes {
                        let path = if rotate_secret {
                            "/v1/care/delivery?rotate_secret=true"
                        } else {
                            "/v1/care/delivery"
                        };
                        server.send_json("PUT", path, &edit(current))?
                    } else {
                        current
                    }
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&out)?);
            } else {
                print_delivery(&out);
            }
        }
        CareCommand::Deliver { since, once, json } => {
            let since_ms = since
                .as_deref()
                .map(|d| app::care::parse_date("--since", d))
                .transpose()?
                .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis());
            let total = match super::open(data)? {
                Opened::Local(app) => deliver_until_idle(&app, since_ms, once)?,
                Opened::Server(server) => {
                    let mut path = String::from("/v1/outbox/run");
                    if let Some(d) = &since {
                        path.push_str(&format!("?since={}", encode(d)));
                    }
                    server.send_json("POST", &path, &serde_json::json!({}))?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&total)?);
            } else {
                print_run(&total);
            }
        }
        CareCommand::Outbox { status, limit, offset, json } => {
            let page: OutboxPage = match super::open(data)? {
                Opened::Local(app) => app::outbox::list(&app, status.as_deref(), offset, limit.min(1000))?,
                Opened::Server(server) => {
                    let mut path = format!("/v1/outbox?limit={limit}&offset={offset}");
                    if let Some(s) = &status {
                        path.push_str(&format!("&status={}", encode(s)));
                    }
                    server.get_json(&path)?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&page)?);
            } else {
                print_outbox(&page);
            }
        }
        CareCommand::Retry { id, json } => {
            let m: OutboxMessageOut = match super::open(data)? {
                Opened::Local(app) => app::outbox::retry(&app, &id, "cli")?,
                Opened::Server(server) => server.send_json(
                    "POST",
                    &format!("/v1/outbox/{}/retry", encode(&id)),
                    &serde_json::json!({}),
                )?,
            };
            if json {
                outln!("{}", serde_json::to_string(&m)?);
            } else {
                outln!("{} is pending again: it goes out at the next delivery run.", m.id);
            }
        }
        CareCommand::Consent {
            customer,
            channel,
            grant,
            withdraw,
            source,
            address,
            at,
            utc_offset,
            first_name,
            json,
        } => {
            let out: ConsentOut = if grant || withdraw {
                let input = ConsentIn {
                    customer_id: customer,
                    channel,
                    granted: grant,
                    source,
                    at,
                    address,
                    utc_offset,
                    first_name,
                };
                match super::open(data)? {
                    Opened::Local(app) => app::care::record_consent(&app, &input)?,
                    Opened::Server(server) => server.send_json("POST", "/v1/consent", &input)?,
                }
            } else {
                match super::open(data)? {
                    Opened::Local(app) => app::care::consent(&app, &customer)?,
                    Opened::Server(server) => {
                        server.get_json(&format!("/v1/consent/{}", encode(&customer)))?
                    }
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&out)?);
            } else {
                outln!(
                    "{}: e-mail {}, SMS {}",
                    out.customer_id,
                    if out.email { "yes" } else { "no" },
                    if out.sms { "yes" } else { "no" }
                );
                for c in &out.history {
                    outln!(
                        "  {} {:<5} {}{} ({}){}",
                        c.at,
                        c.channel,
                        if c.granted { "granted" } else { "withdrawn" },
                        if c.pending { ", waiting for confirmation" } else { "" },
                        c.source,
                        c.address.as_deref().map(|a| format!(" {a}")).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}

/// Runs the outbox until nothing is pending, waiting for retries due
/// within a minute.
fn deliver_until_idle(app: &app::App, since: Option<i64>, once: bool) -> anyhow::Result<DeliveryRunOut> {
    let plans = app::care::stored_plans(app)?;
    let mut total = app::outbox::run(app, &plans, since)?;
    while !once && total.pending > 0 {
        let Some(next) = app.store.outbox_next_due()? else { break };
        let wait = next - app.clock.now_ms();
        if wait > 60_000 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(wait.clamp(1, 60_000) as u64));
        total.add(app::outbox::run(app, &plans, None)?);
    }
    Ok(total)
}

fn print_delivery(s: &DeliverySettings) {
    outln!("webhook:     {}", s.webhook_url.as_deref().unwrap_or("none"));
    if let Some(secret) = &s.webhook_secret {
        outln!("  secret:    {secret}  (verify webhook-signature with it)");
    }
    outln!("smtp:        {}", s.smtp_url.as_deref().map(mask_password).unwrap_or_else(|| "none".into()));
    outln!("from:        {}", s.from.as_deref().unwrap_or("none"));
    outln!(
        "public url:  {}",
        s.public_url.as_deref().unwrap_or("none (e-mail needs it for unsubscribe links)")
    );
    outln!("retries:     {} attempts, first after {} ms, doubling", s.max_attempts, s.retry_base_ms);
    outln!("double opt-in: {}", if s.double_opt_in { "yes" } else { "no" });
    if s.webhook_url.is_none() && s.smtp_url.is_none() {
        outln!("Delivery is off: set --webhook-url or --smtp-url to start sending care messages.");
    }
}

fn mask_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn print_run(r: &DeliveryRunOut) {
    let suppressed: usize = r.suppressed.values().sum();
    outln!("decided: {} queued, {} suppressed, {} already decided", r.queued, suppressed, r.already_decided);
    for (reason, n) in &r.suppressed {
        outln!("  suppressed, {reason}: {n}");
    }
    outln!(
        "delivered: {} sent of {} attempts, {} to retry, {} dead",
        r.sent,
        r.attempted,
        r.retrying,
        r.dead
    );
    for (reason, n) in &r.withheld {
        outln!("  withheld at send time, {reason}: {n}");
    }
    match &r.next_due_at {
        Some(t) => outln!("{} pending; the next is due at {t}", r.pending),
        None => outln!("nothing pending"),
    }
}

fn print_outbox(p: &OutboxPage) {
    let counts: Vec<String> = p.counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    outln!("{} messages ({})", p.counts.values().sum::<usize>(), counts.join(", "));
    if !p.delivery_configured {
        outln!("Delivery is off: `loupe care delivery --webhook-url URL` or `--smtp-url URL` turns it on.");
    }
    if p.items.is_empty() {
        outln!("Nothing here yet.");
    }
    for m in &p.items {
        outln!(
            "{} {:<10} {:<5} {:<18} {} {}{}",
            &m.due_at[..16],
            m.status,
            m.channel,
            m.topic,
            m.id,
            m.customer_id.as_deref().unwrap_or("guest"),
            m.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
    }
    if p.next_cursor.is_some() {
        outln!("more: --offset {}", p.offset + p.items.len());
    }
}

fn print_schedule(s: &ScheduleOut) {
    outln!("{} to {}: {} planned, {} suppressed", s.from, s.to, s.planned, s.suppressed);
    for (reason, n) in &s.by_reason {
        outln!("  suppressed, {reason}: {n}");
    }
    if s.messages.is_empty() {
        outln!("Nothing is due in this window. Import orders (loupe import orders) and widen --from/--to.");
    }
    for m in s.messages.iter().take(200) {
        outln!(
            "{} {:<10} {:<8} {:<18} {} {}{}",
            &m.at[..16],
            m.status,
            m.channel,
            m.topic,
            m.order_id,
            m.customer_id.as_deref().unwrap_or("guest"),
            m.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
    }
    if s.messages.len() > 200 {
        outln!("... and {} more (--json has them all)", s.messages.len() - 200);
    }
}

fn print(p: &CarePlanOut) {
    outln!("{} ({}), SKU {}", p.title, p.handle, p.sku);
    if !p.materials.is_empty() {
        outln!("materials: {}", p.materials.join(", "));
    }
    outln!("cautions:  {}", if p.cautions.is_empty() { "none".to_string() } else { p.cautions.join(", ") });
    if let (Some(d), Some(b)) = (&p.delivered_on, &p.delivery_basis) {
        outln!("delivered: {d} (estimated: {b})");
    }
    for m in &p.messages {
        let when = m.on.clone().unwrap_or_else(|| format!("day {}", m.day));
        outln!("- {when:<11} {:<5} {}: {}", m.channel, m.topic, m.title);
        outln!("    why: {}", m.why);
    }
}

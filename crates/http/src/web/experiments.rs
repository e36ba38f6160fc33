//! `/admin/experiments`: the experiments a merchandiser runs, a form to start one, and each one's
//! results (`/admin/experiments/view?key=`): visitors per arm with the sample-ratio check, every
//! metric's values, intervals drawn against zero, the four read-outs, and a verdict in words.
//!
//! Writes go through `app::experiments`, the same use cases as `/v1/experiments`, as `POST`s of
//! an `/admin` page (the admin login guards them; cross-site posts are refused).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

use super::{page, url_encode, PageError, PageQuery, PageResult};
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::wire::experiments::{
    Comparison, Experiment, ExperimentSpec, Metric, Readout, Results, Target, Targeting, Variation, Visitors,
};

pub(crate) fn area() -> Area {
    Area::new("experiment pages", "The experiments back-office.")
        .admin_scope(Scope::AdminMerchandising)
        .page("/admin/experiments", Access::AdminPage, list_page)
        .page_post("/admin/experiments", Access::AdminPage, post_experiment)
        .page("/admin/experiments/view", Access::AdminPage, results_page)
        .page("/admin/experiments/stop", Access::AdminPage, confirm_stop)
        .page_post("/admin/experiments/stop", Access::AdminPage, post_stop)
}

const NAV: &str = "/admin/experiments";

/// The new-experiment form as typed.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub(crate) struct ExperimentForm {
    key: String,
    name: String,
    hypothesis: String,
    target: String,
    control_name: String,
    control_value: String,
    treatment_name: String,
    treatment_value: String,
    /// Share of traffic for the treatment, in percent.
    treatment_share: String,
    /// Percent of eligible visitors included.
    coverage: String,
    visitors: String,
    devices: String,
    countries: String,
    starts_at: String,
    ends_at: String,
    metric: String,
    guardrail_aov: String,
    guardrail_return_rate: String,
    guardrail_conversion: String,
    minimum_effect: String,
}

impl Default for ExperimentForm {
    fn default() -> ExperimentForm {
        ExperimentForm {
            key: String::new(),
            name: String::new(),
            hypothesis: String::new(),
            target: "search_ranking".into(),
            control_name: "Learned ranking".into(),
            control_value: "learned".into(),
            treatment_name: "Catalog-only ranking".into(),
            treatment_value: "catalog_only".into(),
            treatment_share: "50".into(),
            coverage: "100".into(),
            visitors: "all".into(),
            devices: String::new(),
            countries: String::new(),
            starts_at: String::new(),
            ends_at: String::new(),
            metric: "conversion".into(),
            guardrail_aov: "on".into(),
            guardrail_return_rate: "on".into(),
            guardrail_conversion: String::new(),
            minimum_effect: "5".into(),
        }
    }
}

fn list_of(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn percent(text: &str, field: &str) -> Result<f64, String> {
    let t = text.trim().trim_end_matches('%');
    t.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && (0.0..=100.0).contains(x))
        .map(|x| x / 100.0)
        .ok_or_else(|| format!("{field} is a percentage from 0 to 100, not {text:?}"))
}

impl ExperimentForm {
    fn to_spec(&self) -> Result<ExperimentSpec, String> {
        let target = Target::ALL
            .into_iter()
            .find(|t| t.as_str() == self.target)
            .ok_or_else(|| format!("unknown target {:?}", self.target))?;
        let metric = Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == self.metric)
            .ok_or_else(|| format!("unknown metric {:?}", self.metric))?;
        let share = percent(&self.treatment_share, "The treatment's share")?;
        let coverage = percent(&self.coverage, "Coverage")?;
        let minimum_effect = if self.minimum_effect.trim().is_empty() {
            None
        } else {
            Some(percent(&self.minimum_effect, "The minimum effect")?)
        };
        let value = |v: &str| serde_json::Value::String(v.trim().to_string());
        let mut guardrails = Vec::new();
        for (on, m) in [
            (&self.guardrail_conversion, Metric::Conversion),
            (&self.guardrail_aov, Metric::Aov),
            (&self.guardrail_return_rate, Metric::ReturnRate),
        ] {
            if !on.is_empty() && m != metric {
                guardrails.push(m);
            }
        }
        let visitors = match self.visitors.as_str() {
            "new" => Visitors::New,
            "returning" => Visitors::Returning,
            _ => Visitors::All,
        };
        let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(ExperimentSpec {
            key: self.key.trim().to_string(),
            name: self.name.trim().to_string(),
            hypothesis: self.hypothesis.trim().to_string(),
            target,
            variations: vec![
                Variation { name: self.control_name.trim().to_string(), value: value(&self.control_value) },
                Variation {
                    name: self.treatment_name.trim().to_string(),
                    value: value(&self.treatment_value),
                },
            ],
            weights: Some(vec![1.0 - share, share]),
            coverage,
            targeting: Targeting {
                visitors,
                devices: list_of(&self.devices).into_iter().map(|d| d.to_lowercase()).collect(),
                countries: list_of(&self.countries).into_iter().map(|c| c.to_uppercase()).collect(),
            },
            starts_at: blank(&self.starts_at),
            ends_at: blank(&self.ends_at),
            metric,
            guardrails,
            minimum_effect,
        })
    }
}

async fn list_page(State(state): State<AppState>) -> PageResult {
    let all = blocking(move || Ok(app::experiments::list(&state.app)?)).await?;
    Ok(list_markup(&all, &ExperimentForm::default(), None))
}

async fn post_experiment(
    State(state): State<AppState>,
    axum::Form(form): axum::Form<ExperimentForm>,
) -> Result<Response, PageError> {
    let spec = match form.to_spec() {
        Ok(spec) => spec,
        Err(message) => {
            let all = blocking(move || Ok(app::experiments::list(&state.app)?)).await?;
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, list_markup(&all, &form, Some(&message))).into_response()
            );
        }
    };
    let app = state.app.clone();
    let created = blocking(move || Ok(app::experiments::create(&app, spec))).await?;
    match created {
        Ok(e) => {
            Ok(Redirect::to(&format!("/admin/experiments/view?key={}", url_encode(&e.spec.key)))
                .into_response())
        }
        Err(err) if err.code.is_input() => {
            let all = blocking(move || Ok(app::experiments::list(&state.app)?)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, list_markup(&all, &form, Some(&err.message)))
                .into_response())
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct KeyQuery {
    key: String,
}

async fn post_stop(
    State(state): State<AppState>,
    axum::Form(q): axum::Form<KeyQuery>,
) -> Result<Response, PageError> {
    let key = q.key.clone();
    blocking(move || Ok(app::experiments::stop(&state.app, &key)?)).await?;
    Ok(Redirect::to(&format!("/admin/experiments/view?key={}", url_encode(&q.key))).into_response())
}

/// Stopping cannot be undone (a key is never reused), so it asks first, on a page of its own.
async fn confirm_stop(State(state): State<AppState>, PageQuery(q): PageQuery<KeyQuery>) -> PageResult {
    let e = blocking(move || Ok(app::experiments::get(&state.app, &q.key)?)).await?;
    let back = format!("/admin/experiments/view?key={}", url_encode(&e.spec.key));
    let body = html! {
        p class="muted small" { a href=(back) { "\u{2190} " (title(&e)) } }
        h1 { "Stop " (title(&e)) "?" }
        section class="panel" {
            p { "From now on every visitor sees the control (" (e.spec.variations[0].name) "), and the results count \
                 what happened until now. A stopped experiment cannot be restarted: start a new one with a new key." }
            form method="post" action="/admin/experiments/stop" {
                input type="hidden" name="key" value=(e.spec.key);
                button class="button" type="submit" { "Stop the experiment" }
                " "
                a class="button ghost" href=(back) { "Keep it running" }
            }
        }
    };
    Ok(page("Stop experiment", NAV, body))
}

async fn results_page(State(state): State<AppState>, PageQuery(q): PageQuery<KeyQuery>) -> PageResult {
    let r = blocking(move || Ok(app::experiments::results(&state.app, &q.key)?)).await?;
    Ok(results_markup(&r))
}

fn status_badge(status: &str) -> Markup {
    let class = match status {
        "running" => "badge ok",
        "scheduled" => "badge warn",
        _ => "badge",
    };
    html! { span class=(class) { (status) } }
}

fn title(e: &Experiment) -> String {
    if e.spec.name.is_empty() {
        e.spec.key.clone()
    } else {
        e.spec.name.clone()
    }
}

fn list_markup(all: &[Experiment], form: &ExperimentForm, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Experiments" }
        p class="muted" {
            "Test a change on part of your traffic before everyone gets it. Loupe assigns each visitor as \
             GrowthBook's SDKs would, logs who saw what once, and reads the results with GrowthBook's statistics."
        }
        section class="panel" {
            h2 { "Your experiments" }
            @if all.is_empty() {
                p { "No experiments yet. Start one below: for example, test whether ranking search results by what \
                     shoppers click beats ranking by the catalog alone." }
            } @else {
                div class="table-wrap" {
                    table {
                        thead { tr { th { "Experiment" } th { "Changes" } th { "Variations" } th { "Primary metric" } th { "Status" } } }
                        tbody {
                            @for e in all {
                                tr {
                                    td { a href={ "/admin/experiments/view?key=" (url_encode(&e.spec.key)) } { (title(e)) } br; code class="small" { (e.spec.key) } }
                                    td { (e.spec.target.label()) }
                                    td { (e.spec.variations.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(" vs ")) }
                                    td { (e.spec.metric.label()) }
                                    td { (status_badge(&e.status)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section class="panel" id="new" {
            h2 { "New experiment" }
            @if let Some(message) = error {
                div class="form-errors" role="alert" { p { strong { "The experiment was not created. " } (message) } }
            }
            (new_form(form))
        }
    };
    page("Experiments", NAV, body)
}

fn new_form(f: &ExperimentForm) -> Markup {
    let checked = |v: &str| !v.is_empty();
    html! {
        form class="rule-form" method="post" action="/admin/experiments" {
            label { "Key" input name="key" value=(f.key) placeholder="catalog-ranking-dec" required autocomplete="off";
                span class="hint" { "Lower-case letters, digits, - and _. Also the hash seed: never reuse one." } }
            label { "Name" input name="name" value=(f.name) placeholder="Catalog-only search ranking"; }
            label class="wide" { "Hypothesis" input name="hypothesis" value=(f.hypothesis) placeholder="Ranking by what shoppers click raises conversion"; }
            label { "Changes"
                select name="target" {
                    @for t in Target::ALL { option value=(t.as_str()) selected[f.target == t.as_str()] { (t.label()) } }
                }
                span class="hint" { "Search ranking is applied by Loupe's storefront search; the others are read by your client." }
            }
            label { "Control (A)" input name="control_name" value=(f.control_name) required; }
            label { "A's value" input name="control_value" value=(f.control_value);
                span class="hint" { "For search ranking: learned or catalog_only." } }
            label { "Treatment (B)" input name="treatment_name" value=(f.treatment_name) required; }
            label { "B's value" input name="treatment_value" value=(f.treatment_value); }
            label { "B's share of traffic (%)" input name="treatment_share" value=(f.treatment_share) inputmode="decimal"; }
            label { "Coverage (%)" input name="coverage" value=(f.coverage) inputmode="decimal";
                span class="hint" { "Share of eligible visitors in the test. Raising it later moves nobody between arms." } }
            label { "Visitors"
                select name="visitors" {
                    @for (v, t) in [("all", "Everyone"), ("new", "New visitors"), ("returning", "Returning visitors")] {
                        option value=(v) selected[f.visitors == v] { (t) }
                    }
                }
            }
            label { "Devices" input name="devices" value=(f.devices) placeholder="mobile, desktop";
                span class="hint" { "Empty: every device." } }
            label { "Countries" input name="countries" value=(f.countries) placeholder="GB, FR";
                span class="hint" { "Empty: every country." } }
            label { "Starts" input name="starts_at" value=(f.starts_at) type="date";
                span class="hint" { "Empty: now." } }
            label { "Ends" input name="ends_at" value=(f.ends_at) type="date"; }
            label { "Primary metric"
                select name="metric" {
                    @for m in Metric::ALL { option value=(m.as_str()) selected[f.metric == m.as_str()] { (m.label()) } }
                }
            }
            label { "Smallest change worth detecting (%)" input name="minimum_effect" value=(f.minimum_effect) inputmode="decimal"; }
            fieldset class="wide" {
                legend { "Guardrails (must not get worse)" }
                label class="inline" { input type="checkbox" name="guardrail_conversion" checked[checked(&f.guardrail_conversion)]; " conversion" }
                label class="inline" { input type="checkbox" name="guardrail_aov" checked[checked(&f.guardrail_aov)]; " average order value" }
                label class="inline" { input type="checkbox" name="guardrail_return_rate" checked[checked(&f.guardrail_return_rate)]; " return rate" }
            }
            div class="wide" { button class="button" type="submit" { "Start experiment" } }
        }
    }
}

fn pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

fn value_text(metric: Metric, v: Option<f64>) -> String {
    match v {
        None => "\u{2014}".into(),
        Some(v) if metric.is_proportion() || metric == Metric::ReturnRate => format!("{:.2}%", v * 100.0),
        Some(v) => format!("{v:.2}"),
    }
}

/// An interval drawn against zero: a bar from the lower to the upper bound, a dot at the estimate,
/// on a scale symmetric around zero.
fn interval(r: &Readout, scale: f64, good_if_positive: bool) -> Markup {
    let (Some(x), (lo, hi)) = (r.expected, r.ci) else {
        return html! { span class="muted small" { (r.error.clone().unwrap_or_else(|| "no read-out".into())) } };
    };
    let w = 220.0;
    let pos = |v: f64| (w / 2.0 + (v / scale).clamp(-1.0, 1.0) * (w / 2.0 - 6.0)).clamp(2.0, w - 2.0);
    let (a, b) = (lo.map_or(2.0, pos), hi.map_or(w - 2.0, pos));
    let conclusive = lo.is_some_and(|l| l > 0.0) || hi.is_some_and(|h| h < 0.0);
    let good = (x > 0.0) == good_if_positive;
    let color = match (conclusive, good) {
        (false, _) => "#8a8175",
        (true, true) => "#2f7a4f",
        (true, false) => "#b3443b",
    };
    let label = format!(
        "{} (95% CI {} to {})",
        pct(x),
        lo.map_or("-\u{221e}".into(), pct),
        hi.map_or("+\u{221e}".into(), pct)
    );
    html! {
        svg class="ci" width=(w) height="22" viewBox={ "0 0 " (w) " 22" } role="img" aria-label=(label) {
            line x1=(w / 2.0) x2=(w / 2.0) y1="2" y2="20" stroke="#c9bfae" stroke-dasharray="2 2" {}
            rect x=(a) y="8" width=((b - a).max(1.0)) height="6" rx="3" fill=(color) opacity="0.35" {}
            circle cx=(pos(x)) cy="11" r="4.5" fill=(color) {}
        }
        div class="small" { (label) }
    }
}

fn p_text(p: Option<f64>) -> String {
    match p {
        None => "\u{2014}".into(),
        Some(p) if p < 0.0001 => "< 0.0001".into(),
        Some(p) => format!("{p:.4}"),
    }
}

fn comparison_row(name: &str, c: &Comparison, metric: Metric, scale: f64) -> Markup {
    let good = metric.higher_is_better();
    html! {
        tr {
            th scope="row" { (name) " vs control" }
            td { (interval(&c.sequential, scale, good)) }
            td { (interval(&c.frequentist, scale, good))
                 div class="small muted" { "p " (p_text(c.frequentist.p_value)) ", Holm-adjusted " (p_text(c.frequentist.p_adjusted)) } }
            td { @if let Some(cu) = &c.cuped { (interval(cu, scale, good)) div class="small muted" { "p " (p_text(cu.p_value)) } }
                 @else { span class="muted small" { "no covariate" } } }
            td {
                @if let Some(ctw) = c.bayesian.chance_to_win { (format!("{:.1}%", ctw * 100.0)) " chance to win" }
                @if let Some((rc, rt)) = c.bayesian.risk { div class="small muted" { "risk A " (format!("{rc:.4}")) ", B " (format!("{rt:.4}")) } }
                @if let Some(e) = &c.bayesian.error { span class="muted small" { (e) } }
            }
        }
    }
}

fn results_markup(r: &Results) -> Markup {
    let e = &r.experiment;
    let total: u64 = r.arms.iter().map(|a| a.visitors).sum();
    let gb = serde_json::to_string_pretty(&json!(e.growthbook)).unwrap_or_default();
    let body = html! {
        p class="muted small" { a href="/admin/experiments" { "\u{2190} Experiments" } }
        div class="panel-head" {
            h1 { (title(e)) " " (status_badge(&e.status)) }
            @if e.status == "running" || e.status == "scheduled" {
                a class="button ghost" href={ "/admin/experiments/stop?key=" (url_encode(&e.spec.key)) } { "Stop\u{2026}" }
            }
        }
        @if !e.spec.hypothesis.is_empty() { p { em { (e.spec.hypothesis) } } }
        section class="panel verdict" aria-label="Verdict" {
            h2 { "Verdict" }
            @for v in &r.verdict { p { (v) } }
            p class="small muted" {
                "Read from the sequential test, which stays valid however often you look. Primary metric: "
                (e.spec.metric.label()) " (" (e.spec.metric.formula()) ")."
            }
        }
        section class="panel" id="visitors" {
            h2 { "Visitors" }
            div class="table-wrap" {
                table {
                    thead { tr { th { "Variation" } th { "Value" } th { "Visitors" } th { "Share" } th { "Planned" } } }
                    tbody {
                        @for a in &r.arms {
                            tr {
                                th scope="row" { (a.name) }
                                td { code { (value_label(&e.spec.variations[a.variation].value)) } }
                                td { (super::group_thousands(a.visitors)) }
                                td { @if total > 0 { (format!("{:.1}%", a.visitors as f64 * 100.0 / total as f64)) } @else { "\u{2014}" } }
                                td { (format!("{:.1}%", a.expected_share * 100.0)) }
                            }
                        }
                    }
                }
            }
            p class="small" {
                @match r.sample_ratio.p_value {
                    None => "Sample-ratio check: no visitors yet.",
                    Some(p) if r.sample_ratio.ok => { "Sample-ratio check passed (p = " (format!("{p:.4}")) "): the split matches the plan." }
                    Some(p) => { strong { "Sample-ratio mismatch (p = " (format!("{p:.5}")) "): the split is not the one planned; do not trust these results." } }
                }
            }
        }
        @for m in &r.metrics {
            @let scale = m.comparisons.iter().flat_map(|c| [c.sequential.ci.0, c.sequential.ci.1, c.frequentist.ci.0, c.frequentist.ci.1]).flatten().map(f64::abs).fold(0.05, f64::max);
            section class="panel" id={ "metric-" (m.metric.as_str()) } {
                h2 { (super::capitalize(m.metric.label())) " " span class="badge" { (m.role) } }
                p class="small muted" title=(m.metric.formula()) { "Formula: " (m.metric.formula()) "." @if !m.metric.higher_is_better() { " Lower is better." } }
                div class="table-wrap" {
                    table class="arms" {
                        thead { tr { th { "Variation" } th { "Visitors" } th { "Value" } th { "Numerator / denominator" } } }
                        tbody {
                            @for a in &m.arms {
                                tr {
                                    th scope="row" { (e.spec.variations[a.variation].name) }
                                    td { (super::group_thousands(a.n)) }
                                    td { (value_text(m.metric, a.value)) }
                                    td class="small" { (format!("{:.2} / {:.0}", a.numerator, a.denominator)) }
                                }
                            }
                        }
                    }
                }
                div class="table-wrap" {
                    table class="readouts" {
                        thead { tr { th { "Change" } th { "Sequential (any time)" } th { "Fixed horizon" } th { "CUPED" } th { "Bayesian" } } }
                        tbody {
                            @for c in &m.comparisons {
                                (comparison_row(&e.spec.variations[c.variation].name, c, m.metric, scale))
                            }
                        }
                    }
                }
            }
        }
        details class="panel" {
            summary { "The same experiment for GrowthBook's SDKs" }
            p class="small muted" { "Paste into a GrowthBook SDK's run(): it assigns every visitor to the same variation Loupe does." }
            pre { code { (gb) } }
        }
        @if let Some(more) = r.more_visitors_per_arm {
            p class="small muted" { "About " (super::group_thousands(more)) " more visitors per arm would let the sequential test detect a "
                (format!("{:.0}%", e.spec.minimum_effect.unwrap_or(0.05) * 100.0)) " change with 80% power." }
        }
    };
    page(&title(e), NAV, body)
}

fn value_label(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

//! Prometheus metrics, written by hand in the text exposition format: request
//! counts and latency histograms per route, the catalog size, and any gauge an
//! engine sets. A few mutex-guarded maps are plenty at a storefront's request
//! rate and cost no dependency.
//!
//! Routes are labelled by their pattern (`/v1/products/{id}`), never by the
//! raw path, so that label cardinality stays bounded whatever clients send;
//! requests that match no route share the label `unmatched`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

pub struct Metrics {
    started: Instant,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (method, route, status) -> count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) -> latency histogram.
    latency: BTreeMap<(String, String), Histogram>,
    /// name -> (help, value), set by engines.
    gauges: BTreeMap<&'static str, (&'static str, f64)>,
}

#[derive(Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics { started: Instant::now(), inner: Mutex::new(Inner::default()) }
    }
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves counters that are still valid numbers.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut inner = self.lock();
        *inner.requests.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        let h = inner.latency.entry((method.to_string(), route.to_string())).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Sets a gauge shown on `/metrics` (for engines: index size, model age...).
    /// `name` should start with `loupe_` and follow Prometheus naming.
    pub fn set_gauge(&self, name: &'static str, help: &'static str, value: f64) {
        self.lock().gauges.insert(name, (help, value));
    }

    /// The exposition text.
    pub(crate) fn render(&self, products: u64, catalog_version: u64) -> String {
        let inner = self.lock();
        let mut out = String::new();
        out.push_str(
            "# HELP loupe_http_requests_total HTTP requests answered, by method, route pattern and status.\n",
        );
        out.push_str("# TYPE loupe_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "loupe_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                label(method),
                label(route)
            );
        }
        out.push_str("# HELP loupe_http_request_duration_seconds Time to answer HTTP requests, by method and route pattern.\n");
        out.push_str("# TYPE loupe_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &inner.latency {
            let labels = format!("method=\"{}\",route=\"{}\"", label(method), label(route));
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "loupe_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "loupe_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "loupe_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "loupe_http_request_duration_seconds_count{{{labels}}} {}", h.count);
        }
        out.push_str("# HELP loupe_products Products in the catalog.\n# TYPE loupe_products gauge\n");
        let _ = writeln!(out, "loupe_products {products}");
        out.push_str("# HELP loupe_catalog_version Catalog version; bumped on every catalog change.\n");
        out.push_str("# TYPE loupe_catalog_version gauge\n");
        let _ = writeln!(out, "loupe_catalog_version {catalog_version}");
        out.push_str("# HELP loupe_uptime_seconds Seconds since the server started.\n# TYPE loupe_uptime_seconds gauge\n");
        let _ = writeln!(out, "loupe_uptime_seconds {}", self.started.elapsed().as_secs());
        for (name, (help, value)) in &inner.gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

/// Escapes a label value as the exposition format asks.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware: times every request and counts it under its route pattern.
pub(crate) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_string();
    let route = match req.extensions().get::<MatchedPath>() {
        Some(path) => path.as_str().to_string(),
        None => "unmatched".to_string(),
    };
    let response = next.run(req).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), start.elapsed());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.observe("GET", "/v1/products/{id}", 200, Duration::from_millis(3));
        m.observe("GET", "/v1/products/{id}", 404, Duration::from_millis(30));
        m.set_gauge("loupe_search_documents", "Documents in the search index.", 7.0);
        let text = m.render(12, 3);
        assert!(text.contains(
            "loupe_http_requests_total{method=\"GET\",route=\"/v1/products/{id}\",status=\"200\"} 1\n"
        ));
        assert!(text.contains(
            "loupe_http_requests_total{method=\"GET\",route=\"/v1/products/{id}\",status=\"404\"} 1\n"
        ));
        assert!(text.contains(
            "loupe_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/products/{id}\",le=\"0.005\"} 1\n"
        ));
        assert!(text.contains(
            "loupe_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/products/{id}\",le=\"+Inf\"} 2\n"
        ));
        assert!(text.contains("loupe_products 12\n"));
        assert!(text.contains("loupe_search_documents 7\n"));
        // Every non-comment line is `name{labels} value` or `name value`.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "bad sample line {line:?}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}

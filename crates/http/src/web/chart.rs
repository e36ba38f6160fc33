//! Charts as inline SVG, drawn by the server: a line chart (with optional
//! shaded bands, e.g. forecast intervals) and a horizontal bar chart. No
//! script, no library; each chart carries a `<title>` for screen readers.
//! Both are maud templates, so labels and titles are escaped like any text.

use std::fmt::Write as _;

use maud::{html, Markup};

/// Colours for successive series; readable on white.
const COLORS: [&str; 6] = ["#74572a", "#2f5d8a", "#2f6b4f", "#9b2c2c", "#6a4c93", "#8a5a00"];

/// The SVG namespace, which inline charts declare.
const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// A line: `(x, y)` points in data units, drawn in order.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Dashed lines read as "projected" (forecasts).
    pub dashed: bool,
}

/// A shaded range: `(x, low, high)` points (a prediction interval).
#[derive(Clone, Debug, Default)]
pub struct Band {
    pub label: String,
    pub points: Vec<(f64, f64, f64)>,
}

/// `x_ticks`: `(x, label)` pairs written under the axis (dates, weeks).
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    pub title: String,
    pub series: Vec<Series>,
    pub bands: Vec<Band>,
    pub x_ticks: Vec<(f64, String)>,
    /// Unit shown after y-axis values (`""`, `" u"`, `"%"`).
    pub y_unit: String,
}

const W: f64 = 720.0;
const H: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// `12.3` for coordinates: one decimal is finer than a pixel.
fn px1(v: f64) -> String {
    format!("{v:.1}")
}

/// Draws `chart`; empty data gives a framed "no data" chart.
pub fn svg_line_chart(chart: &LineChart) -> Markup {
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(chart.bands.iter().flat_map(|b| b.points.iter().map(|p| p.0)));
    let ys = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(chart.bands.iter().flat_map(|b| b.points.iter().flat_map(|p| [p.1, p.2])));
    let (x_min, x_max) = min_max(xs);
    let (y_lo, y_hi) = min_max(ys);
    let view_box = format!("0 0 {W} {H}");
    let (Some((x_min, x_max)), Some((y_lo, y_hi))) = (x_min.zip(x_max), y_lo.zip(y_hi)) else {
        return html! {
            svg class="chart" viewBox=(view_box) role="img" xmlns=(SVG_NS) {
                title { (chart.title) }
                rect x=(LEFT) y=(TOP) width=(W - LEFT - RIGHT) height=(H - TOP - BOTTOM) fill="none" stroke="#e7e1d8" {}
                text x=(W / 2.0) y=(H / 2.0) text-anchor="middle" { "No data yet" }
            }
        };
    };
    let (y_min, y_max, step) = nice_axis(y_lo.min(0.0), y_hi);
    let x_span = if x_max > x_min { x_max - x_min } else { 1.0 };
    let px = |x: f64| LEFT + (x - x_min) / x_span * (W - LEFT - RIGHT);
    let py = |y: f64| TOP + (1.0 - (y - y_min) / (y_max - y_min)) * (H - TOP - BOTTOM);

    let mut grid = Vec::new();
    let mut y = y_min;
    while y <= y_max + step / 2.0 {
        grid.push(y);
        y += step;
    }
    let ticks: Vec<(f64, &str)> = chart
        .x_ticks
        .iter()
        .filter(|(x, _)| *x >= x_min && *x <= x_max)
        .map(|(x, label)| (px(*x), label.as_str()))
        .collect();
    // Path data: a band runs along its highs and back along its lows.
    let bands: Vec<(String, &str, &str)> = chart
        .bands
        .iter()
        .enumerate()
        .filter(|(_, band)| !band.points.is_empty())
        .map(|(i, band)| {
            let mut d = String::new();
            for (j, (x, _, hi)) in band.points.iter().enumerate() {
                let _ = write!(d, "{}{:.1} {:.1} ", if j == 0 { "M" } else { "L" }, px(*x), py(*hi));
            }
            for (x, lo, _) in band.points.iter().rev() {
                let _ = write!(d, "L{:.1} {:.1} ", px(*x), py(*lo));
            }
            d.push('Z');
            (d, COLORS[i % COLORS.len()], band.label.as_str())
        })
        .collect();
    let lines: Vec<(String, &str, &Series)> = chart
        .series
        .iter()
        .enumerate()
        .filter(|(_, series)| !series.points.is_empty())
        .map(|(i, series)| {
            let mut d = String::new();
            for (j, (x, y)) in series.points.iter().enumerate() {
                let _ = write!(d, "{}{:.1} {:.1} ", if j == 0 { "M" } else { "L" }, px(*x), py(*y));
            }
            (d.trim_end().to_string(), COLORS[i % COLORS.len()], series)
        })
        .collect();
    // The legend: one swatch and label per series, left to right.
    let mut legend = Vec::new();
    let mut lx = LEFT;
    for (i, series) in chart.series.iter().enumerate() {
        legend.push((lx, COLORS[i % COLORS.len()], series.label.as_str()));
        lx += 30.0 + 7.0 * series.label.chars().count() as f64;
    }
    html! {
        svg class="chart" viewBox=(view_box) role="img" xmlns=(SVG_NS) {
            title { (chart.title) }
            @for y in &grid {
                line x1=(LEFT) x2=(W - RIGHT) y1=(px1(py(*y))) y2=(px1(py(*y))) stroke="#efeae3" {}
                text x=(LEFT - 8.0) y=(px1(py(*y) + 4.0)) text-anchor="end" { (short_number(*y)) (chart.y_unit) }
            }
            @for (x, label) in &ticks {
                line x1=(px1(*x)) x2=(px1(*x)) y1=(H - BOTTOM) y2=(H - BOTTOM + 5.0) stroke="#d9d2c7" {}
                text x=(px1(*x)) y=(H - BOTTOM + 20.0) text-anchor="middle" { (label) }
            }
            line x1=(LEFT) x2=(W - RIGHT) y1=(H - BOTTOM) y2=(H - BOTTOM) stroke="#b9b0a3" {}
            @for (d, color, label) in &bands {
                path d=(d) fill=(color) opacity=".15" { title { (label) } }
            }
            @for (d, color, series) in &lines {
                path d=(d) fill="none" stroke=(color) stroke-width="2" stroke-linejoin="round"
                    stroke-dasharray=[series.dashed.then_some("6 4")] { title { (series.label) } }
            }
            @for (x, color, label) in &legend {
                rect x=(px1(*x)) y=(H - 12.0) width="12" height="3" fill=(color) {}
                text x=(px1(x + 16.0)) y=(H - 8.0) { (label) }
            }
        }
    }
}

/// A small trend line for a figure's tile: one point per period, a gap
/// where the value does not exist; nothing drawn with fewer than two values.
pub fn sparkline(title: &str, values: &[Option<f64>]) -> Markup {
    const SW: f64 = 120.0;
    const SH: f64 = 28.0;
    let known: Vec<f64> = values.iter().flatten().copied().filter(|v| v.is_finite()).collect();
    let (Some(lo), Some(hi)) =
        (known.iter().copied().reduce(f64::min), known.iter().copied().reduce(f64::max))
    else {
        return html! {};
    };
    if known.len() < 2 {
        return html! {};
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let step = SW / (values.len().max(2) - 1) as f64;
    let mut d = String::new();
    let mut pen_down = false;
    for (i, v) in values.iter().enumerate() {
        match v.filter(|v| v.is_finite()) {
            Some(v) => {
                let y = 2.0 + (1.0 - (v - lo) / span) * (SH - 4.0);
                let _ = write!(d, "{}{:.1} {:.1} ", if pen_down { "L" } else { "M" }, i as f64 * step, y);
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    html! {
        svg class="spark" viewBox={ "0 0 " (SW) " " (SH) } role="img" xmlns=(SVG_NS) preserveAspectRatio="none" {
            title { (title) }
            path d=(d.trim_end()) fill="none" stroke=(COLORS[0]) stroke-width="1.5" stroke-linejoin="round" {}
        }
    }
}

/// One bar of [`svg_bar_chart`].
#[derive(Clone, Debug, Default)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Makes the label a link (to a filtered list, say).
    pub href: Option<String>,
    /// Text shown for the value; the value itself, shortened, when `None`.
    pub value_text: Option<String>,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64) -> Bar {
        Bar { label: label.into(), value, ..Bar::default() }
    }

    pub fn link(mut self, href: impl Into<String>) -> Bar {
        self.href = Some(href.into());
        self
    }

    pub fn text(mut self, text: impl Into<String>) -> Bar {
        self.value_text = Some(text.into());
        self
    }

    /// The value as shown beside the bar.
    fn shown(&self) -> String {
        self.value_text.clone().unwrap_or_else(|| {
            if self.value == self.value.trunc() && self.value.abs() < 1e15 {
                // Counts read best in full: 2,004 rather than 2k.
                let sign = if self.value < 0.0 { "-" } else { "" };
                format!("{sign}{}", super::group_thousands(self.value.abs() as u64))
            } else {
                short_number(self.value)
            }
        })
    }
}

/// Horizontal bars as an accessible list (label, bar, value). The longest
/// bar spans the width, unless `max` says what a full bar is worth.
pub fn svg_bar_chart(title: &str, bars: &[Bar], max: Option<f64>) -> Markup {
    let max = max.unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0f64, f64::max));
    let pct = |bar: &Bar| if max > 0.0 { (bar.value / max * 100.0).clamp(0.0, 100.0) } else { 0.0 };
    html! {
        ul class="bars" aria-label=(title) {
            @for bar in bars {
                li {
                    span {
                        @match &bar.href {
                            Some(h) => a href=(h) { (bar.label) },
                            None => (bar.label),
                        }
                    }
                    svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" height="10" {
                        rect width="100" height="10" rx="3" fill="#f1ece4" {}
                        rect width=(format!("{:.2}", pct(bar))) height="10" rx="3" fill="#74572a" opacity=".75" {}
                    }
                    span class="n" { (bar.shown()) }
                }
            }
        }
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> (Option<f64>, Option<f64>) {
    values.filter(|v| v.is_finite()).fold((None, None), |(lo, hi), v| {
        (Some(lo.map_or(v, |l: f64| l.min(v))), Some(hi.map_or(v, |h: f64| h.max(v))))
    })
}

/// Axis bounds and step on a 1-2-5 grid with about five lines.
fn nice_axis(lo: f64, hi: f64) -> (f64, f64, f64) {
    // A flat series still gets an axis with some height.
    let hi = if hi > lo { hi } else { lo + hi.abs().max(1.0) };
    let span = hi - lo;
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let min = (lo / step).floor() * step;
    let mut max = (hi / step).ceil() * step;
    if max <= min {
        max = min + step;
    }
    (min, max, step)
}

/// `1234` as `1.2k`, `2500000` as `2.5M`, small numbers as they are.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    };
    s.replace(".0k", "k").replace(".0M", "M")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axes_land_on_round_numbers() {
        assert_eq!(nice_axis(0.0, 93.0), (0.0, 100.0, 20.0));
        assert_eq!(nice_axis(0.0, 1.0), (0.0, 1.0, 0.2));
        assert_eq!(nice_axis(0.0, 0.0), (0.0, 1.0, 0.2));
        assert_eq!(nice_axis(-3.0, 7.0), (-4.0, 8.0, 2.0));
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(12.0), "12");
        assert_eq!(short_number(1234.0), "1.2k");
        assert_eq!(short_number(25_000.0), "25k");
        assert_eq!(short_number(2_500_000.0), "2.5M");
        assert_eq!(short_number(0.25), "0.25");
    }

    #[test]
    fn draws_lines_bands_and_empty_charts() {
        let chart = LineChart {
            title: "Units <per> week".into(),
            series: vec![Series {
                label: "actual".into(),
                points: vec![(0.0, 3.0), (1.0, 5.0), (2.0, 4.0)],
                dashed: false,
            }],
            bands: vec![Band {
                label: "80% interval".into(),
                points: vec![(2.0, 3.0, 6.0), (3.0, 2.0, 7.0)],
            }],
            x_ticks: vec![(0.0, "Jan".into()), (3.0, "Apr".into())],
            y_unit: String::new(),
        };
        let svg = svg_line_chart(&chart).into_string();
        assert!(svg.contains("<title>Units &lt;per&gt; week</title>"));
        assert!(svg.contains("<path d=\"M"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let empty =
            svg_line_chart(&LineChart { title: "Nothing".into(), ..LineChart::default() }).into_string();
        assert!(empty.contains("No data yet"));
        let bars = svg_bar_chart(
            "Issues",
            &[Bar::new("Missing price", 4.0).link("/admin/catalog?issue=missing_price")],
            None,
        )
        .into_string();
        assert!(
            bars.contains("width=\"100.00\"") && bars.contains("href=\"/admin/catalog?issue=missing_price\"")
        );
        let pct = svg_bar_chart("Coverage", &[Bar::new("Metal", 3.0).text("75%")], Some(4.0)).into_string();
        assert!(pct.contains("width=\"75.00\"") && pct.contains(">75%<"));
    }
}

//! Charts as inline SVG, drawn by the server: a line chart (with optional
//! shaded bands, e.g. forecast intervals) and a horizontal bar chart. No
//! script, no library; each chart carries a `<title>` for screen readers.

use std::fmt::Write as _;

use super::escape;

/// Colours for successive series; readable on white.
const COLORS: [&str; 6] = ["#74572a", "#2f5d8a", "#2f6b4f", "#9b2c2c", "#6a4c93", "#8a5a00"];

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

/// Draws `chart`; empty data gives a framed "no data" chart.
pub fn svg_line_chart(chart: &LineChart) -> String {
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
    let mut out = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(&chart.title)
    );
    let (Some((x_min, x_max)), Some((y_lo, y_hi))) = (x_min.zip(x_max), y_lo.zip(y_hi)) else {
        let _ = write!(out, "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#e7e1d8\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">No data yet</text></svg>", W - LEFT - RIGHT, H - TOP - BOTTOM, W / 2.0, H / 2.0);
        return out;
    };
    let (y_min, y_max, step) = nice_axis(y_lo.min(0.0), y_hi);
    let x_span = if x_max > x_min { x_max - x_min } else { 1.0 };
    let px = |x: f64| LEFT + (x - x_min) / x_span * (W - LEFT - RIGHT);
    let py = |y: f64| TOP + (1.0 - (y - y_min) / (y_max - y_min)) * (H - TOP - BOTTOM);

    // Grid and y labels.
    let mut y = y_min;
    while y <= y_max + step / 2.0 {
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{v:.1}\" y2=\"{v:.1}\" stroke=\"#efeae3\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{}</text>",
            W - RIGHT,
            LEFT - 8.0,
            py(y) + 4.0,
            short_number(y),
            escape(&chart.y_unit),
            v = py(y)
        );
        y += step;
    }
    for (x, label) in &chart.x_ticks {
        if *x < x_min || *x > x_max {
            continue;
        }
        let _ = write!(
            out,
            "<line x1=\"{v:.1}\" x2=\"{v:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#d9d2c7\"/><text x=\"{v:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            H - BOTTOM,
            H - BOTTOM + 5.0,
            H - BOTTOM + 20.0,
            escape(label),
            v = px(*x)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{b}\" y2=\"{b}\" stroke=\"#b9b0a3\"/>",
        W - RIGHT,
        b = H - BOTTOM
    );

    for (i, band) in chart.bands.iter().enumerate() {
        if band.points.is_empty() {
            continue;
        }
        let mut d = String::new();
        for (j, (x, _, hi)) in band.points.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1} ", if j == 0 { "M" } else { "L" }, px(*x), py(*hi));
        }
        for (x, lo, _) in band.points.iter().rev() {
            let _ = write!(d, "L{:.1} {:.1} ", px(*x), py(*lo));
        }
        let _ = write!(
            out,
            "<path d=\"{d}Z\" fill=\"{}\" opacity=\".15\"><title>{}</title></path>",
            COLORS[i % COLORS.len()],
            escape(&band.label)
        );
    }
    for (i, series) in chart.series.iter().enumerate() {
        if series.points.is_empty() {
            continue;
        }
        let mut d = String::new();
        for (j, (x, y)) in series.points.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1} ", if j == 0 { "M" } else { "L" }, px(*x), py(*y));
        }
        let dash = if series.dashed { " stroke-dasharray=\"6 4\"" } else { "" };
        let _ = write!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash}><title>{}</title></path>",
            d.trim_end(),
            COLORS[i % COLORS.len()],
            escape(&series.label)
        );
    }
    // Legend.
    let mut lx = LEFT;
    for (i, series) in chart.series.iter().enumerate() {
        let _ = write!(
            out,
            "<rect x=\"{lx:.1}\" y=\"{}\" width=\"12\" height=\"3\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{}\">{}</text>",
            H - 12.0,
            COLORS[i % COLORS.len()],
            lx + 16.0,
            H - 8.0,
            escape(&series.label)
        );
        lx += 30.0 + 7.0 * series.label.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
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
}

/// Horizontal bars as an accessible list (label, bar, value). The longest
/// bar spans the width, unless `max` says what a full bar is worth.
pub fn svg_bar_chart(title: &str, bars: &[Bar], max: Option<f64>) -> String {
    let max = max.unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0f64, f64::max));
    let mut out = format!("<ul class=\"bars\" aria-label=\"{}\">", escape(title));
    for bar in bars {
        let pct = if max > 0.0 { (bar.value / max * 100.0).clamp(0.0, 100.0) } else { 0.0 };
        let label_html = match &bar.href {
            Some(h) => format!("<a href=\"{}\">{}</a>", escape(h), escape(&bar.label)),
            None => escape(&bar.label),
        };
        let text = bar.value_text.clone().unwrap_or_else(|| {
            if bar.value == bar.value.trunc() && bar.value.abs() < 1e15 {
                // Counts read best in full: 2,004 rather than 2k.
                let sign = if bar.value < 0.0 { "-" } else { "" };
                format!("{sign}{}", super::group_thousands(bar.value.abs() as u64))
            } else {
                short_number(bar.value)
            }
        });
        let _ = write!(
            out,
            "<li><span>{label_html}</span><svg viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\" height=\"10\">\
             <rect width=\"100\" height=\"10\" rx=\"3\" fill=\"#f1ece4\"/><rect width=\"{pct:.2}\" height=\"10\" rx=\"3\" fill=\"#74572a\" opacity=\".75\"/></svg><span class=\"n\">{}</span></li>",
            escape(&text)
        );
    }
    out.push_str("</ul>");
    out
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
        let svg = svg_line_chart(&chart);
        assert!(svg.contains("<title>Units &lt;per&gt; week</title>"));
        assert!(svg.contains("<path d=\"M"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        let empty = svg_line_chart(&LineChart { title: "Nothing".into(), ..LineChart::default() });
        assert!(empty.contains("No data yet"));
        let bars = svg_bar_chart(
            "Issues",
            &[Bar::new("Missing price", 4.0).link("/admin?issue=missing_price")],
            None,
        );
        assert!(bars.contains("width=\"100.00\"") && bars.contains("href=\"/admin?issue=missing_price\""));
        let pct = svg_bar_chart("Coverage", &[Bar::new("Metal", 3.0).text("75%")], Some(4.0));
        assert!(pct.contains("width=\"75.00\"") && pct.contains(">75%<"));
    }
}

//! Charts drawn on the server as inline SVG: horizontal bars (one or several series stacked) and
//! lines over days. No script and no `style` attribute (the CSP forbids inline styles): colours
//! are SVG presentation attributes. Each chart is an `<svg role="img">` labelled by its own
//! `<title>` and `<desc>`; the figures themselves are in a table beside it (see `mod.rs`).
//!
//! Every piece of text is escaped here, so the output can be placed in a template unescaped.

use std::fmt::Write;

/// Series colours, chosen to be told apart with the common colour-vision deficiencies (Okabe–Ito)
/// and to reach 3:1 against white.
const COLOURS: [&str; 6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F6A00", "#56B4E9"];

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 190.0;
const BAR_HEIGHT: f64 = 18.0;
const GAP: f64 = 8.0;

/// Escapes text for SVG (XML) content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The opening of a chart: the `svg` element with its accessible name and description.
fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{id}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         font-family=\"sans-serif\" font-size=\"12\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc)
    )
}

/// A legend row of coloured squares with the series names, at height `y`.
/// A colour key from `x` on the line at `y`: a swatch and the series' name, one after the other.
fn legend(out: &mut String, series: &[String], mut x: f64, y: f64) {
    for (i, name) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"{y}\" fill=\"#0b0c0c\">{}</text>",
            y - 9.0,
            x + 14.0,
            esc(name)
        );
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
}

/// Horizontal bars: one row per label, each row's values (one per series) stacked left to right,
/// the row's total written after the bar. `rows` pairs a label with one value per series.
pub(crate) fn bar_chart(
    id: &str,
    title: &str,
    desc: &str,
    series: &[String],
    rows: &[(String, Vec<i64>)],
) -> String {
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let top = if series.len() > 1 { 24.0 } else { 4.0 };
    let height = top + rows.len().max(1) as f64 * (BAR_HEIGHT + GAP) + 4.0;
    let scale = (WIDTH - LABEL_WIDTH - 60.0) / max;
    let mut out = open(id, title, desc, height);
    if series.len() > 1 {
        legend(&mut out, series, LABEL_WIDTH, 14.0);
    }
    for (row, (label, values)) in rows.iter().enumerate() {
        let y = top + row as f64 * (BAR_HEIGHT + GAP);
        let shown: String = label.chars().take(28).collect();
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#0b0c0c\">{}</text>",
            LABEL_WIDTH - 6.0,
            y + 13.0,
            esc(&shown)
        );
        let mut x = LABEL_WIDTH;
        for (i, value) in values.iter().enumerate() {
            let w = *value as f64 * scale;
            if w > 0.0 {
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{BAR_HEIGHT}\" fill=\"{}\"/>",
                    COLOURS[i % COLOURS.len()]
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" fill=\"#0b0c0c\">{}</text>",
            x + 4.0,
            y + 13.0,
            values.iter().sum::<i64>()
        );
    }
    out.push_str("</svg>");
    out
}

/// Lines over days 0..=`days`: one polyline per series of (day, value) points, with the y axis's
/// maximum and the first and last day written on the axes.
pub(crate) fn line_chart(
    id: &str,
    title: &str,
    desc: &str,
    x_label: &str,
    series: &[(String, Vec<(i64, i64)>)],
) -> String {
    let height = 260.0;
    let (left, right, top, bottom) = (50.0, WIDTH - 20.0, 30.0, height - 36.0);
    let days = series
        .iter()
        .flat_map(|(_, points)| points.iter().map(|(d, _)| *d))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let max = series
        .iter()
        .flat_map(|(_, points)| points.iter().map(|(_, v)| *v))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |d: i64| left + (right - left) * d as f64 / days;
    let y = |v: i64| bottom - (bottom - top) * v as f64 / max;
    let mut out = open(id, title, desc, height);
    let names: Vec<String> = series.iter().map(|(n, _)| n.clone()).collect();
    // From the plot's left edge: two rounds' names need the width.
    legend(&mut out, &names, left, 14.0);
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#505a5f\"/>\
         <line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{bottom}\" stroke=\"#505a5f\"/>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#0b0c0c\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#0b0c0c\">0</text>\
         <text x=\"{left}\" y=\"{}\" fill=\"#0b0c0c\">0</text>\
         <text x=\"{right}\" y=\"{}\" text-anchor=\"end\" fill=\"#0b0c0c\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
        left - 4.0,
        top + 4.0,
        max as i64,
        left - 4.0,
        bottom,
        bottom + 14.0,
        bottom + 14.0,
        days as i64,
        (left + right) / 2.0,
        bottom + 30.0,
        esc(x_label)
    );
    for (i, (_, points)) in series.iter().enumerate() {
        let path: Vec<String> = points
            .iter()
            .map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v)))
            .collect();
        if !path.is_empty() {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                path.join(" "),
                COLOURS[i % COLOURS.len()]
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_charts_legend_fits_two_long_round_names() {
        let names = [
            "JET 2027 — United Kingdom",
            "JET 2026 — United Kingdom (selection demo)",
        ];
        let series: Vec<(String, Vec<(i64, i64)>)> = names
            .iter()
            .map(|n| (n.to_string(), vec![(0, 1), (1, 2)]))
            .collect();
        let svg = line_chart("per-day", "Per day", "Submissions per day", "Day", &series);
        let last = svg.rfind(names[1]).unwrap_or(0);
        let x: f64 = svg[..last]
            .rsplit("<text x=\"")
            .next()
            .and_then(|t| t.split('"').next())
            .and_then(|x| x.parse().ok())
            .unwrap_or(f64::MAX);
        assert!(
            x + 7.0 * names[1].chars().count() as f64 <= WIDTH,
            "starts at {x}"
        );
    }

    #[test]
    fn a_bar_chart_is_an_image_named_by_its_title_and_description() {
        let svg = bar_chart(
            "funnel",
            "Funnel <2027>",
            "Applications by state",
            &["ALT".into()],
            &[("Submitted".into(), vec![3]), ("Eligible".into(), vec![2])],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"funnel-title funnel-desc\""));
        assert!(svg.contains("<title id=\"funnel-title\">Funnel &lt;2027&gt;</title>"));
        assert!(!svg.contains("style="), "the CSP forbids inline styles");
        assert_eq!(svg.matches("<rect").count(), 2);
    }

    #[test]
    fn a_line_chart_draws_one_line_per_series_and_survives_no_data() {
        let svg = line_chart(
            "days",
            "Per day",
            "d",
            "Days since the round opened",
            &[
                ("This round".into(), vec![(0, 1), (3, 5)]),
                ("Last round".into(), vec![]),
            ],
        );
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.ends_with("</svg>"));
    }
}

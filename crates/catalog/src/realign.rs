//! Rows with fewer fields than the header: some exports drop a run of fields
//! and shift the later ones left (REES46's jewelry orders lose
//! `category_id,category_code` on ~2,200 rows, so the price column would read
//! the customer's gender and the customer column a colour). `Realigner`
//! learns what each column holds from the full-width rows, tries every place
//! the missing run could have been, and puts the empty fields back only when
//! the answer does not matter for any column the reader uses; otherwise the
//! row is reported, never guessed.

/// Shapes of a value, as bit flags, so that a column's seen shapes are a set.
const EMPTY: u8 = 1;
const INT: u8 = 2;
const DECIMAL: u8 = 4;
const TEXT: u8 = 8;

/// Line numbers a summary names.
const FIRST_LINES_KEPT: usize = 5;

fn shape(v: &str) -> u8 {
    let v = v.trim();
    if v.is_empty() {
        return EMPTY;
    }
    let digits = v.strip_prefix('-').unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return INT;
    }
    if let Some((a, b)) = digits.split_once('.') {
        if !(a.is_empty() && b.is_empty())
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
        {
            return DECIMAL;
        }
    }
    TEXT
}

/// What became of a short row.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The row, as wide as the header, with empty fields where the missing
    /// run was.
    Realigned(Vec<String>),
    /// The row cannot be placed; the message says why (without the line).
    Unreadable(String),
}

pub(crate) struct Realigner {
    header: Vec<String>,
    /// Columns the reader reads: a missing run may not cover one, and every
    /// placement must agree on their values.
    used: Vec<bool>,
    /// Per column, the shapes seen in full-width rows.
    shapes: Vec<u8>,
    full_rows: u64,
    realigned: u64,
    first_lines: Vec<u64>,
    /// Columns some realigned row was missing (where the run could lie).
    missing_columns: Vec<bool>,
}

impl Realigner {
    pub(crate) fn new(header: &[String], used: &[usize]) -> Realigner {
        let mut used_mask = vec![false; header.len()];
        for &i in used {
            if let Some(u) = used_mask.get_mut(i) {
                *u = true;
            }
        }
        Realigner {
            header: header.to_vec(),
            used: used_mask,
            shapes: vec![0; header.len()],
            full_rows: 0,
            realigned: 0,
            first_lines: Vec::new(),
            missing_columns: vec![false; header.len()],
        }
    }

    /// Learns from a row as wide as the header.
    pub(crate) fn learn(&mut self, values: &[String]) {
        if values.len() != self.header.len() {
            return;
        }
        self.full_rows += 1;
        for (s, v) in self.shapes.iter_mut().zip(values) {
            *s |= shape(v);
        }
    }

    /// Places a row shorter than the header.
    pub(crate) fn realign(&mut self, line: u64, values: &[String]) -> Outcome {
        let width = self.header.len();
        let k = width.saturating_sub(values.len());
        let found = format!("expected {width} fields like the header, found {}", values.len());
        if k == 0 || values.is_empty() {
            return Outcome::Unreadable(format!("{found}; row skipped"));
        }
        if self.full_rows == 0 {
            return Outcome::Unreadable(format!(
                "{found}, and no full row came before it to tell which are missing; row skipped"
            ));
        }
        // Every start of the missing run that covers no column read and
        // leaves each value in a column that has held values of its shape.
        let mut fits: Vec<(usize, Vec<String>)> = Vec::new();
        for start in 0..=values.len() {
            if self.used[start..start + k].iter().any(|&u| u) {
                continue;
            }
            let mut row = Vec::with_capacity(width);
            row.extend_from_slice(&values[..start]);
            row.extend(std::iter::repeat_n(String::new(), k));
            row.extend_from_slice(&values[start..]);
            let consistent = row
                .iter()
                .enumerate()
                .all(|(c, v)| (start..start + k).contains(&c) || shape(v) & self.shapes[c] != 0);
            if consistent {
                fits.push((start, row));
            }
        }
        let Some((_, first)) = fits.first() else {
            return Outcome::Unreadable(format!(
                "{found}, and no run of {k} missing columns makes the others hold values like those above it; row skipped"
            ));
        };
        let agree = fits.iter().all(|(_, row)| {
            row.iter().zip(first).enumerate().all(|(c, (a, b))| !self.used[c] || a.trim() == b.trim())
        });
        if !agree {
            let places: Vec<String> = fits.iter().map(|(s, _)| self.run_names(*s, k)).collect();
            return Outcome::Unreadable(format!(
                "{found}; the missing fields could be {}, which read differently; row skipped",
                places.join(" or ")
            ));
        }
        for (start, _) in &fits {
            for m in &mut self.missing_columns[*start..*start + k] {
                *m = true;
            }
        }
        self.realigned += 1;
        if self.first_lines.len() < FIRST_LINES_KEPT {
            self.first_lines.push(line);
        }
        Outcome::Realigned(first.clone())
    }

    fn run_names(&self, start: usize, k: usize) -> String {
        self.header[start..start + k].join(",")
    }

    /// Rows realigned so far.
    #[cfg(test)]
    pub(crate) fn realigned(&self) -> u64 {
        self.realigned
    }

    /// One line for the import's report: how many rows were realigned, the
    /// first lines, and where the missing fields were taken to be. `None`
    /// when no row was.
    pub(crate) fn summary(&self) -> Option<(u64, String)> {
        let first = *self.first_lines.first()?;
        let missing: Vec<&str> = self
            .header
            .iter()
            .zip(&self.missing_columns)
            .filter(|(_, m)| **m)
            .map(|(h, _)| h.as_str())
            .collect();
        let lines: Vec<String> = self.first_lines.iter().map(u64::to_string).collect();
        let more = if self.realigned > self.first_lines.len() as u64 { ", ..." } else { "" };
        Some((
            first,
            format!(
                "{} rows had fewer fields than the header, missing among {} (columns this import does not read), and were realigned: the later fields moved back under their own columns (lines {}{more})",
                self.realigned,
                missing.join(", "),
                lines.join(", "),
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(""), EMPTY);
        assert_eq!(shape("1806829201890738522"), INT);
        assert_eq!(shape("561.51"), DECIMAL);
        assert_eq!(shape("jewelry.earring"), TEXT);
        assert_eq!(shape("."), TEXT);
    }

    #[test]
    fn a_run_is_put_back_only_where_the_read_columns_agree() {
        // Columns 1 and 3 are read, so only `c` can be the missing one.
        let header = strings("a,b,c,d");
        let mut r = Realigner::new(&header, &[1, 3]);
        r.learn(&strings("x,1,y,2"));
        assert_eq!(r.realign(7, &strings("x,1,2")), Outcome::Realigned(strings("x,1,,2")));
        // `b` never held text, and "y" would land there wherever the gap is.
        assert!(matches!(r.realign(8, &strings("y,y,2")), Outcome::Unreadable(_)));
        assert_eq!(r.realigned(), 1);
        let (line, message) = r.summary().expect("one realigned");
        assert_eq!(line, 7);
        assert!(message.starts_with("1 rows had fewer fields"), "{message}");
        assert!(message.contains("missing among c ") && message.contains("(lines 7)"), "{message}");

        // With `b` read and every column numeric, `1,2` is `,1,2` or `1,2,`:
        // `b` would read 1 or 2, so the row is reported, not guessed.
        let mut r = Realigner::new(&strings("a,b,c"), &[1]);
        r.learn(&strings("1,2,3"));
        match r.realign(3, &strings("1,2")) {
            Outcome::Unreadable(m) => assert!(m.contains("could be a or c"), "{m}"),
            other => panic!("{other:?}"),
        }
        // Nothing learnt yet: nothing to compare with.
        let mut r = Realigner::new(&strings("a,b,c"), &[1]);
        assert!(matches!(r.realign(2, &strings("1,2")), Outcome::Unreadable(_)));
    }
}

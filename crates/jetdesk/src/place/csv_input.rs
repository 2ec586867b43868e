//! The CSV input of `jetdesk place` (applicants, posts and optional couples files; the format is in
//! docs/placement.md). Kept in its own file, depending on nothing but std, `jetdesk-placement` and
//! the parent's `Failure`, `EXIT_INVALID` and `invalid`, so that the fuzz target `placement_csv`
//! can include it by path (docs/fuzzing.md).

use super::{invalid, Failure, EXIT_INVALID};
use jetdesk_placement::{Instance, InstanceBuilder, InstanceError, Position};
use std::path::Path;

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records of
/// `(field, 1-based field number)`, with the 1-based line each record starts on.
fn csv_records(path: &Path, bytes: &[u8]) -> Result<Vec<(u64, Vec<String>)>, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes
            .get(..e.valid_up_to())
            .unwrap_or(&[])
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        (
            EXIT_INVALID,
            format!("{}: line {line}: not UTF-8", path.display()),
        )
    })?;
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut record_line) = (1u64, 1u64);
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                if !(record.len() == 1 && record.first().is_some_and(String::is_empty)) {
                    records.push((record_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                record_line = line;
                at_field_start = true;
            }
            '"' => {
                return Err((
                    EXIT_INVALID,
                    format!(
                        "{}: line {line}: a quote inside an unquoted field",
                        path.display()
                    ),
                ))
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err((
            EXIT_INVALID,
            format!(
                "{}: line {record_line}: unterminated quoted field",
                path.display()
            ),
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    Ok(records)
}

/// The non-empty cells after the first `skip`, with their 1-based field numbers; an empty cell
/// followed by a filled one is refused (a gap in a ranked list is almost surely a mistake).
fn cells(path: &Path, line: u64, record: &[String], skip: usize) -> Result<Vec<(String, u64)>, Failure> {
    let rest: Vec<(String, u64)> = record
        .iter()
        .enumerate()
        .skip(skip)
        .map(|(i, f)| (f.trim().to_owned(), i as u64 + 1))
        .collect();
    let last_filled = rest.iter().rposition(|(f, _)| !f.is_empty()).map_or(0, |i| i + 1);
    let kept: Vec<(String, u64)> = rest.into_iter().take(last_filled).collect();
    if let Some((_, col)) = kept.iter().find(|(f, _)| f.is_empty()) {
        return Err((
            EXIT_INVALID,
            format!(
                "{}: line {line}, field {col}: empty cell inside a ranked list",
                path.display()
            ),
        ));
    }
    Ok(kept)
}

pub(super) fn read_csv(
    applicants_path: &Path,
    applicants: &[u8],
    posts_path: &Path,
    posts: &[u8],
    couples: Option<(&Path, &[u8])>,
) -> Result<Instance, Failure> {
    let mut b = InstanceBuilder::new();
    let at = |line: u64, column: u64| Position { line, column };
    // Errors from the builder are attributed to the file being read when they happen.
    let fail_in = |path: &Path| {
        let path = path.to_owned();
        move |e: InstanceError| invalid(&path, &e)
    };
    for (line, record) in csv_records(applicants_path, applicants)?.into_iter().skip(1) {
        let name = record.first().map(|s| s.trim().to_owned()).unwrap_or_default();
        let choices = cells(applicants_path, line, &record, 1)?;
        no_duplicate_cells(&name, line, &choices).map_err(fail_in(applicants_path))?;
        b.at(at(line, 1));
        b.applicant(name, choices.into_iter().map(|(f, _)| f))
            .map_err(fail_in(applicants_path))?;
    }
    for (line, record) in csv_records(posts_path, posts)?.into_iter().skip(1) {
        let name = record.first().map(|s| s.trim().to_owned()).unwrap_or_default();
        let cap_text = record.get(1).map(|s| s.trim().to_owned()).unwrap_or_default();
        let Some(capacity) = cap_text.parse::<u32>().ok().filter(|&c| c > 0) else {
            return Err((
                EXIT_INVALID,
                format!(
                    "{}: line {line}, field 2: capacity of post {name:?} must be a positive integer, found {cap_text:?}",
                    posts_path.display()
                ),
            ));
        };
        let priority = cells(posts_path, line, &record, 2)?;
        b.at(at(line, 1));
        b.post(name, capacity, priority.into_iter().map(|(f, _)| f))
            .map_err(fail_in(posts_path))?;
    }
    if let Some((path, bytes)) = couples {
        for (line, record) in csv_records(path, bytes)?.into_iter().skip(1) {
            let members = [0, 1].map(|i| record.get(i).map(|s| s.trim().to_owned()).unwrap_or_default());
            let posts = cells(path, line, &record, 2)?;
            if posts.len() % 2 != 0 {
                return Err((
                    EXIT_INVALID,
                    format!(
                        "{}: line {line}: pairs need an even number of posts",
                        path.display()
                    ),
                ));
            }
            let pairs: Vec<[String; 2]> = posts
                .chunks_exact(2)
                .filter_map(|c| match c {
                    [(p, _), (q, _)] => Some([p.clone(), q.clone()]),
                    _ => None,
                })
                .collect();
            b.at(at(line, 1));
            b.couple(members, pairs).map_err(fail_in(path))?;
        }
    }
    b.build().map_err(|e| (EXIT_INVALID, format!("CSV input: {e}")))
}

/// Refuses a post listed twice by one applicant, naming the cell (the builder only knows the line).
fn no_duplicate_cells(applicant: &str, line: u64, choices: &[(String, u64)]) -> Result<(), InstanceError> {
    let mut seen = std::collections::HashSet::new();
    for (post, col) in choices {
        if !seen.insert(post.as_str()) {
            return Err(InstanceError {
                problem: jetdesk_placement::Problem::DuplicateChoice {
                    applicant: applicant.to_owned(),
                    post: post.clone(),
                },
                position: Some(Position { line, column: *col }),
            });
        }
    }
    Ok(())
}

//! The CSV input of `jetdesk place` (applicants, posts and optional couples files; the format is in
//! docs/placement.md). Kept in its own file, depending on nothing but std, `jetdesk-placement` and
//! the parent's `Failure`, `EXIT_INVALID` and `invalid`, so that the fuzz target `placement_csv`
//! can include it by path (docs/fuzzing.md).

use super::{invalid, Failure, EXIT_INVALID};
use jetdesk_placement::{Instance, InstanceBuilder, InstanceError, Position, Problem};
use std::path::Path;

/// Splits CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into records (their
/// fields), with the 1-based line each record starts on; blank rows are left out.
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
                if !is_blank(&record) {
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
    record.push(field);
    if !is_blank(&record) {
        records.push((record_line, record));
    }
    Ok(records)
}

/// A row with nothing but white space in every field (an empty line, `,,,` as spreadsheets write
/// an empty row, or spaces): not an entry, skipped wherever it is.
fn is_blank(record: &[String]) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// The trimmed name in a record's `field` (0-based), refused when empty: a row with something in
/// it but no name is a mistake (blank rows never get here).
fn required_name(
    path: &Path,
    line: u64,
    record: &[String],
    field: usize,
    what: &str,
) -> Result<String, Failure> {
    match record.get(field).map(|s| s.trim()) {
        Some(name) if !name.is_empty() => Ok(name.to_owned()),
        _ => Err((
            EXIT_INVALID,
            format!(
                "{}: line {line}, field {}: {what} without a name",
                path.display(),
                field + 1
            ),
        )),
    }
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
        let name = required_name(applicants_path, line, &record, 0, "an applicant")?;
        let choices = cells(applicants_path, line, &record, 1)?;
        no_duplicate_cells(&name, line, &choices).map_err(fail_in(applicants_path))?;
        b.at(at(line, 1));
        b.applicant(name, choices.into_iter().map(|(f, _)| f))
            .map_err(fail_in(applicants_path))?;
    }
    for (line, record) in csv_records(posts_path, posts)?.into_iter().skip(1) {
        let name = required_name(posts_path, line, &record, 0, "a post")?;
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
            let members = [
                required_name(path, line, &record, 0, "a couple's first member")?,
                required_name(path, line, &record, 1, "a couple's second member")?,
            ];
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
    let files = Files {
        applicants: (applicants_path, applicants),
        posts: (posts_path, posts),
        couples,
    };
    b.build().map_err(|e| files.undefined_name(&e))
}

/// The three inputs, kept to find where a name that is never defined was used.
struct Files<'a> {
    applicants: (&'a Path, &'a [u8]),
    posts: (&'a Path, &'a [u8]),
    couples: Option<(&'a Path, &'a [u8])>,
}

impl Files<'_> {
    /// The builder's error for a name used but never defined, said with the file, line and field of
    /// its first use (found by reading the files again: this only happens on the way out). Posts are
    /// named in the applicants and couples files; applicants are named in the posts file.
    fn undefined_name(&self, e: &InstanceError) -> Failure {
        let display = |path: &Path| path.display().to_string();
        let (file, found, message) = match &e.problem {
            Problem::UnknownPost { post, named_by } => {
                let in_applicants = first_use(self.applicants, 1, post).map(|at| (self.applicants, at));
                let in_couples = || self.couples.and_then(|c| Some((c, first_use(c, 2, post)?)));
                let (file, found) = match in_applicants.or_else(in_couples) {
                    Some((file, at)) => (file, Some(at)),
                    None => (self.applicants, None),
                };
                let message = format!(
                    "unknown post {post:?} in the list of {named_by} (not in {})",
                    display(self.posts.0)
                );
                (file, found, message)
            }
            Problem::UnknownApplicant { applicant, post } => {
                let message = format!(
                    "post {post:?} ranks {applicant:?}, who is not in {}{}",
                    display(self.applicants.0),
                    self.couples
                        .map(|(c, _)| format!(" nor in {}", display(c)))
                        .unwrap_or_default()
                );
                (self.posts, first_use(self.posts, 2, applicant), message)
            }
            _ => {
                // Not a name left undefined (the builder reports nothing else at the end); say
                // which files were being read.
                let mut names = vec![display(self.applicants.0), display(self.posts.0)];
                names.extend(self.couples.map(|(c, _)| display(c)));
                return (EXIT_INVALID, format!("{}: {e}", names.join(", ")));
            }
        };
        let at = match (found, e.position) {
            (Some((line, field)), _) => format!("line {line}, field {field}: "),
            (None, Some(p)) => format!("line {}: ", p.line),
            (None, None) => String::new(),
        };
        (EXIT_INVALID, format!("{}: {at}{message}", display(file.0)))
    }
}

/// The line and 1-based field of the first cell after the first `skip` (header row left out) that
/// holds `name`.
fn first_use((path, bytes): (&Path, &[u8]), skip: usize, name: &str) -> Option<(u64, u64)> {
    let records = csv_records(path, bytes).ok()?;
    records.iter().skip(1).find_map(|(line, record)| {
        let field = record.iter().skip(skip).position(|f| f.trim() == name)?;
        Some((*line, (skip + field + 1) as u64))
    })
}

/// Refuses a post listed twice by one applicant, naming the cell (the builder only knows the line).
fn no_duplicate_cells(applicant: &str, line: u64, choices: &[(String, u64)]) -> Result<(), InstanceError> {
    let mut seen = std::collections::HashSet::new();
    for (post, col) in choices {
        if !seen.insert(post.as_str()) {
            return Err(InstanceError {
                problem: Problem::DuplicateChoice {
                    applicant: applicant.to_owned(),
                    post: post.clone(),
                },
                position: Some(Position { line, column: *col }),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(applicants: &str, posts: &str, couples: Option<&str>) -> Result<Instance, Failure> {
        read_csv(
            Path::new("a.csv"),
            applicants.as_bytes(),
            Path::new("p.csv"),
            posts.as_bytes(),
            couples.map(|c| (Path::new("c.csv"), c.as_bytes())),
        )
    }

    fn refusal(applicants: &str, posts: &str, couples: Option<&str>) -> String {
        match read(applicants, posts, couples) {
            Ok(_) => panic!("accepted:\n{applicants}\n{posts}\n{couples:?}"),
            Err((code, message)) => {
                assert_eq!(code, EXIT_INVALID, "{message}");
                message
            }
        }
    }

    #[test]
    fn blank_rows_are_not_entries_wherever_they_are() {
        // Empty lines (LF and CRLF), rows of empty cells as spreadsheets save an empty row, a row
        // of spaces and tabs: before, between and after the entries of every file, twice at the end.
        let applicants = concat!(
            "\r\napplicant,choice_1,choice_2\r\n\r\nAiko,Sapporo,Naha\r\n,,\r\n   \r\n",
            "Ben,Naha\r\n,,\r\n,,\r\n"
        );
        let posts = "post,capacity,priority_1,priority_2\n\nSapporo,1,Aiko\n ,\t,\nNaha,2,Ben,Aiko\n\n\n";
        let couples =
            "member_1,member_2,pair_1_post_1,pair_1_post_2\n,,,\nChloé,Dan,Sapporo,Naha\n,,,\n\" \",,,";
        let instance = match read(applicants, posts, Some(couples)) {
            Ok(instance) => instance,
            Err((_, message)) => panic!("{message}"),
        };
        let mut applicants: Vec<&str> = instance
            .applicants()
            .map(|a| instance.applicant_name(a))
            .collect();
        applicants.sort_unstable();
        assert_eq!(applicants, ["Aiko", "Ben", "Chloé", "Dan"]);
        let posts: Vec<&str> = instance.posts().map(|p| instance.post_name(p)).collect();
        assert_eq!(posts, ["Sapporo", "Naha"]);
        assert_eq!(instance.couple_count(), 1);
    }

    #[test]
    fn a_row_with_cells_but_no_name_is_refused_with_its_file_line_and_field() {
        let posts = "post,capacity\nSapporo,1\n";
        assert_eq!(
            refusal("applicant,choice_1\nAiko,Sapporo\n  ,Sapporo\n", posts, None),
            "a.csv: line 3, field 1: an applicant without a name"
        );
        assert_eq!(
            refusal(
                "applicant,choice_1\nAiko,Sapporo\n",
                "post,capacity\n\n,1,Aiko\n",
                None
            ),
            "p.csv: line 3, field 1: a post without a name"
        );
        assert_eq!(
            refusal(
                "applicant\n",
                posts,
                Some("member_1,member_2,pair_1_post_1,pair_1_post_2\nChloé,,Sapporo,Sapporo\n")
            ),
            "c.csv: line 2, field 2: a couple's second member without a name"
        );
    }

    #[test]
    fn a_name_never_defined_is_reported_in_the_file_that_uses_it() {
        let posts = "post,capacity,priority_1\nSapporo,1,Aiko\n";
        let m = refusal(
            "applicant,choice_1\nAiko,Sapporo\n\nBen,Sapporo,Kobe\n",
            posts,
            None,
        );
        assert!(
            m.starts_with("a.csv: line 4, field 3: unknown post \"Kobe\""),
            "{m}"
        );
        assert!(m.contains("not in p.csv"), "{m}");

        let couples = "member_1,member_2,pair_1_post_1,pair_1_post_2\nChloé,Dan,Sapporo,Kobe\n";
        let m = refusal("applicant,choice_1\nAiko,Sapporo\n", posts, Some(couples));
        assert!(
            m.starts_with("c.csv: line 2, field 4: unknown post \"Kobe\""),
            "{m}"
        );

        let posts = "post,capacity,priority_1,priority_2\nSapporo,1,Aiko,Zoe\n";
        let m = refusal(
            "applicant,choice_1\nAiko,Sapporo\n",
            posts,
            Some("member_1,member_2\n"),
        );
        assert_eq!(
            m,
            "p.csv: line 2, field 4: post \"Sapporo\" ranks \"Zoe\", who is not in a.csv nor in c.csv"
        );
    }
}

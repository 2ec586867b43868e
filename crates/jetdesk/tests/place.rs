//! `jetdesk place` as a user runs it: the real binary on small instances. Explanations are asked
//! for with `--explain`; an input is read the same whether it is a file (mapped into memory) or a
//! pipe; a refused input names the line and column whichever reader found the problem.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const INSTANCE: &str = r#"{"applicants": {"Aiko": ["Sapporo", "Naha"], "Ben": ["Sapporo", "Naha"],
  "Chloé": ["Naha", "Sapporo"]},
 "posts": {"Sapporo": {"capacity": 1, "priority": ["Chloé", "Aiko", "Ben"]},
           "Naha": {"capacity": 1, "priority": ["Aiko", "Ben", "Chloé"]}}}"#;

fn place(dir: &Path, input: &str, args: &[&str]) -> Output {
    let path = dir.join("instance.json");
    std::fs::write(&path, input).unwrap();
    Command::new(env!("CARGO_BIN_EXE_jetdesk"))
        .arg("place")
        .arg("--input")
        .arg(&path)
        .args(args)
        .output()
        .expect("jetdesk place runs")
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn explanations_only_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let plain = stdout(&place(dir.path(), INSTANCE, &[]));
    let explained = stdout(&place(dir.path(), INSTANCE, &["--explain"]));
    assert!(plain.starts_with(
        "{\"assignments\": {\n\"Aiko\": \"Naha\",\n\"Chloé\": \"Sapporo\"},\n\"unmatched\": [\n\"Ben\"],\n\"stable\": true,"
    ));
    assert!(!plain.contains("explanations"), "{plain}");
    assert!(plain.ends_with("}}}\n"), "{plain}");
    // The same result, with the explanations added at the end.
    assert_eq!(explained.get(..plain.len() - 2), plain.get(..plain.len() - 2));
    assert!(explained.contains(
        "\"explanations\": {\n\"Aiko\": \"Your 1st choice took 1 candidate with higher priority; you were placed at your 2nd choice.\""
    ));

    let csv = stdout(&place(dir.path(), INSTANCE, &["--format", "csv"]));
    assert_eq!(
        csv,
        "applicant,post,choice\nAiko,Naha,2\nBen,,\nChloé,Sapporo,2\n"
    );
    let csv = stdout(&place(dir.path(), INSTANCE, &["--format", "csv", "--explain"]));
    assert!(csv.starts_with("applicant,post,choice,explanation\nAiko,Naha,2,Your 1st choice"));
}

#[test]
fn a_pipe_reads_like_a_file_and_a_result_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let from_file = stdout(&place(dir.path(), INSTANCE, &[]));
    let out = dir.path().join("result.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jetdesk"))
        .args(["place", "--input", "/dev/stdin", "--output"])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(INSTANCE.as_bytes())
        .unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), from_file);
    let summary = String::from_utf8_lossy(&done.stderr);
    assert!(
        summary.contains("placed 2 of 3 applicants in 2 posts"),
        "{summary}"
    );
}

#[test]
fn refusals_name_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for (input, message) in [
        // Found while reading the priority lists, which the fast path resolves only at the end.
        (
            INSTANCE.replace("\"Aiko\", \"Ben\", \"Chloé\"", "\"Aiko\", \"Bob\", \"Chloé\""),
            "line 4, column 57: post \"Naha\" ranks \"Bob\", who is neither an applicant nor a couple member",
        ),
        (
            INSTANCE.replace("\"Aiko\", \"Ben\", \"Chloé\"", "\"Aiko\", \"Ben\", \"Aiko\""),
            "line 4, column 64: post \"Naha\" ranks applicant \"Aiko\" twice",
        ),
        (
            INSTANCE.replace(
                "\"capacity\": 1, \"priority\": [\"Aiko\"",
                "\"capacity\": 0, \"priority\": [\"Aiko\"",
            ),
            "line 4, column 33: capacity of post \"Naha\" must be a positive integer, found 0",
        ),
    ] {
        let o = place(dir.path(), &input, &[]);
        assert_eq!(o.status.code(), Some(4), "{input}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{err}");
    }
}

//! What a file is, decided by its content alone: never by its name or the type the browser stated.
//! Each accepted format has a magic number at the start and a structural end (a PDF's `%%EOF`, a
//! JPEG's EOI marker, a PNG's IEND chunk), so a truncated file is refused too. PDFs naming active
//! content (JavaScript, launch actions, embedded files) are refused; names written with `#xx`
//! escapes are decoded before they are compared.

/// A format jetdesk accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// application/pdf
    Pdf,
    /// image/jpeg
    Jpeg,
    /// image/png
    Png,
}

impl Sniffed {
    /// The MIME type served on download.
    pub fn content_type(self) -> &'static str {
        match self {
            Sniffed::Pdf => "application/pdf",
            Sniffed::Jpeg => "image/jpeg",
            Sniffed::Png => "image/png",
        }
    }
}

/// Why a file was refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Empty upload.
    Empty,
    /// Not a PDF, JPEG or PNG at all.
    Unknown,
    /// Starts like a known format but its end is missing.
    Truncated(Sniffed),
    /// A PDF with active content.
    ActiveContent(&'static str),
}

impl Refusal {
    /// The message shown beside the upload field.
    pub fn message(&self) -> String {
        match self {
            Refusal::Empty => "The selected file is empty".into(),
            Refusal::Unknown => {
                "The selected file is not a PDF, JPEG or PNG file (we check the content, not the name)".into()
            }
            Refusal::Truncated(s) => format!(
                "The selected file is incomplete: it starts like a {} file but its end is missing. Save it again and upload the new copy",
                match s {
                    Sniffed::Pdf => "PDF",
                    Sniffed::Jpeg => "JPEG",
                    Sniffed::Png => "PNG",
                }
            ),
            Refusal::ActiveContent(what) => format!(
                "The selected PDF contains {what}, which we do not accept. Print it to a new PDF and upload that"
            ),
        }
    }
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const PNG_IEND: &[u8] = b"\x00\x00\x00\x00IEND\xaeB`\x82";

/// Decides what `bytes` are, or why they are refused.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.starts_with(b"%PDF-") {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if find(tail, b"%%EOF").is_none() {
            return Err(Refusal::Truncated(Sniffed::Pdf));
        }
        if let Some(what) = active_content(bytes) {
            return Err(Refusal::ActiveContent(what));
        }
        return Ok(Sniffed::Pdf);
    }
    if bytes.starts_with(b"\xff\xd8\xff") {
        // Some cameras pad after the end-of-image marker; allow a little.
        let tail = &bytes[bytes.len().saturating_sub(64)..];
        if bytes.len() < 4 || find(tail, b"\xff\xd9").is_none() {
            return Err(Refusal::Truncated(Sniffed::Jpeg));
        }
        return Ok(Sniffed::Jpeg);
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        if bytes.len() < PNG_SIGNATURE.len() + PNG_IEND.len() || !bytes.ends_with(PNG_IEND) {
            return Err(Refusal::Truncated(Sniffed::Png));
        }
        return Ok(Sniffed::Png);
    }
    Err(Refusal::Unknown)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// PDF delimiters end a name; so does white space.
fn ends_name(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | b'\0'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

/// The first forbidden name in a PDF, described, if any.
fn active_content(bytes: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'/' {
            i += 1;
            continue;
        }
        let mut name = Vec::new();
        let mut j = i + 1;
        while j < bytes.len() && !ends_name(bytes[j]) && name.len() < 64 {
            if bytes[j] == b'#' && j + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[j + 1..j + 3]).ok();
                if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    name.push(b);
                    j += 3;
                    continue;
                }
            }
            name.push(bytes[j]);
            j += 1;
        }
        match name.as_slice() {
            b"JavaScript" | b"JS" => return Some("JavaScript"),
            b"Launch" => return Some("an action that starts a program"),
            b"EmbeddedFile" | b"EmbeddedFiles" => return Some("embedded files"),
            _ => {}
        }
        i = j.max(i + 1);
    }
    None
}

/// The applicant's file name as shown back to them: the last path component only, no control
/// characters, at most 200 characters; "document" if nothing is left.
pub fn sanitise_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .take(200)
        .collect();
    // Dots and spaces are stripped together: ". .htaccess" must not come out as ".htaccess".
    let clean = clean
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end()
        .to_string();
    if clean.is_empty() {
        "document".into()
    } else {
        clean
    }
}

/// An ASCII-only version of a file name for the `filename=` parameter of Content-Disposition
/// (the full name goes in `filename*`).
pub fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdf(body: &str) -> Vec<u8> {
        format!("%PDF-1.4\n1 0 obj\n<< {body} >>\nendobj\ntrailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n")
            .into_bytes()
    }

    #[test]
    fn a_plain_pdf_is_accepted() {
        assert_eq!(sniff(&pdf("/Type /Catalog")), Ok(Sniffed::Pdf));
    }

    #[test]
    fn a_pdf_without_its_end_is_truncated() {
        let full = pdf("/Type /Catalog");
        assert_eq!(
            sniff(&full[..full.len() - 8]),
            Err(Refusal::Truncated(Sniffed::Pdf))
        );
    }

    #[test]
    fn pdfs_with_active_content_are_refused_even_when_escaped() {
        assert!(matches!(
            sniff(&pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
            Err(Refusal::ActiveContent(_))
        ));
        assert!(matches!(
            sniff(&pdf("/S /J#53 (x)")),
            Err(Refusal::ActiveContent(_))
        ));
        assert!(matches!(
            sniff(&pdf("/S /Launch /F (calc.exe)")),
            Err(Refusal::ActiveContent(_))
        ));
        assert!(matches!(
            sniff(&pdf("/Names << /EmbeddedFiles 2 0 R >>")),
            Err(Refusal::ActiveContent(_))
        ));
        // A name that merely starts with the same letters is fine.
        assert_eq!(sniff(&pdf("/JSON /Type")), Ok(Sniffed::Pdf));
    }

    #[test]
    fn images_need_their_end_markers() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend_from_slice(b"\x00\x00\x00\x0dIHDR0123456789abc");
        png.extend_from_slice(PNG_IEND);
        assert_eq!(sniff(&png), Ok(Sniffed::Png));
        assert_eq!(
            sniff(&png[..png.len() - 1]),
            Err(Refusal::Truncated(Sniffed::Png))
        );
        let jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00rest\xff\xd9".to_vec();
        assert_eq!(sniff(&jpeg), Ok(Sniffed::Jpeg));
        assert_eq!(
            sniff(&jpeg[..jpeg.len() - 2]),
            Err(Refusal::Truncated(Sniffed::Jpeg))
        );
    }

    #[test]
    fn names_and_stated_types_do_not_matter() {
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), Err(Refusal::Unknown));
        assert_eq!(sniff(b""), Err(Refusal::Empty));
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(sanitise_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_name("C:\\Users\\ann\\degree.pdf"), "degree.pdf");
        assert_eq!(sanitise_name("deg\u{0}ree\r\n.pdf"), "degree.pdf");
        assert_eq!(sanitise_name("evil\u{202e}fdp.exe"), "evilfdp.exe");
        assert_eq!(sanitise_name("/"), "document");
        assert_eq!(sanitise_name(&"a".repeat(500)).chars().count(), 200);
        assert_eq!(ascii_name("é \"x\".pdf"), "_ _x_.pdf");
    }

    /// Found by the `upload_sniffing` fuzz target: a dot after the leading dots and spaces survived,
    /// so a name could still start with a dot, and sanitising twice changed it.
    #[test]
    fn no_leading_dot_survives_and_sanitising_twice_changes_nothing() {
        assert_eq!(sanitise_name(". .htaccess"), "htaccess");
        assert_eq!(
            sanitise_name(".. . evi . evi evilfdp.exe"),
            "evi . evi evilfdp.exe"
        );
        for raw in [". .htaccess", " . . ", "..\\. .x", "a/ . .b. "] {
            let once = sanitise_name(raw);
            assert!(!once.starts_with('.'), "{raw:?} gave {once:?}");
            assert_eq!(sanitise_name(&once), once);
        }
    }
}

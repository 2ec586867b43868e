//! Reading an instance from JSON bytes, straight into the interned [`Instance`] tables.
//!
//! A hand-written reader for the one shape jetdesk accepts (see `docs/placement.md`): it borrows
//! names from the input instead of copying them, builds no intermediate maps, and knows the byte
//! offset of every name, so a refusal can say the line and column of the offending entry (an unknown
//! post is only known to be unknown at the end of the file). It must accept exactly the JSON grammar
//! (RFC 8259) for the parts it reads, and never panic on any input.
//! Decision record: `docs/decisions/0100-placement-json-reader.md`.

use crate::deferred::Ranks;
use crate::instance::{Assembler, BuildError, Instance, InstanceError, Position, Problem};
use std::borrow::Cow;

/// Reads an instance from JSON text.
///
/// The shape: `{"applicants": {NAME: [POST, …], …}, "posts": {NAME: {"capacity": N, "priority":
/// [APPLICANT, …]}, …}, "couples": [{"members": [A, B], "pairs": [[POST, POST], …]}, …]}`, with
/// `"couples"` optional, keys in any order and no other keys.
///
/// ```
/// let json = br#"{"applicants": {"Aiko": ["Sapporo"]},
///                 "posts": {"Sapporo": {"capacity": 1, "priority": ["Aiko"]}}}"#;
/// let instance = jetdesk_placement::read_json(json)?;
/// assert_eq!(instance.post_count(), 1);
///
/// let bad = br#"{"applicants": {"Aiko": ["Otaru"]}, "posts": {}}"#;
/// let err = jetdesk_placement::read_json(bad).unwrap_err();
/// assert_eq!(err.to_string(), "line 1, column 26: unknown post \"Otaru\" in the list of \
///     applicant \"Aiko\" (no such key under \"posts\")");
/// # Ok::<(), jetdesk_placement::InstanceError>(())
/// ```
///
/// # Errors
/// [`InstanceError`] with the position of the first problem: invalid JSON, an unexpected key, an
/// unknown post or applicant, a duplicate, a capacity that is not a positive integer, or a couple
/// member who also has an individual list.
pub fn read_json(input: &[u8]) -> Result<Instance, InstanceError> {
    read_json_with_progress(input, &mut |_| {})
}

/// [`read_json`], calling `progress` with the number of bytes read so far now and then (about every
/// megabyte), for a progress bar.
///
/// # Errors
/// As [`read_json`].
pub fn read_json_with_progress(
    input: &[u8],
    progress: &mut dyn FnMut(usize),
) -> Result<Instance, InstanceError> {
    // The fast path reads "applicants" before "posts" without couples, and gives up on anything
    // else; the exact reader then reads the input again (and reports the first problem, if any).
    if let Some(instance) = read_fast(input, progress) {
        return Ok(instance);
    }
    read_exact(input, progress)
}

/// The fast path: priority lists are filed during reading and resolved in bulk afterwards (see
/// `deferred.rs`). `None` when the input is not in the layout it handles, or has any problem.
pub(crate) fn read_fast(input: &[u8], progress: &mut dyn FnMut(usize)) -> Option<Instance> {
    let (asm, fast) = read_stages(input, progress, true).ok()?;
    asm.build_deferred(fast?)
}

/// The exact reader: every name is resolved as it is read, so any problem is reported at its
/// position, the first one in the document first.
pub(crate) fn read_exact(input: &[u8], progress: &mut dyn FnMut(usize)) -> Result<Instance, InstanceError> {
    read_stages(input, progress, false)
        .and_then(|(asm, _)| asm.build())
        .map_err(|e| InstanceError {
            problem: e.problem,
            position: e.at.map(|at| position(input, at)),
        })
}

/// What the two reading stages give: the assembled tables, and on the fast path what resolving
/// the priority lists needs.
type Stages<'a> = (Assembler<'a, usize>, Option<Deferred>);

/// Reads the input in two stages on two threads; on the fast path (`fast`), the priority lists are
/// filed for later instead of resolved.
fn read_stages<'a>(input: &'a [u8], progress: &mut dyn FnMut(usize), fast: bool) -> Res<Stages<'a>> {
    // A rough size guess from gen.py-like files (~200 bytes per applicant) avoids rehashing.
    let guess = input.len() / 200;
    // Two stages on two threads: this one reads the text into events (and hashes the names), the
    // other assembles them into the instance's tables (name lookups, mostly cache misses). Batches
    // go over a bounded channel in document order; emptied batches come back to be reused.
    let (to_assembler, batches) = std::sync::mpsc::sync_channel::<Vec<(Event<'_>, usize)>>(4);
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<(Event<'_>, usize)>>();
    let result = std::thread::scope(|s| {
        let assembler = s.spawn(move || -> Res<Stages<'_>> {
            let mut sink = Sink {
                asm: Assembler::with_capacity(guess, guess / 5),
                current: 0,
                fast: fast.then(|| Deferred {
                    ranks: Ranks::for_input(input.len()),
                    defs: Vec::new(),
                    filed: 0,
                    list_entry: None,
                }),
            };
            for mut batch in batches {
                // On an error, returning drops the receiver, which stops the reader.
                sink.assemble(&mut batch)?;
                batch.clear();
                let _ = recycle.send(batch);
            }
            Ok((sink.asm, sink.fast))
        });
        let mut r = Reader {
            b: input,
            i: 0,
            to_assembler,
            recycled,
            progress,
            next_report: 1 << 20,
            pending: Vec::with_capacity(BATCH),
            fast,
        };
        let read = match r.document() {
            // Events read before a syntax error come first in the document: they are assembled
            // (and their errors reported) first.
            Err(e) => {
                let _ = r.flush();
                Err(e)
            }
            Ok(()) => r.flush(),
        };
        drop(r);
        match (assembler.join(), read) {
            (Ok(Err(e)), _) | (Ok(Ok(_)), Err(e)) => Err(e),
            (Ok(Ok(stages)), Ok(())) => Ok(stages),
            (Err(_), _) => Err(BuildError {
                problem: Problem::InvalidJson("internal error: the assembler stopped".to_owned()),
                at: None,
            }),
        }
    });
    result
}

/// Line and column (in characters) of a byte offset.
fn position(input: &[u8], offset: usize) -> Position {
    let before = input.get(..offset).unwrap_or(input);
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count() as u64;
    let col_bytes = before.get(line_start..).unwrap_or(&[]);
    // Count characters, not bytes: continuation bytes of UTF-8 do not start a character.
    let column = 1 + col_bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64;
    Position { line, column }
}

type Res<T> = Result<T, BuildError<usize>>;
/// Two names with their offsets (a couple's members, or a pair of posts).
type Two<'a> = [(Cow<'a, str>, usize); 2];
/// A couple as read: its members, and its pairs if given.
type CoupleRead<'a> = (Two<'a>, Option<Vec<Two<'a>>>);

fn invalid<T>(what: impl Into<String>, at: usize) -> Res<T> {
    Err(BuildError {
        problem: Problem::InvalidJson(what.into()),
        at: Some(at),
    })
}

/// What the reader found, queued for the assembler (see [`Reader::flush`]).
/// Names come with their hash (see `intern::hash`), computed by the reading thread.
enum Event<'a> {
    Applicant(Cow<'a, str>, u64),
    Choice(Cow<'a, str>, u64),
    Post(Cow<'a, str>, u64),
    Rank(Cow<'a, str>, u64),
    /// A whole couple (couples are few).
    Couple(Box<CoupleRead<'a>>),
    Capacity(u64),
    /// A capacity that is not an integer literal, or does not fit: the text found.
    BadCapacity(String),
    /// On the fast path, an entry of a priority list whose name is at most 16 bytes long: its
    /// length and its bytes as two little-endian words (zero beyond the name).
    Short(usize, u64, u64),
    EndPost,
}

/// Events are handed to the assembler in batches of this many, so that the name-table slots of
/// the names a few events ahead can be prefetched: on a machine where a cache miss costs hundreds
/// of nanoseconds, twenty million lookups one miss at a time would take seconds.
const BATCH: usize = 8192;
/// How many events ahead to prefetch.
const AHEAD: usize = 16;

/// The reading stage: text to events, sent in batches to the assembling stage.
struct Reader<'a, 'p> {
    b: &'a [u8],
    i: usize,
    to_assembler: std::sync::mpsc::SyncSender<Vec<(Event<'a>, usize)>>,
    recycled: std::sync::mpsc::Receiver<Vec<(Event<'a>, usize)>>,
    progress: &'p mut dyn FnMut(usize),
    next_report: usize,
    /// Events read but not yet sent, with their offsets.
    pending: Vec<(Event<'a>, usize)>,
    /// Whether this is the fast path (see [`read_fast`]).
    fast: bool,
}

/// The assembling stage: events to the instance's tables.
struct Sink<'a> {
    asm: Assembler<'a, usize>,
    /// The applicant or post whose list is being assembled.
    current: u32,
    /// On the fast path, the priority lists filed so far.
    fast: Option<Deferred>,
}

/// What the fast path keeps for resolving the priority lists after reading.
pub(crate) struct Deferred {
    /// The entries, filed.
    pub(crate) ranks: Ranks,
    /// The id of each post defined, in order of definition.
    pub(crate) defs: Vec<u32>,
    /// How many entries of the current post's list were filed.
    filed: u32,
    /// The applicants' list entries without ranks, made when the first post is read (all lists
    /// are read by then, and this thread has time while the other reads the priority lists).
    pub(crate) list_entry: Option<Vec<u64>>,
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Section {
    Applicants,
    Posts,
    Couples,
}

impl<'a> Reader<'a, '_> {
    fn push(&mut self, event: Event<'a>, at: usize) -> Res<()> {
        self.pending.push((event, at));
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands the pending events to the assembling stage. Fails (with an error that is never
    /// reported, as the assembler's own comes first) when that stage has stopped on an error.
    fn flush(&mut self) -> Res<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let next = self
            .recycled
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let batch = std::mem::replace(&mut self.pending, next);
        self.to_assembler.send(batch).map_err(|_| BuildError {
            problem: Problem::InvalidJson("the assembler stopped".to_owned()),
            at: None,
        })
    }
}

impl Deferred {
    /// Files an entry of the current post's list with `push` (given the post's definition
    /// ordinal and the entry's rank).
    fn file(&mut self, push: impl FnOnce(&mut Ranks, u32, u32) -> bool, at: usize) -> Res<()> {
        let def = u32::try_from(self.defs.len().wrapping_sub(1)).unwrap_or(u32::MAX);
        match (push(&mut self.ranks, def, self.filed), self.filed.checked_add(1)) {
            (true, Some(n)) => {
                self.filed = n;
                Ok(())
            }
            _ => invalid("too large for the fast path", at),
        }
    }
}

impl<'a> Sink<'a> {
    /// Assembles a batch of events, prefetching name-table slots ahead.
    fn assemble(&mut self, pending: &mut [(Event<'a>, usize)]) -> Res<()> {
        for i in 0..pending.len() {
            match pending.get(i + AHEAD) {
                Some((Event::Choice(_, h), _)) => self.asm.prefetch_post(*h),
                Some((Event::Applicant(_, h), _)) => self.asm.prefetch_applicant(*h),
                Some((Event::Rank(_, h), _)) if self.fast.is_none() => self.asm.prefetch_applicant(*h),
                _ => {}
            }
            let Some((event, at)) = pending.get_mut(i) else {
                break;
            };
            let at = *at;
            match std::mem::replace(event, Event::EndPost) {
                Event::Applicant(name, h) => self.current = self.asm.applicant(name, h, at)?,
                Event::Choice(name, h) => self.asm.choice(self.current, name, h, at)?,
                Event::Post(name, h) => {
                    self.current = self.asm.post(name, h, at)?;
                    if let Some(fast) = &mut self.fast {
                        fast.defs.push(self.current);
                        fast.filed = 0;
                        if fast.list_entry.is_none() {
                            fast.list_entry = Some(self.asm.unranked_entries());
                        }
                    }
                }
                Event::Rank(name, h) => match &mut self.fast {
                    Some(fast) => fast.file(|r, def, rank| r.push(name.as_bytes(), def, rank), at)?,
                    None => self.asm.rank(self.current, name, h, at)?,
                },
                Event::Short(len, w0, w1) => match &mut self.fast {
                    Some(fast) => fast.file(|r, def, rank| r.push_words(len, w0, w1, def, rank), at)?,
                    None => return invalid("a filed entry outside the fast path", at),
                },
                Event::Couple(couple) => {
                    let (members, pairs) = *couple;
                    let c = self.asm.couple(members)?;
                    for pair in pairs.unwrap_or_default() {
                        self.asm.pair(c, pair)?;
                    }
                }
                Event::Capacity(value) => self.asm.capacity(self.current, value, at)?,
                Event::BadCapacity(found) => {
                    return Err(BuildError {
                        problem: Problem::BadCapacity {
                            post: self.asm.post_name(self.current).to_owned(),
                            found,
                        },
                        at: Some(at),
                    })
                }
                Event::EndPost => {
                    if let Some(fast) = &self.fast {
                        self.asm.deferred_ranks(self.current, fast.filed, at)?;
                    }
                    self.asm.end_post(self.current, at)?;
                }
            }
        }
        Ok(())
    }
}

impl<'a> Reader<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    /// Describes what is at the current position, for "expected X, found Y".
    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the input".to_owned(),
            Some(b'"') => "a string".to_owned(),
            Some(b'{') => "an object".to_owned(),
            Some(b'[') => "an array".to_owned(),
            Some(b'-' | b'0'..=b'9') => "a number".to_owned(),
            Some(b't' | b'f') => "a boolean".to_owned(),
            Some(b'n') => "null".to_owned(),
            Some(c) if c.is_ascii_graphic() => format!("{:?}", c as char),
            Some(c) => format!("byte 0x{c:02x}"),
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> Res<()> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            invalid(format!("expected {what}, found {}", self.found()), self.i)
        }
    }

    /// After an element: `true` if another follows (a comma was read), `false` at `close`.
    fn more(&mut self, close: u8) -> Res<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.i += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.i += 1;
                Ok(false)
            }
            _ => invalid(
                format!("expected ',' or '{}', found {}", close as char, self.found()),
                self.i,
            ),
        }
    }

    /// Opens an object or array: `true` if it has elements (not immediately closed).
    fn open(&mut self, open: u8, close: u8, what: &str) -> Res<bool> {
        self.expect(open, what)?;
        self.ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// A name of at most 15 bytes without escapes or control characters, found a word at a time:
    /// its start offset (the quote), its length, and its bytes as two little-endian words (zero
    /// beyond the name); the reader is then past it. `None` for anything else (only whitespace
    /// consumed): [`Self::string`] reads it then, with the same result or error.
    #[inline]
    fn short_name(&mut self) -> Option<(usize, usize, u64, u64)> {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        // Per byte, the high bit set at the first byte that is a quote, a backslash or a control
        // character (bits above the first may be wrong, which does not matter).
        let special = |w: u64| {
            let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
            zero(w ^ (LO * u64::from(b'"')))
                | zero(w ^ (LO * u64::from(b'\\')))
                | (w.wrapping_sub(LO * 0x20) & !w & HI)
        };
        self.ws();
        let start = self.i;
        if self.peek() != Some(b'"') {
            return None;
        }
        let words = self.b.get(start + 1..start + 17)?;
        let w0 = u64::from_le_bytes(<[u8; 8]>::try_from(words.get(..8)?).ok()?);
        let w1 = u64::from_le_bytes(<[u8; 8]>::try_from(words.get(8..)?).ok()?);
        let (s0, s1) = (special(w0), special(w1));
        let len = if s0 != 0 {
            (s0.trailing_zeros() / 8) as usize
        } else if s1 != 0 {
            8 + (s1.trailing_zeros() / 8) as usize
        } else {
            return None;
        };
        if words.get(len) != Some(&b'"') {
            return None;
        }
        let keep = |w: u64, n: usize| if n >= 8 { w } else { w & ((1u64 << (8 * n)) - 1) };
        let (w0, w1) = (keep(w0, len), if len > 8 { keep(w1, len - 8) } else { 0 });
        self.i = start + len + 2;
        Some((start, len, w0, w1))
    }

    /// A name (a string) with its start offset and its hash: [`Self::string`], faster for short
    /// names.
    fn name(&mut self, what: &str) -> Res<(Cow<'a, str>, usize, u64)> {
        if let Some((start, len, w0, w1)) = self.short_name() {
            let body = start + 1;
            return match std::str::from_utf8(self.b.get(body..body + len).unwrap_or(&[])) {
                Ok(s) => Ok((Cow::Borrowed(s), start, crate::intern::hash_words(len, w0, w1))),
                Err(e) => invalid("invalid UTF-8 in a string", body + e.valid_up_to()),
            };
        }
        let (s, at) = self.string(what)?;
        let h = crate::intern::hash(s.as_bytes());
        Ok((s, at, h))
    }

    /// A string (its start offset and text), borrowed from the input unless it has escapes.
    fn string(&mut self, what: &str) -> Res<(Cow<'a, str>, usize)> {
        self.ws();
        let start = self.i;
        if self.peek() != Some(b'"') {
            return invalid(format!("expected {what}, found {}", self.found()), start);
        }
        self.i += 1;
        let body = self.i;
        loop {
            match self.peek() {
                Some(b'"') => {
                    let bytes = self.b.get(body..self.i).unwrap_or(&[]);
                    self.i += 1;
                    return match std::str::from_utf8(bytes) {
                        Ok(s) => Ok((Cow::Borrowed(s), start)),
                        Err(e) => invalid("invalid UTF-8 in a string", body + e.valid_up_to()),
                    };
                }
                Some(b'\\') => return self.escaped_string(start, body),
                Some(0..=0x1f) => return invalid("control character in a string", self.i),
                Some(_) => self.i += 1,
                None => return invalid("unterminated string", start),
            }
        }
    }

    /// The slow path of [`Self::string`]: decodes escapes into an owned string.
    fn escaped_string(&mut self, start: usize, body: usize) -> Res<(Cow<'a, str>, usize)> {
        let mut out: Vec<u8> = self.b.get(body..self.i).unwrap_or(&[]).to_vec();
        loop {
            let Some(c) = self.peek() else {
                return invalid("unterminated string", start);
            };
            self.i += 1;
            match c {
                b'"' => {
                    return match String::from_utf8(out) {
                        Ok(s) => Ok((Cow::Owned(s), start)),
                        Err(_) => invalid("invalid UTF-8 in a string", start),
                    }
                }
                b'\\' => {
                    let esc_at = self.i - 1;
                    let Some(e) = self.peek() else {
                        return invalid("unterminated string", start);
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4(esc_at)?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return invalid("unpaired surrogate in \\u escape", esc_at);
                                }
                                self.i += 2;
                                let lo = self.hex4(esc_at)?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return invalid("unpaired surrogate in \\u escape", esc_at);
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(ch) => ch,
                                None => return invalid("unpaired surrogate in \\u escape", esc_at),
                            }
                        }
                        _ => return invalid("invalid escape in a string", esc_at),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return invalid("control character in a string", self.i - 1),
                _ => out.push(c),
            }
        }
    }

    fn hex4(&mut self, esc_at: usize) -> Res<u32> {
        let digits = self.b.get(self.i..self.i + 4).unwrap_or(&[]);
        let text = std::str::from_utf8(digits).unwrap_or("");
        match (text.len() == 4 && text.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(text, 16).ok())
            .flatten()
        {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => invalid("invalid \\u escape (needs four hex digits)", esc_at),
        }
    }

    /// A JSON value of any kind, skipped only to describe it in an error (as its source text).
    fn value_text(&mut self) -> Res<String> {
        self.ws();
        let start = self.i;
        match self.peek() {
            Some(b'"') => {
                self.string("a value")?;
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
            }
            Some(b't') if self.b.get(self.i..self.i + 4) == Some(b"true") => self.i += 4,
            Some(b'f') if self.b.get(self.i..self.i + 5) == Some(b"false") => self.i += 5,
            Some(b'n') if self.b.get(self.i..self.i + 4) == Some(b"null") => self.i += 4,
            Some(b'[' | b'{') => {
                return Ok(format!("{} (a capacity is a number)", self.found()));
            }
            _ => return invalid(format!("expected a value, found {}", self.found()), start),
        }
        let text = self.b.get(start..self.i).unwrap_or(&[]);
        Ok(String::from_utf8_lossy(text).into_owned())
    }

    /// A JSON number token (RFC 8259 grammar), returned as text.
    fn number(&mut self) -> Res<&'a str> {
        let start = self.i;
        let b = self.b;
        let at = |i: usize| b.get(i).copied();
        let mut i = self.i;
        if at(i) == Some(b'-') {
            i += 1;
        }
        match at(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = at(i) {
                    i += 1;
                }
            }
            _ => return invalid("invalid number", start),
        }
        if at(i) == Some(b'.') {
            i += 1;
            if !matches!(at(i), Some(b'0'..=b'9')) {
                return invalid("invalid number", start);
            }
            while let Some(b'0'..=b'9') = at(i) {
                i += 1;
            }
        }
        if let Some(b'e' | b'E') = at(i) {
            i += 1;
            if let Some(b'+' | b'-') = at(i) {
                i += 1;
            }
            if !matches!(at(i), Some(b'0'..=b'9')) {
                return invalid("invalid number", start);
            }
            while let Some(b'0'..=b'9') = at(i) {
                i += 1;
            }
        }
        self.i = i;
        Ok(std::str::from_utf8(b.get(start..i).unwrap_or(&[])).unwrap_or(""))
    }

    fn report(&mut self) {
        if self.i >= self.next_report {
            (self.progress)(self.i);
            self.next_report = self.i + (1 << 20);
        }
    }

    fn document(&mut self) -> Res<()> {
        let mut seen: Vec<Section> = Vec::new();
        if self.open(b'{', b'}', "'{' (an instance is a JSON object)")? {
            loop {
                let (key, at) = self.string("a key (\"applicants\", \"posts\" or \"couples\")")?;
                self.expect(b':', "':'")?;
                let section = match &*key {
                    "applicants" => Section::Applicants,
                    "posts" => Section::Posts,
                    "couples" => Section::Couples,
                    other => {
                        return invalid(
                            format!(
                                "unexpected key {other:?} (expected \"applicants\", \"posts\" or \"couples\")"
                            ),
                            at,
                        )
                    }
                };
                if seen.contains(&section) {
                    return invalid(format!("key {key:?} appears twice"), at);
                }
                // The fast path resolves priority lists against the applicants read before them.
                let layout = [Section::Applicants, Section::Posts];
                if self.fast && layout.get(seen.len()) != Some(&section) {
                    return invalid("not the layout of the fast path", at);
                }
                seen.push(section);
                match section {
                    Section::Applicants => self.applicants()?,
                    Section::Posts => self.posts()?,
                    Section::Couples => self.couples()?,
                }
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        self.ws();
        if self.i < self.b.len() {
            return invalid(format!("unexpected {} after the instance", self.found()), self.i);
        }
        for (section, key) in [(Section::Applicants, "applicants"), (Section::Posts, "posts")] {
            if !seen.contains(&section) {
                return invalid(format!("missing key {key:?}"), 0);
            }
        }
        Ok(())
    }

    fn applicants(&mut self) -> Res<()> {
        if !self.open(b'{', b'}', "'{' (\"applicants\" maps names to lists of posts)")? {
            return Ok(());
        }
        loop {
            let (name, at, h) = self.name("an applicant's name")?;
            self.expect(b':', "':'")?;
            self.push(Event::Applicant(name, h), at)?;
            if self.open(b'[', b']', "'[' (an applicant's list of posts)")? {
                loop {
                    let (post, at, h) = self.name("a post's name")?;
                    self.push(Event::Choice(post, h), at)?;
                    if !self.more(b']')? {
                        break;
                    }
                }
            }
            self.report();
            if !self.more(b'}')? {
                return Ok(());
            }
        }
    }

    fn posts(&mut self) -> Res<()> {
        if !self.open(b'{', b'}', "'{' (\"posts\" maps names to posts)")? {
            return Ok(());
        }
        loop {
            let (name, name_at, h) = self.name("a post's name")?;
            self.expect(b':', "':'")?;
            self.push(Event::Post(name, h), name_at)?;
            let (mut has_cap, mut has_prio) = (false, false);
            if self.open(
                b'{',
                b'}',
                "'{' (a post is {\"capacity\": N, \"priority\": [...]})",
            )? {
                loop {
                    let (key, at) = self.string("\"capacity\" or \"priority\"")?;
                    self.expect(b':', "':'")?;
                    match &*key {
                        "capacity" if !has_cap => {
                            has_cap = true;
                            self.capacity()?;
                        }
                        "priority" if !has_prio => {
                            has_prio = true;
                            self.priority()?;
                        }
                        "capacity" | "priority" => return invalid(format!("key {key:?} appears twice"), at),
                        other => {
                            return invalid(
                                format!(
                                "unexpected key {other:?} in a post (expected \"capacity\" or \"priority\")"
                            ),
                                at,
                            )
                        }
                    }
                    if !self.more(b'}')? {
                        break;
                    }
                }
            }
            self.push(Event::EndPost, name_at)?;
            self.report();
            if !self.more(b'}')? {
                return Ok(());
            }
        }
    }

    /// A post's priority list: on the fast path, short names go as their bytes (not checked for
    /// UTF-8: a name that is not valid UTF-8 is no applicant's, and the exact reader then reports
    /// it); the assembler files them.
    fn priority(&mut self) -> Res<()> {
        if self.open(b'[', b']', "'[' (a post's priority list)")? {
            loop {
                let short = if self.fast { self.short_name() } else { None };
                match short {
                    Some((at, len, w0, w1)) => self.push(Event::Short(len, w0, w1), at)?,
                    None => {
                        let (a, at, h) = self.name("an applicant's name")?;
                        self.push(Event::Rank(a, h), at)?;
                    }
                }
                if !self.more(b']')? {
                    break;
                }
            }
        }
        Ok(())
    }

    fn capacity(&mut self) -> Res<()> {
        self.ws();
        let at = self.i;
        if let Some(b'0'..=b'9') = self.peek() {
            let text = self.number()?;
            if text.bytes().all(|c| c.is_ascii_digit()) {
                // An integer literal: the assembler checks it is positive and fits.
                let event = match text.parse::<u64>() {
                    Ok(value) => Event::Capacity(value),
                    Err(_) => Event::BadCapacity(text.to_owned()),
                };
                return self.push(event, at);
            }
            self.i = at;
        }
        let found = self.value_text()?;
        self.push(Event::BadCapacity(found), at)
    }

    fn couples(&mut self) -> Res<()> {
        if !self.open(b'[', b']', "'[' (\"couples\" is a list)")? {
            return Ok(());
        }
        loop {
            self.couple()?;
            if !self.more(b']')? {
                return Ok(());
            }
        }
    }

    fn couple(&mut self) -> Res<()> {
        self.ws();
        let start = self.i;
        self.expect(
            b'{',
            "'{' (a couple is {\"members\": [A, B], \"pairs\": [[P, Q], ...]})",
        )?;
        // "members" must come before "pairs" would be an arbitrary rule; keep pairs until both read.
        let mut members: Option<Two<'a>> = None;
        let mut pairs: Option<Vec<Two<'a>>> = None;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
        } else {
            loop {
                let (key, at) = self.string("\"members\" or \"pairs\"")?;
                self.expect(b':', "':'")?;
                match &*key {
                    "members" if members.is_none() => {
                        members = Some(self.two("'[' (a couple's two members)", "an applicant's name")?);
                    }
                    "pairs" if pairs.is_none() => {
                        let mut list = Vec::new();
                        if self.open(b'[', b']', "'[' (a couple's list of pairs)")? {
                            loop {
                                list.push(self.two("'[' (a pair of posts)", "a post's name")?);
                                if !self.more(b']')? {
                                    break;
                                }
                            }
                        }
                        pairs = Some(list);
                    }
                    "members" | "pairs" => return invalid(format!("key {key:?} appears twice"), at),
                    other => {
                        return invalid(
                            format!(
                                "unexpected key {other:?} in a couple (expected \"members\" or \"pairs\")"
                            ),
                            at,
                        )
                    }
                }
                if !self.more(b'}')? {
                    break;
                }
            }
        }
        let Some(members) = members else {
            return invalid("a couple without \"members\"", start);
        };
        self.push(Event::Couple(Box::new((members, pairs))), start)
    }

    /// An array of exactly two strings.
    fn two(&mut self, open_what: &str, what: &str) -> Res<Two<'a>> {
        self.expect(b'[', open_what)?;
        let first = self.string(what)?;
        self.expect(b',', "',' (two names)")?;
        let second = self.string(what)?;
        self.ws();
        if self.peek() != Some(b']') {
            return invalid(
                format!("expected ']' after two names, found {}", self.found()),
                self.i,
            );
        }
        self.i += 1;
        Ok([first, second])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        match read_json(json.as_bytes()) {
            Ok(_) => "accepted".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_the_issue_example() {
        let json = r#"{"applicants": {"a1": ["p1", "p2"], "a2": ["p1"]},
            "posts": {"p1": {"capacity": 2, "priority": ["a2", "a1", "a3"]},
                      "p2": {"priority": ["a1", "a4"], "capacity": 1}},
            "couples": [{"members": ["a3", "a4"], "pairs": [["p1", "p2"], ["p2", "p2"]]}]}"#;
        let i = match read_json(json.as_bytes()) {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(i.applicant_count(), 4);
        assert_eq!(i.post_count(), 2);
        assert_eq!(i.couple_count(), 1);
    }

    #[test]
    fn escaped_names_are_decoded() {
        let json = r#"{"applicants": {"A\u00efko \"A\"": ["S\u0061pporo"]},
            "posts": {"Sapporo": {"capacity": 1, "priority": ["Aïko \"A\""]}}}"#;
        let i = match read_json(json.as_bytes()) {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(i.applicant_name(crate::ApplicantId(0)), "Aïko \"A\"");
    }

    #[test]
    fn unknown_post_is_refused_at_its_position() {
        assert_eq!(
            err("{\"applicants\": {\n  \"a1\": [\"p1\", \"p9\"]},\n \"posts\": {\"p1\": {\"capacity\": 1, \"priority\": [\"a1\"]}}}"),
            "line 2, column 16: unknown post \"p9\" in the list of applicant \"a1\" (no such key under \"posts\")"
        );
    }

    #[test]
    fn unknown_applicant_in_a_priority_list_is_refused() {
        assert_eq!(
            err(r#"{"applicants": {}, "posts": {"p1": {"capacity": 1, "priority": ["zz"]}}}"#),
            "line 1, column 65: post \"p1\" ranks \"zz\", who is neither an applicant nor a couple member"
        );
    }

    #[test]
    fn duplicate_choice_is_refused() {
        assert_eq!(
            err(r#"{"applicants": {"a1": ["p1", "p1"]}, "posts": {"p1": {"capacity": 1, "priority": []}}}"#),
            "line 1, column 30: applicant \"a1\" lists post \"p1\" twice"
        );
    }

    #[test]
    fn duplicate_priority_and_duplicate_keys_are_refused() {
        assert!(err(
            r#"{"applicants": {"a1": []}, "posts": {"p1": {"capacity": 1, "priority": ["a1","a1"]}}}"#
        )
        .contains("ranks applicant \"a1\" twice"));
        assert!(err(r#"{"applicants": {"a1": [], "a1": []}, "posts": {}}"#)
            .contains("applicant \"a1\" is defined twice"));
        assert!(err(r#"{"applicants": {}, "posts": {"p": {"capacity": 1, "priority": []}, "p": {"capacity": 1, "priority": []}}}"#)
            .contains("post \"p\" is defined twice"));
    }

    #[test]
    fn capacity_must_be_a_positive_integer() {
        for (cap, found) in [
            ("0", "0"),
            ("-1", "-1"),
            ("1.5", "1.5"),
            ("\"2\"", "\"2\""),
            ("2e0", "2e0"),
            ("null", "null"),
            ("99999999999", "99999999999"),
            ("99999999999999999999999", "99999999999999999999999"),
        ] {
            let json =
                format!(r#"{{"applicants": {{}}, "posts": {{"p": {{"capacity": {cap}, "priority": []}}}}}}"#);
            assert_eq!(
                err(&json),
                format!(
                    "line 1, column 48: capacity of post \"p\" must be a positive integer, found {found}"
                )
            );
        }
        assert!(
            err(r#"{"applicants": {}, "posts": {"p": {"priority": []}}}"#).contains("has no \"capacity\"")
        );
    }

    #[test]
    fn couple_member_with_a_list_is_refused() {
        assert_eq!(
            err(
                r#"{"applicants": {"a1": []}, "posts": {}, "couples": [{"members": ["a1", "a2"], "pairs": []}]}"#
            ),
            "line 1, column 66: applicant \"a1\" is a couple member and also has an individual list"
        );
        assert!(err(
            r#"{"couples": [{"members": ["a1", "a2"], "pairs": []}], "applicants": {"a2": []}, "posts": {}}"#
        )
        .contains("\"a2\" is a couple member and also has an individual list"));
    }

    #[test]
    fn invalid_json_is_refused_with_its_position() {
        assert_eq!(
            err("{\"applicants\": {\"a1\": [\"p1\",]}}"),
            "line 1, column 29: invalid JSON: expected a post's name, found ']'"
        );
        assert_eq!(err(""), "line 1, column 1: invalid JSON: expected '{' (an instance is a JSON object), found the end of the input");
        assert_eq!(
            err("{\"applicants\": {}, \"posts\": {}} x"),
            "line 1, column 33: invalid JSON: unexpected 'x' after the instance"
        );
        assert!(err("{\"applicants\": {\"a\\x\": []}, \"posts\": {}}").contains("invalid escape"));
        assert!(err("{\"applicants\": {\"a\n\": []}, \"posts\": {}}").contains("control character"));
        assert!(err("{\"applicants\": {}, \"posts\": {}, \"extra\": 1}").contains("unexpected key \"extra\""));
        assert!(err("{\"applicants\": {}}").contains("missing key \"posts\""));
        assert!(err("{\"applicants\": {\"a\": [\"p\"").contains("found the end of the input"));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let mut bytes = br#"{"applicants": {"a"#.to_vec();
        bytes.push(0xff);
        bytes.extend_from_slice(br#"": []}, "posts": {}}"#);
        assert!(matches!(
            read_json(&bytes),
            Err(InstanceError {
                problem: Problem::InvalidJson(_),
                ..
            })
        ));
    }
}

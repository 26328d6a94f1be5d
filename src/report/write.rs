//! A JSON writer for reports: compact (one line, as `regula batch` writes)
//! or pretty (as `regula eval --format json` prints, laid out exactly as
//! `serde_json`'s pretty printer does), with every name, quote and
//! expression of the program escaped once ([`Fragments`]) and copied from
//! then on.
use crate::program::{Program, Value};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::io::Write as _;

/// A JSON string literal, quotes included.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The program's strings as JSON literals, escaped once.
#[derive(Clone, Debug, Default)]
pub struct Fragments {
    /// The text of every [`Frag`] below, side by side, and a block of
    /// padding.
    pub(crate) text: Vec<u8>,
    pub(crate) doc: Vec<String>,
    pub(crate) outcome: Vec<String>,
    pub(crate) outcome_label: Vec<String>,
    pub(crate) fact: Vec<String>,
    pub(crate) rule: Vec<String>,
    pub(crate) rule_cite: Vec<String>,
    pub(crate) rule_quote: Vec<String>,
    pub(crate) param: Vec<String>,
    pub(crate) def: Vec<String>,
    pub(crate) variant: Vec<Vec<String>>,
    pub(crate) group: HashMap<u32, String>,
    /// The source text of every expression of the rules and defaults, by
    /// its number.
    pub(crate) expr: Vec<String>,
    /// `,"fact":"…"}`, `,"outcome":"…"}`, `,"parameter":"…"}`: the compact
    /// ends of trace nodes of a fact, an outcome or a parameter.
    pub(crate) fact_end: Vec<Frag>,
    pub(crate) outcome_end: Vec<Frag>,
    pub(crate) param_end: Vec<Frag>,
    /// Per outcome and status (by its number), the compact opening of its
    /// derivation: `{"status":…,"label":"…"`.
    pub(crate) derivation_open: Vec<Vec<Frag>>,
    /// Per rule and fate (by its number), the opening of its compact record
    /// in a derivation: `{"rule":…,"cites":…,"quote":…,"document":…,
    /// "status":…` and its `exception_to`.
    pub(crate) rule_open: Vec<Vec<String>>,
    /// Every document's period, as compact JSON (`periods` of a report).
    pub(crate) periods: String,
    /// Per expression, the compact openings of its trace node up to its
    /// value ([`NodeOpen`]).
    pub(crate) node_open: Vec<NodeOpen>,
    /// Whole compact trace nodes of a fact or an outcome whose expression
    /// is written as its name, with the commonest values, by
    /// [`NodeOpen::leaf`].
    pub(crate) leaf: Vec<ByValue>,
    /// Per outcome, the opening of its compact entry after the first:
    /// `,"name":{"value":`.
    pub(crate) outcome_open: Vec<String>,
    /// The label of the first line's in-force outcome, and per document
    /// that of a later line's speaking of it, as JSON strings.
    pub(crate) first_line_label: String,
    pub(crate) line_label: Vec<String>,
    /// Per line of documents after the first, its in-force outcome's name.
    pub(crate) line: Vec<String>,
    /// Per document, the paragraph setting its period (`"8.1"`), if any.
    pub(crate) doc_cite: Vec<Option<String>>,
    /// `,"…"`: compact list items (the first one's comma becomes the
    /// list's `[`) of cites and facts; and `,"document":"…"` per document.
    pub(crate) rule_cite_item: Vec<Frag>,
    pub(crate) fact_item: Vec<Frag>,
    /// `,"…"`: compact list items of rule names, as `rule_cite_item`.
    pub(crate) rule_item: Vec<Frag>,
    pub(crate) doc_kv: Vec<Frag>,
    /// Per outcome, the compact openings of its entry with the commonest
    /// values.
    pub(crate) entry: Vec<Entry>,
    /// Per document, the compact entry of a line's in-force outcome when
    /// that document is in force: without cites, and with.
    pub(crate) in_force_now: Vec<(String, String)>,
    /// Per declared pair of outcomes, its question as a JSON string.
    pub(crate) question: Vec<String>,
    /// Per document, its not-in-force reason as a JSON string cut around
    /// the assessment date: the text before it (opening quote included)
    /// and after it (closing quote included).
    pub(crate) doc_reason: Vec<(String, String)>,
    /// The reason of a derivation not in force, as a JSON string: the same
    /// for every outcome of the program.
    pub(crate) outside_periods: String,
}

impl Fragments {
    /// Escapes every string a report of the program may write.
    pub fn new(p: &Program) -> Fragments {
        let mut f = Fragments {
            text: Vec::new(),
            doc: p.documents.iter().map(|d| quoted(&d.id)).collect(),
            outcome: p.outcomes.iter().map(|o| quoted(&o.name)).collect(),
            outcome_label: p.outcomes.iter().map(|o| quoted(&o.label)).collect(),
            fact: p.facts.iter().map(|x| quoted(&x.name)).collect(),
            rule: p.rules.iter().map(|r| quoted(&r.name)).collect(),
            rule_cite: p.rules.iter().map(|r| quoted(&r.cites.key())).collect(),
            rule_quote: p.rules.iter().map(|r| quoted(&r.cites.quote)).collect(),
            param: p.params.iter().map(|x| quoted(&x.name)).collect(),
            def: p.defs.iter().map(|d| quoted(&d.name)).collect(),
            variant: p
                .enums
                .iter()
                .map(|e| e.variants.iter().map(|(n, _)| quoted(n)).collect())
                .collect(),
            group: p
                .groups
                .iter()
                .map(|g| (g.first, quoted(&g.name)))
                .collect(),
            rule_open: Vec::new(),
            periods: String::new(),
            fact_end: Vec::new(),
            outcome_end: Vec::new(),
            param_end: Vec::new(),
            derivation_open: Vec::new(),
            expr: vec![String::new(); p.exprs as usize],
            node_open: vec![NodeOpen::default(); p.exprs as usize],
            leaf: Vec::new(),
            outcome_open: Vec::new(),
            line: p.lines.iter().map(|(name, _)| quoted(name)).collect(),
            first_line_label: quoted(&super::line_label(None, 0)),
            line_label: p
                .documents
                .iter()
                .map(|d| quoted(&super::line_label(Some(d), 1)))
                .collect(),
            doc_cite: p
                .documents
                .iter()
                .map(|d| d.cites.as_ref().map(|c| quoted(&c.key())))
                .collect(),
            doc_reason: p.documents.iter().map(reason_around_date).collect(),
            outside_periods: quoted(&super::json::outside_periods(p)),
            rule_cite_item: Vec::new(),
            fact_item: Vec::new(),
            rule_item: Vec::new(),
            doc_kv: Vec::new(),
            entry: Vec::new(),
            question: p.pairs.iter().map(|x| quoted(&x.question)).collect(),
            in_force_now: Vec::new(),
        };
        f.in_force_now = f
            .doc_cite
            .iter()
            .map(|c| {
                let cites = c.as_deref().unwrap_or_default();
                (
                    "{\"value\":true}".to_string(),
                    format!("{{\"value\":true,\"cites\":[{cites}]}}"),
                )
            })
            .collect();
        let mut pieces = Pieces::default();
        let mut item = |v: &[String]| v.iter().map(|s| pieces.add(&format!(",{s}"))).collect();
        f.rule_cite_item = item(&f.rule_cite);
        f.fact_item = item(&f.fact);
        f.rule_item = item(&f.rule);
        f.doc_kv = f
            .doc
            .iter()
            .map(|s| pieces.add(&format!(",\"document\":{s}")))
            .collect();
        f.entry = f
            .outcome
            .iter()
            .map(|s| {
                let mut open = |rest: &str| pieces.add(&format!(",{s}:{{\"value\":{rest}"));
                Entry {
                    null: open("null"),
                    null_end: open("null}"),
                    null_missing: open("null,\"missing\":"),
                    true_end: open("true}"),
                    false_end: open("false}"),
                    true_cites: open("true,\"cites\":"),
                    false_cites: open("false,\"cites\":"),
                }
            })
            .collect();
        f.outcome_open = f
            .outcome
            .iter()
            .map(|s| format!(",{s}:{{\"value\":"))
            .collect();
        let mut end = |k: &str, v: &[String]| {
            v.iter()
                .map(|s| pieces.add(&format!(",\"{k}\":{s}}}")))
                .collect()
        };
        f.fact_end = end("fact", &f.fact);
        f.outcome_end = end("outcome", &f.outcome);
        f.param_end = end("parameter", &f.param);
        // Written by the writer itself, compact, with the pieces so far.
        f.text = pieces.text();
        let compact = |f: &Fragments, write: &dyn Fn(&mut Json)| {
            let mut out = Vec::new();
            write(&mut Json::new(&mut out, false).with_text(&f.text));
            String::from_utf8(out).unwrap_or_default()
        };
        f.derivation_open = (0..p.outcomes.len())
            .map(|o| {
                let o = u32::try_from(o).unwrap_or(u32::MAX);
                super::json::STATUSES
                    .iter()
                    .map(|s| {
                        pieces.add(&compact(&f, &|j| {
                            super::json::derivation_open(j, p, &f, o, *s)
                        }))
                    })
                    .collect()
            })
            .collect();
        f.rule_open = (0..p.rules.len())
            .map(|r| {
                let r = u32::try_from(r).unwrap_or(u32::MAX);
                super::json::RULE_STATUSES
                    .iter()
                    .map(|s| compact(&f, &|j| super::json::rule_open(j, p, &f, r, *s)))
                    .collect()
            })
            .collect();
        let mut out = Vec::new();
        super::json::periods(&mut Json::new(&mut out, false), p, None);
        f.periods = String::from_utf8(out).unwrap_or_default();
        // The names of facts and outcomes, as JSON, with the node and the
        // end of the node reading them.
        let mut named: HashMap<&str, (crate::eval::Node, &str, &str)> = HashMap::new();
        for (i, name) in f.fact.iter().enumerate() {
            let x = u32::try_from(i).unwrap_or(u32::MAX);
            named.insert(name, (crate::eval::Node::Fact(x), "fact", name));
        }
        for (i, name) in f.outcome.iter().enumerate() {
            let o = u32::try_from(i).unwrap_or(u32::MAX);
            named
                .entry(name)
                .or_insert((crate::eval::Node::Outcome(o), "outcome", name));
        }
        let mut leaves = Vec::new();
        for (id, span) in p.expr_spans().iter().enumerate() {
            let text = quoted(&p.expr_text(*span));
            if let Some(open) = f.node_open.get_mut(id) {
                *open = NodeOpen::new(&mut pieces, &text);
                // A node of this fact or outcome is written in one copy,
                // whatever the expression: its text is the name.
                if let Some((node, key, name)) = named.get(text.as_str()) {
                    open.leaf = Some((
                        node.clone(),
                        u32::try_from(leaves.len()).unwrap_or(u32::MAX),
                    ));
                    leaves.push(leaf(&mut pieces, &text, key, name));
                }
            }
            if let Some(slot) = f.expr.get_mut(id) {
                *slot = text;
            }
        }
        f.leaf = leaves;
        f.text = pieces.text();
        f
    }
}

/// A document's not-in-force reason as a JSON string, cut around the
/// assessment date: the reason is made by its one maker for a sample date,
/// escaped, and cut where that date stands (the first date of the text).
/// JSON escapes character by character, so the pieces around any other
/// date of four-digit year are those of its reason.
fn reason_around_date(d: &crate::program::Document) -> (String, String) {
    let sample = NaiveDate::from_ymd_opt(1111, 11, 11).unwrap_or_default();
    let text = quoted(&super::json::not_in_force_reason(d, sample));
    let date = "1111-11-11";
    match text.find(date) {
        Some(at) => (
            text.get(..at).unwrap_or_default().to_string(),
            text.get(at + date.len()..).unwrap_or_default().to_string(),
        ),
        None => (String::new(), String::new()),
    }
}

/// `YYYY-MM-DD` of a date whose year has four digits.
fn date_digits(d: NaiveDate) -> Option<[u8; 10]> {
    let y = d.year();
    let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
    let (m, day) = (d.month(), d.day());
    let digit = |n: u32| b'0' + u8::try_from(n % 10).unwrap_or(0);
    Some([
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        b'-',
        digit(m / 10),
        digit(m),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// The last few dates a report wrote, each with its JSON text
/// (`"YYYY-MM-DD"`), replaced in turn: a case's dates recur from node to
/// node.
#[derive(Default)]
struct Dates {
    seen: [Option<(NaiveDate, [u8; 12])>; 4],
    next: usize,
}

impl Dates {
    /// The JSON text of a date whose year has four digits.
    #[inline]
    fn text(&mut self, d: NaiveDate) -> Option<&[u8; 12]> {
        let i = match self
            .seen
            .iter()
            .position(|s| s.is_some_and(|(x, _)| x == d))
        {
            Some(i) => i,
            None => {
                let digits = date_digits(d)?;
                let mut text = [b'"'; 12];
                if let Some(inner) = text.get_mut(1..11) {
                    inner.copy_from_slice(&digits);
                }
                let i = self.next % self.seen.len();
                self.next = self.next.wrapping_add(1);
                *self.seen.get_mut(i)? = Some((d, text));
                i
            }
        };
        self.seen.get(i)?.as_ref().map(|(_, t)| t)
    }
}

/// The longest fragment copied as a block of fixed size.
const PAD: usize = 64;

/// A piece of JSON text: a range of the text of its [`Fragments`], where
/// the pieces made together lie side by side. A short one is copied as a
/// block of fixed size (its text and whatever follows it, the text ending
/// in a block of padding) by a few wide moves rather than a call to
/// `memcpy`, then cut to its length. Eight bytes, so that the tables of
/// fragments and their text stay close together in the cache.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Frag {
    at: u32,
    len: u32,
}

impl Frag {
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The text of fragments as it is made: each piece appended.
#[derive(Default)]
struct Pieces(Vec<u8>);

impl Pieces {
    /// Appends a piece.
    fn add(&mut self, s: &str) -> Frag {
        let at = u32::try_from(self.0.len()).expect("fragments' text is under 4 GiB");
        self.0.extend_from_slice(s.as_bytes());
        Frag {
            at,
            len: u32::try_from(s.len()).expect("a fragment is under 4 GiB"),
        }
    }

    /// The text so far, with the block of padding a short piece's copy
    /// reads past its end.
    fn text(&self) -> Vec<u8> {
        let mut t = Vec::with_capacity(self.0.len() + PAD);
        t.extend_from_slice(&self.0);
        t.extend_from_slice(&[0; PAD]);
        t
    }
}

/// A piece of compact JSON made for each of the commonest values of a
/// trace node: true, false, unknown and n/a.
#[derive(Clone, Debug, Default)]
pub(crate) struct ByValue {
    true_: Frag,
    false_: Frag,
    unknown: Frag,
    absent: Frag,
}

impl ByValue {
    /// `make` is given each value as the JSON text after `"value":`, its
    /// `"state"` included.
    fn new(mut make: impl FnMut(&str) -> Frag) -> ByValue {
        ByValue {
            true_: make("true"),
            false_: make("false"),
            unknown: make("null,\"state\":\"unknown\""),
            absent: make("null,\"state\":\"n/a\""),
        }
    }

    /// The piece of a value, when it is one of the commonest.
    #[inline(always)]
    pub fn get(&self, v: &Value) -> Option<&Frag> {
        match v {
            Value::Bool(true) => Some(&self.true_),
            Value::Bool(false) => Some(&self.false_),
            Value::Unknown => Some(&self.unknown),
            Value::Absent => Some(&self.absent),
            _ => None,
        }
    }
}

/// The compact openings of an expression's trace node up to its value
/// (`{"expr":"…","value":`), and with the commonest values written too
/// (`{"expr":"…","value":null,"state":"unknown"`).
#[derive(Clone, Debug, Default)]
pub(crate) struct NodeOpen {
    /// Up to the value, which follows.
    pub other: Frag,
    /// With the commonest values.
    pub common: ByValue,
    /// The node its trace is when it reads a fact or an outcome written as
    /// its name, with the index of its whole nodes in [`Fragments::leaf`].
    pub leaf: Option<(crate::eval::Node, u32)>,
}

impl NodeOpen {
    /// The openings of the expression of this source text (a JSON string).
    fn new(pieces: &mut Pieces, text: &str) -> NodeOpen {
        let mut open = |rest: &str| pieces.add(&format!("{{\"expr\":{text},\"value\":{rest}"));
        NodeOpen {
            other: open(""),
            common: ByValue::new(open),
            leaf: None,
        }
    }
}

/// The whole compact trace nodes of a fact or an outcome, with each of the
/// commonest values (`{"expr":"x","value":true,"fact":"x"}`).
fn leaf(pieces: &mut Pieces, text: &str, key: &str, name: &str) -> ByValue {
    ByValue::new(|v| {
        pieces.add(&format!(
            "{{\"expr\":{text},\"value\":{v},\"{key}\":{name}}}"
        ))
    })
}

/// An outcome's compact entry up to its list of cites or missing facts
/// (`,"name":{"value":null,"missing":`), up to its derivation
/// (`,"name":{"value":null`), or whole (`,"name":{"value":true}`).
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub null: Frag,
    pub null_end: Frag,
    pub null_missing: Frag,
    pub true_end: Frag,
    pub false_end: Frag,
    pub true_cites: Frag,
    pub false_cites: Frag,
}

/// Where a report is written, and how it is laid out.
pub(crate) struct Json<'a> {
    out: &'a mut Vec<u8>,
    pretty: bool,
    /// How many containers are open (kept by the pretty layout only).
    depth: usize,
    /// Whether the innermost open container has no entry yet.
    fresh: bool,
    /// The last dates written, with their text: a case's dates recur.
    dates: Dates,
    /// The text of the fragments it writes ([`Fragments::text`]).
    text: &'a [u8],
}

fn at<T>(v: &[T], i: impl TryInto<usize>) -> Option<&T> {
    i.try_into().ok().and_then(|i| v.get(i))
}

impl<'a> Json<'a> {
    pub fn new(out: &'a mut Vec<u8>, pretty: bool) -> Self {
        Json {
            out,
            pretty,
            depth: 0,
            fresh: false,
            dates: Dates::default(),
            text: &[],
        }
    }

    /// The same, writing fragments of this text ([`Fragments::text`]).
    pub fn with_text(mut self, text: &'a [u8]) -> Self {
        self.text = text;
        self
    }

    /// One container deeper, in the pretty layout.
    #[inline(always)]
    fn deeper(&mut self) {
        if self.pretty {
            self.depth += 1;
        }
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// Before an entry of the innermost container.
    #[inline]
    fn entry(&mut self) {
        if !std::mem::replace(&mut self.fresh, false) {
            self.out.push(b',');
        }
        if self.pretty {
            self.newline();
        }
    }

    #[inline]
    fn close(&mut self, c: u8) {
        // Only the pretty layout keeps the depth, for its indents.
        if self.pretty {
            self.depth = self.depth.saturating_sub(1);
            if !self.fresh {
                self.newline();
            }
        }
        self.out.push(c);
        // The container just closed was an entry of the one around it.
        self.fresh = false;
    }

    /// [`Json::obj_with`] of a fragment.
    #[inline]
    pub fn obj_with_frag(&mut self, head: &Frag) {
        self.frag(head);
        self.deeper();
    }
    /// `{`
    pub fn obj(&mut self) {
        self.out.push(b'{');
        self.deeper();
        self.fresh = true;
    }

    /// Whether the innermost container has no entry yet.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Whether the layout is compact.
    pub fn compact(&self) -> bool {
        !self.pretty
    }

    /// A compact object opened with its first entry given as JSON text
    /// (`{"expr":"…"`).
    pub fn obj_with(&mut self, head: &str) {
        self.out.extend_from_slice(head.as_bytes());
        self.deeper();
        self.fresh = false;
    }
    /// `}`
    #[inline]
    pub fn end_obj(&mut self) {
        self.close(b'}');
    }
    /// `[`
    #[inline]
    pub fn arr(&mut self) {
        self.out.push(b'[');
        self.deeper();
        self.fresh = true;
    }
    /// `]`
    #[inline]
    pub fn end_arr(&mut self) {
        self.close(b']');
    }
    /// A key given as a JSON string literal.
    pub fn key_raw(&mut self, k: &str) {
        self.entry();
        self.out.extend_from_slice(k.as_bytes());
        self.out
            .extend_from_slice(if self.pretty { b": " } else { b":" });
    }
    /// A key written out in advance for each layout.
    /// `next` is `,"key":`; the first entry drops the comma.
    /// Inlined so that each copy is of a length known when compiling:
    /// a few moves, not a call to `memcpy`.
    #[inline(always)]
    pub fn key_lit(&mut self, next: &'static str, pretty: &'static str) {
        if self.pretty {
            self.entry();
            self.out.extend_from_slice(pretty.as_bytes());
        } else if std::mem::replace(&mut self.fresh, false) {
            self.out
                .extend_from_slice(next.as_bytes().get(1..).unwrap_or_default());
        } else {
            self.out.extend_from_slice(next.as_bytes());
        }
    }
    /// An array element that follows: call before writing it.
    #[inline]
    pub fn item(&mut self) {
        self.entry();
    }
    /// A value given as JSON text. Inlined, so that text known when
    /// compiling is copied by a few moves.
    #[inline(always)]
    pub fn raw(&mut self, v: &str) {
        self.out.extend_from_slice(v.as_bytes());
    }
    /// A string, escaped.
    pub fn str(&mut self, s: &str) {
        let _ = serde_json::to_writer(&mut *self.out, s);
    }
    pub fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }
    pub fn null(&mut self) {
        self.raw("null");
    }
    pub fn int(&mut self, n: i64) {
        // As `{n}` formats it, without the formatting machinery.
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut m = n.unsigned_abs();
        loop {
            at -= 1;
            if let Some(d) = digits.get_mut(at) {
                *d = b'0' + u8::try_from(m % 10).unwrap_or(0);
            }
            m /= 10;
            if m == 0 || at == 0 {
                break;
            }
        }
        if n < 0 {
            self.out.push(b'-');
        }
        self.out
            .extend_from_slice(digits.get(at..).unwrap_or_default());
    }
    /// A date as `"YYYY-MM-DD"`.
    pub fn date(&mut self, d: NaiveDate) {
        match self.dates.text(d) {
            Some(text) => self.out.extend_from_slice(text),
            None => {
                let _ = write!(self.out, "\"{}\"", d.format("%Y-%m-%d"));
            }
        }
    }
    /// A JSON string given in pieces around a date of four-digit year
    /// (`YYYY-MM-DD`); false, writing nothing, for another date.
    pub fn str_around_date(&mut self, (before, after): &(String, String), d: NaiveDate) -> bool {
        match date_digits(d).filter(|_| !before.is_empty()) {
            Some(digits) => {
                self.raw(before);
                self.out.extend_from_slice(&digits);
                self.raw(after);
                true
            }
            None => false,
        }
    }
    /// A fragment, compact.
    #[inline]
    pub fn frag(&mut self, f: &Frag) {
        const MADE: &str = "a fragment lies in the text of the fragments it was made with";
        let (at, len) = (f.at as usize, f.len as usize);
        if len <= PAD {
            if len > 0 {
                let block = self
                    .text
                    .get(at..at + PAD)
                    .and_then(|b| <&[u8; PAD]>::try_from(b).ok())
                    .expect(MADE);
                let n = self.out.len();
                self.out.extend_from_slice(block);
                self.out.truncate(n + len);
            }
        } else {
            self.out
                .extend_from_slice(self.text.get(at..at + len).expect(MADE));
        }
        self.fresh = false;
    }
    /// A compact list (after its key) of items picked by index from a table
    /// of items each written with a leading comma, that of the first
    /// becoming the `[`.
    pub fn items_compact(&mut self, table: &[Frag], ids: &[u32]) {
        let start = self.out.len();
        for &i in ids {
            self.frag(
                at(table, i)
                    .expect("ids index the program's tables, of which the fragments are made"),
            );
        }
        match self.out.get_mut(start) {
            Some(c) => *c = b'[',
            None => self.out.push(b'['),
        }
        self.out.push(b']');
        self.fresh = false;
    }
    /// An array of JSON literals picked by index.
    pub fn list_of(&mut self, table: &[String], ids: impl IntoIterator<Item = u32>) {
        if !self.pretty {
            // As `arr`, `item`, `raw` and `end_arr` write it, compact.
            self.out.push(b'[');
            let mut first = true;
            for i in ids {
                if !std::mem::replace(&mut first, false) {
                    self.out.push(b',');
                }
                let s = at(table, i)
                    .expect("ids index the program's tables, of which the fragments are made");
                self.out.extend_from_slice(s.as_bytes());
            }
            self.out.push(b']');
            self.fresh = false;
            return;
        }
        self.arr();
        for i in ids {
            self.item();
            let s = at(table, i)
                .expect("ids index the program's tables, of which the fragments are made");
            self.raw(s);
        }
        self.end_arr();
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_formatting_writes_them() {
        for n in [
            0,
            7,
            -7,
            10,
            99,
            -100,
            123_456_789,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            let mut out = Vec::new();
            Json::new(&mut out, false).int(n);
            assert_eq!(String::from_utf8(out).expect("utf-8"), n.to_string());
        }
    }

    #[test]
    fn reasons_cut_around_the_date_are_the_reasons_escaped() {
        let p = crate::check::check(&crate::load::embedded())
            .program
            .expect("the shipped policies check");
        let f = Fragments::new(&p);
        for (d, cut) in p.documents.iter().zip(&f.doc_reason) {
            for (y, m, day) in [(2023, 12, 31), (1, 1, 1), (9999, 12, 31), (2029, 1, 1)] {
                let date = NaiveDate::from_ymd_opt(y, m, day).expect("a date");
                let (mut fast, mut slow) = (Vec::new(), Vec::new());
                assert!(Json::new(&mut fast, false).str_around_date(cut, date));
                Json::new(&mut slow, false).str(&super::super::json::not_in_force_reason(d, date));
                assert_eq!(fast, slow);
            }
            let far = NaiveDate::from_ymd_opt(10_000, 1, 1).expect("a date");
            assert!(!Json::new(&mut Vec::new(), false).str_around_date(cut, far));
        }
    }
}

//! The fast path of JSON cases (`regula batch`, `POST /v1/eval`): one pass
//! over the bytes of a line, straight into reused fact slots, without serde.
//!
//! It accepts a subset of what the ordinary decoder accepts and fills the
//! same slots: well-formed JSON (as `serde_json` reads it: the same
//! whitespace, escapes, surrogate pairs, numbers and literals) whose keys are
//! the schema's, each once, with values valid for their facts. Anything else
//! (a problem, a dotted key, a number written with a fraction or an
//! exponent) makes it give up, and the caller decodes the text again with
//! the ordinary decoder, which reports the problems.
use super::{date_of, parse_date, Branch, Case, Node, Schema};
use crate::program::{FactId, Program, Type, Value};

/// Decodes a JSON case into `case`, reusing its buffers; false when the
/// text is anything but a valid case (or a valid case this path leaves to
/// the ordinary decoder, [`super::decode_text`]), which then says why.
pub fn decode_json_into(
    p: &Program,
    schema: &Schema,
    text: &str,
    case: &mut Case,
    texts: &mut TextCache,
) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if case.facts.len() == p.facts.len() {
        case.facts.iter_mut().for_each(|v| *v = Value::Unknown);
    } else {
        case.facts.clear();
        case.facts.resize(p.facts.len(), Value::Unknown);
    }
    case.as_of = None;
    if text.trim().is_empty() {
        return false;
    }
    let mut r = Reader {
        s: text,
        at: 0,
        p,
        plain_enum: &schema.plain_enum,
        case,
        texts,
    };
    r.ws();
    let ok = match r.peek() {
        Some(b'{') => {
            r.at += 1;
            r.object(&schema.root)
        }
        Some(b'n') => r.literal(b"null"),
        _ => false,
    };
    ok && {
        r.ws();
        r.at == text.len()
    }
}

/// Text values seen before, shared rather than allocated again: districts
/// and the like repeat from case to case. A text is kept in one of a few
/// slots picked by its bytes, replacing the one there: bounded work and
/// memory whatever the texts.
#[derive(Clone, Debug, Default)]
pub struct TextCache {
    slots: Vec<Option<std::sync::Arc<str>>>,
    /// A string with escapes, unescaped.
    scratch: String,
}

/// Up to eight bytes as a number, zeros after the end.
fn word(b: &[u8]) -> u64 {
    b.iter()
        .take(8)
        .rev()
        .fold(0, |w, &c| w << 8 | u64::from(c))
}

impl TextCache {
    /// Slots, a power of two.
    const SLOTS: usize = 64;

    fn get(&mut self, s: &str) -> Value {
        let b = s.as_bytes();
        let tail = word(b.get(b.len().saturating_sub(8)..).unwrap_or_default());
        let h = (word(b) ^ tail.rotate_left(29) ^ b.len() as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            >> 58;
        let slot = h as usize % Self::SLOTS;
        if let Some(Some(t)) = self.slots.get(slot) {
            if **t == *s {
                return Value::Text(t.clone());
            }
        }
        let t: std::sync::Arc<str> = s.into();
        if self.slots.len() < Self::SLOTS {
            self.slots.resize(Self::SLOTS, None);
        }
        if let Some(kept) = self.slots.get_mut(slot) {
            *kept = Some(t.clone());
        }
        Value::Text(t)
    }
}

/// Where a string read is: in the text, between these offsets, or
/// unescaped in the scratch buffer.
#[derive(Clone, Copy)]
enum Str {
    Text(usize, usize),
    Scratch,
}

struct Reader<'t, 'a> {
    s: &'t str,
    at: usize,
    p: &'a Program,
    plain_enum: &'a [bool],
    case: &'a mut Case,
    texts: &'a mut TextCache,
}

/// Buckets of a branch's keys by their first bytes.
pub(super) const KEY_SLOTS: usize = 64;

/// The bucket of a key by its first four bytes; None for a shorter key.
pub(super) fn key_slot(key: &[u8]) -> Option<usize> {
    let first: [u8; 4] = key.get(..4)?.try_into().ok()?;
    let h = u32::from_le_bytes(first).wrapping_mul(0x9E37_79B1) >> 26;
    Some(h as usize % KEY_SLOTS)
}

/// Whether JSON writes these bytes as they are: no quote, backslash or
/// control character.
pub(super) fn plain(b: &[u8]) -> bool {
    string_stop(b, 0) == b.len()
}

/// Eight bytes from `i` as a number.
fn load(b: &[u8], i: usize) -> u64 {
    b.get(i..i + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// Whether two byte strings are equal, eight bytes at a time.
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return word(a) == word(b);
    }
    let mut i = 0;
    while i + 8 < n {
        if load(a, i) != load(b, i) {
            return false;
        }
        i += 8;
    }
    load(a, n - 8) == load(b, n - 8)
}

/// Eight copies of a byte.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// The offset of the first byte at or after `from` that ends the plain run
/// of a JSON string: a quote, a backslash or a control character (below
/// U+0020); the length when there is none. Eight bytes at a time.
fn string_stop(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // The high bit of each byte that is zero after the xor (or below
        // 0x20): exact for the lowest such byte, which is all that is used.
        let zero = |v: u64| v.wrapping_sub(splat(1)) & !v & splat(0x80);
        let quote = zero(w ^ splat(b'"'));
        let backslash = zero(w ^ splat(b'\\'));
        let control = w.wrapping_sub(splat(0x20)) & !w & splat(0x80);
        let hit = quote | backslash | control;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return i;
        }
        i += 1;
    }
    i
}

/// The value of an enum named `t`.
fn enum_value(p: &Program, e: crate::program::EnumId, t: &str) -> Option<Value> {
    let i = p
        .enums
        .get(e as usize)?
        .variants
        .iter()
        .position(|(n, _)| n == t)?;
    Some(Value::Enum(e, u32::try_from(i).ok()?))
}

fn hex(c: u8) -> Option<u16> {
    match c {
        b'0'..=b'9' => Some(u16::from(c - b'0')),
        b'a'..=b'f' => Some(u16::from(c - b'a' + 10)),
        b'A'..=b'F' => Some(u16::from(c - b'A' + 10)),
        _ => None,
    }
}

impl Reader<'_, '_> {
    fn bytes(&self) -> &[u8] {
        self.s.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    /// Skips JSON whitespace (space, tab, line feed, carriage return).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// `null`, `true` or `false`.
    fn literal(&mut self, word: &[u8]) -> bool {
        let n = word.len();
        let here = self.bytes().get(self.at..self.at + n);
        if here.is_some_and(|w| w.iter().zip(word).all(|(a, b)| a == b)) {
            self.at += word.len();
            true
        } else {
            false
        }
    }

    /// Reads `word"` if the text goes on with it: the rest of a string that
    /// is `word`, when `word` is [`plain`].
    fn rest_is(&mut self, word: &[u8]) -> bool {
        let rest = self.bytes().get(self.at..).unwrap_or_default();
        let n = word.len();
        if rest.get(n) == Some(&b'"') && rest.get(..n).is_some_and(|r| same(r, word)) {
            self.at += n + 1;
            true
        } else {
            false
        }
    }

    /// A key of the branch, its opening quote read.
    fn key<'b>(&mut self, branch: &'b Branch) -> Option<(usize, &'b Node)> {
        let head = self.bytes().get(self.at..self.at + 4).and_then(key_slot);
        if let Some(bucket) = head.and_then(|h| branch.quick.get(h)) {
            for &i in bucket {
                if let Some((k, node)) = branch.keys.get(i) {
                    if self.rest_is(k.as_bytes()) {
                        return Some((i, node));
                    }
                }
            }
        }
        match self.string()? {
            Str::Text(a, b) => branch.find_bytes(self.bytes().get(a..b)?),
            Str::Scratch => branch.find(&self.texts.scratch),
        }
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Option<u16> {
        let d = self.bytes().get(self.at..self.at + 4)?;
        let mut n = 0u16;
        for &c in d {
            n = n << 4 | hex(c)?;
        }
        self.at += 4;
        Some(n)
    }

    /// A string, its opening quote read: where its text is. None when it is
    /// not a valid JSON string.
    fn string(&mut self) -> Option<Str> {
        let start = self.at;
        let stop = string_stop(self.bytes(), start);
        match self.bytes().get(stop) {
            Some(b'"') => {
                self.at = stop + 1;
                Some(Str::Text(start, stop))
            }
            Some(b'\\') => self.escaped(start, stop),
            _ => None,
        }
    }

    /// The rest of a string with escapes, unescaped into the scratch buffer
    /// as `serde_json` unescapes it; `stop` is the first backslash.
    fn escaped(&mut self, start: usize, mut stop: usize) -> Option<Str> {
        let mut out = std::mem::take(&mut self.texts.scratch);
        out.clear();
        let mut run = start;
        let ok = loop {
            out.push_str(self.s.get(run..stop)?);
            match self.bytes().get(stop) {
                Some(b'"') => {
                    self.at = stop + 1;
                    break true;
                }
                Some(b'\\') => {}
                _ => break false,
            }
            self.at = stop + 2;
            let c = match self.bytes().get(stop + 1) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => match self.unicode() {
                    Some(c) => c,
                    None => break false,
                },
                _ => break false,
            };
            out.push(c);
            run = self.at;
            stop = string_stop(self.bytes(), run);
        };
        self.texts.scratch = out;
        ok.then_some(Str::Scratch)
    }

    /// The character of a `\u` escape (a surrogate pair written as two),
    /// its `\u` read; None for a lone surrogate, which `serde_json` refuses
    /// in a string.
    fn unicode(&mut self) -> Option<char> {
        let n = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&n) {
            return None;
        }
        if !(0xD800..=0xDBFF).contains(&n) {
            return char::from_u32(u32::from(n));
        }
        if !(self.eat(b'\\') && self.eat(b'u')) {
            return None;
        }
        let n2 = self.hex4()?;
        if !(0xDC00..=0xDFFF).contains(&n2) {
            return None;
        }
        char::from_u32(((u32::from(n - 0xD800) << 10) | u32::from(n2 - 0xDC00)) + 0x1_0000)
    }

    fn text_of(&self, s: Str) -> Option<&str> {
        match s {
            Str::Text(a, b) => self.s.get(a..b),
            Str::Scratch => Some(&self.texts.scratch),
        }
    }

    /// The members of an object of the schema, its `{` read.
    fn object(&mut self, branch: &Branch) -> bool {
        if branch.keys.len() > 128 {
            return false;
        }
        let mut seen: u128 = 0;
        self.ws();
        if self.eat(b'}') {
            return true;
        }
        loop {
            if !self.eat(b'"') {
                return false;
            }
            let Some((i, node)) = self.key(branch) else {
                return false;
            };
            let bit = 1u128 << i;
            if seen & bit != 0 {
                return false;
            }
            seen |= bit;
            self.ws();
            if !self.eat(b':') {
                return false;
            }
            self.ws();
            let ok = match node {
                Node::Leaf(f) => self.leaf(*f),
                Node::AsOf => self.as_of(),
                Node::Branch(b) => match self.peek() {
                    Some(b'{') => {
                        self.at += 1;
                        self.object(b)
                    }
                    Some(b'n') => self.literal(b"null"),
                    _ => false,
                },
            };
            if !ok {
                return false;
            }
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.at += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.at += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    /// `as_of`: a date, or null.
    fn as_of(&mut self) -> bool {
        match self.peek() {
            Some(b'n') => self.literal(b"null"),
            Some(b'"') => {
                self.at += 1;
                if let Some(Value::Date(d)) = self.quick_value(&Type::Date) {
                    self.case.as_of = Some(d);
                    return true;
                }
                let date = self
                    .string()
                    .and_then(|s| self.text_of(s))
                    .and_then(|t| parse_date(t).ok());
                self.case.as_of = date;
                date.is_some()
            }
            _ => false,
        }
    }

    /// A fact's value, into its slot.
    fn leaf(&mut self, fact: FactId) -> bool {
        let p = self.p;
        let Some(f) = p.fact(fact) else {
            return false;
        };
        let v = match self.peek() {
            Some(b'n') => self.literal(b"null").then_some(Value::Unknown),
            Some(b't') => {
                (f.ty == Type::Bool && self.literal(b"true")).then_some(Value::Bool(true))
            }
            Some(b'f') => {
                (f.ty == Type::Bool && self.literal(b"false")).then_some(Value::Bool(false))
            }
            Some(b'"') => {
                self.at += 1;
                if let Some(v) = self.quick_value(&f.ty) {
                    return self.put(fact, v);
                }
                match (&f.ty, self.string()) {
                    (_, None) => None,
                    (Type::Text, Some(s)) => self.text_value(s),
                    (Type::Date, Some(s)) => self
                        .text_of(s)
                        .and_then(|t| parse_date(t).ok())
                        .map(Value::Date),
                    (Type::Enum(e), Some(s)) => self.text_of(s).and_then(|t| enum_value(p, *e, t)),
                    _ => None,
                }
            }
            Some(b'-' | b'0'..=b'9') if f.ty == Type::Int => self
                .integer()
                .filter(|n| f.min.is_none_or(|m| *n >= m))
                .map(Value::Int),
            _ => None,
        };
        v.is_some_and(|v| self.put(fact, v))
    }

    /// Fills a fact's slot.
    fn put(&mut self, fact: FactId, v: Value) -> bool {
        match self.case.facts.get_mut(fact as usize) {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// The commonest string values read in place, their opening quote
    /// read: a date of ten characters, an enum value as it is written.
    /// None, having read nothing, for any other.
    fn quick_value(&mut self, ty: &Type) -> Option<Value> {
        match ty {
            Type::Date => {
                let rest = self.bytes().get(self.at..self.at + 11)?;
                if rest.get(10) != Some(&b'"') {
                    return None;
                }
                let d = date_of(rest.get(..10)?)?;
                self.at += 11;
                Some(Value::Date(d))
            }
            Type::Enum(e) if self.plain_enum.get(*e as usize) == Some(&true) => {
                let en = self.p.enums.get(*e as usize)?;
                let i = en
                    .variants
                    .iter()
                    .position(|(n, _)| self.rest_is(n.as_bytes()))?;
                Some(Value::Enum(*e, u32::try_from(i).ok()?))
            }
            _ => None,
        }
    }

    /// A text fact's value, shared with the cases before.
    fn text_value(&mut self, s: Str) -> Option<Value> {
        match s {
            Str::Text(a, b) => self.s.get(a..b).map(|t| self.texts.get(t)),
            Str::Scratch => {
                let t = std::mem::take(&mut self.texts.scratch);
                let v = self.texts.get(&t);
                self.texts.scratch = t;
                Some(v)
            }
        }
    }

    /// An integer as `serde_json` reads one, when it is a 64-bit integer
    /// (not `-0`, a fraction, an exponent or a number past 64 bits, which
    /// it reads as a float).
    fn integer(&mut self) -> Option<i64> {
        let negative = self.eat(b'-');
        let first = self.peek()?;
        if !first.is_ascii_digit() {
            return None;
        }
        self.at += 1;
        let mut n = u64::from(first - b'0');
        if first == b'0' {
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return None;
            }
        } else {
            while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
                n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                self.at += 1;
            }
        }
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            return None;
        }
        if negative {
            // As `serde_json`: negated in 64 bits, a float unless negative.
            let neg = (n as i64).wrapping_neg();
            (neg < 0).then_some(neg)
        } else {
            i64::try_from(n).ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_scan_stops_where_a_byte_scan_stops() {
        let samples: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"abc".to_vec(),
            b"abcdefgh\"".to_vec(),
            b"abcdefghijklmnop\\q".to_vec(),
            "浦东新区\"".as_bytes().to_vec(),
            b"aaaaaaa\x1f".to_vec(),
            b"aaaaaaaaaaaaaaa\x7f\x80\xff\"".to_vec(),
            b"\x00".to_vec(),
            b"        \x20\x21\x22".to_vec(),
        ];
        for s in &samples {
            for from in 0..=s.len() {
                let slow = s
                    .iter()
                    .skip(from)
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                    .map_or(s.len(), |i| i + from);
                assert_eq!(string_stop(s, from), slow, "{s:?} from {from}");
            }
        }
        for b in 0..=255u8 {
            for pos in 0..16 {
                let mut s = vec![b'a'; 16];
                s[pos] = b;
                let want = if b == b'"' || b == b'\\' || b < 0x20 {
                    pos
                } else {
                    16
                };
                assert_eq!(string_stop(&s, 0), want, "byte {b} at {pos}");
            }
        }
    }
}

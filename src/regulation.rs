//! The verbatim text of a regulation, split into citable units.
//!
//! An article starts at a line that opens with a Chinese numeral and `、`
//! (`四、关于…`); the blocks after it, up to the next article or the
//! signature, are its paragraphs (款), cited `article.paragraph`. An article
//! of a single paragraph is cited by sentence instead (`7.1`, `7.2`), as the
//! paragraph-by-paragraph reading of the document does. Text before the first
//! article (addressees, preamble) is not citable.
//!
//! Time: parsing is O(length of the text); a unit is found by its number in
//! O(1), and a quote matched in O(paragraph + quote) against the
//! paragraph's text kept without whitespace.

use std::borrow::Cow;
use std::collections::HashMap;

/// One citable unit: a paragraph, or a sentence of a one-paragraph article.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Article number from 1.
    pub article: u32,
    /// Paragraph or sentence number from 1.
    pub paragraph: u32,
    /// The verbatim text.
    pub text: String,
}

impl Unit {
    /// `4.2`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.article, self.paragraph)
    }
}

/// An article heading such as `四、关于派遣员工发生工伤的问题`.
#[derive(Clone, Debug, PartialEq)]
pub struct Article {
    /// Article number from 1.
    pub number: u32,
    /// The heading line.
    pub heading: String,
}

/// A regulation's text split into articles and units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Regulation {
    /// Article headings in order.
    pub articles: Vec<Article>,
    /// Citable units in order.
    pub units: Vec<Unit>,
    /// Each unit's position by (article, paragraph), the first when a key
    /// repeats; built by [`Regulation::parse`].
    by_key: HashMap<(u32, u32), usize>,
    /// Each unit's text without whitespace, as quotes are matched; built by
    /// [`Regulation::parse`].
    squashed: Vec<String>,
}

fn chinese_numeral(s: &str) -> Option<u32> {
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        ['十'] => Some(10),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        [u] => digit(*u),
        _ => None,
    }
}

fn article_number(line: &str) -> Option<u32> {
    let (head, _) = line.split_once('、')?;
    chinese_numeral(head.trim())
}

/// Splits a paragraph into sentences, each keeping its closing `。`.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if matches!(c, '。' | '！' | '？') {
            out.push(std::mem::take(&mut cur).trim().to_string());
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Removes every whitespace character, for whitespace-insensitive matching.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Regulation {
    /// Splits a regulation text into articles and citable units.
    pub fn parse(text: &str) -> Regulation {
        let mut reg = Regulation::default();
        let mut current: Option<(u32, Vec<String>)> = None;
        let flush = |cur: Option<(u32, Vec<String>)>, reg: &mut Regulation| {
            if let Some((article, paras)) = cur {
                let parts = if paras.len() == 1 {
                    paras.first().map(|p| sentences(p)).unwrap_or_default()
                } else {
                    paras
                };
                for (i, text) in parts.into_iter().enumerate() {
                    reg.units.push(Unit {
                        article,
                        paragraph: u32::try_from(i + 1).unwrap_or(u32::MAX),
                        text,
                    });
                }
            }
        };
        let mut ended = false;
        for block in text.split('\n').map(str::trim) {
            if block.is_empty() || ended {
                continue;
            }
            if let Some(n) = article_number(block) {
                flush(current.take(), &mut reg);
                reg.articles.push(Article {
                    number: n,
                    heading: block.to_string(),
                });
                current = Some((n, Vec::new()));
            } else if let Some((_, paras)) = current.as_mut() {
                // The signature (issuer, then date) closes the last article.
                let is_signature =
                    !block.contains('。') && !block.contains('；') && !block.contains('：');
                if is_signature {
                    ended = true;
                    continue;
                }
                paras.push(block.to_string());
            }
        }
        flush(current.take(), &mut reg);
        for (i, u) in reg.units.iter().enumerate() {
            reg.by_key.entry((u.article, u.paragraph)).or_insert(i);
        }
        reg.squashed = reg.units.iter().map(|u| squash(&u.text)).collect();
        reg
    }

    /// The unit `article.paragraph`, if the text has it.
    pub fn unit(&self, article: u32, paragraph: u32) -> Option<&Unit> {
        self.unit_index(article, paragraph)
            .and_then(|i| self.units.get(i))
    }

    /// The position of the unit `article.paragraph` among the units.
    fn unit_index(&self, article: u32, paragraph: u32) -> Option<usize> {
        if self.by_key.is_empty() {
            // Units not listed by `parse`: look through them.
            return self
                .units
                .iter()
                .position(|u| u.article == article && u.paragraph == paragraph);
        }
        self.by_key.get(&(article, paragraph)).copied()
    }

    /// The text of the `i`th unit without whitespace.
    pub fn squashed(&self, i: usize) -> Cow<'_, str> {
        match self.squashed.get(i) {
            Some(s) if self.squashed.len() == self.units.len() => Cow::Borrowed(s.as_str()),
            _ => Cow::Owned(
                self.units
                    .get(i)
                    .map(|u| squash(&u.text))
                    .unwrap_or_default(),
            ),
        }
    }

    /// The heading of an article.
    pub fn heading(&self, article: u32) -> Option<&str> {
        self.articles
            .iter()
            .find(|a| a.number == article)
            .map(|a| a.heading.as_str())
    }

    /// Whether `quote` appears in the unit, ignoring whitespace.
    pub fn quote_matches(&self, article: u32, paragraph: u32, quote: &str) -> bool {
        self.unit_index(article, paragraph)
            .is_some_and(|i| self.squashed(i).contains(&squash(quote)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        assert_eq!(chinese_numeral("四"), Some(4));
        assert_eq!(chinese_numeral("十二"), Some(12));
        assert_eq!(chinese_numeral("二十"), Some(20));
    }
}

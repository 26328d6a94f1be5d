//! The verbatim text of a regulation, split into citable units. The
//! structure is read from the text; two shapes are known.
//!
//! Provisions (一、… as in a normative document): an article starts at a
//! line that opens with a Chinese numeral and `、` (`四、关于…`); the blocks
//! after it, up to the next article or the signature, are its paragraphs
//! (款), cited `article.paragraph`. A heading line that is a sentence
//! itself (`一、派遣员工…提出工伤认定申请。`, as short notices write their
//! provisions) is the article's first paragraph. An article of a single paragraph is cited
//! by sentence instead (`7.1`, `7.2`), as the paragraph-by-paragraph reading
//! of the document does. Text before the first article (addressees,
//! preamble) is not citable.
//!
//! 章/条/款/项 (as in laws, regulations and rules): a text with articles
//! `第N条` is read in that shape. `第N章` lines are chapter headings (not
//! citable); an article's first paragraph follows `第N条` on its line, each
//! later block is a paragraph, and a block opening with `（一）` is a
//! numbered item (项) of the paragraph before it, cited
//! `article.paragraph.item` (12.1.3). An article of one paragraph is `N.1`.
//! The blocks before the first chapter or article (the promulgation order)
//! are article 0, cited `0.1`, `0.2`, …, so that the order's in-force
//! sentence can be quoted; they are not provisions and need no coverage.
//! Article numbers missing from the sequence are gaps of the source, and so
//! is the article after the last when the last does not state when the text
//! takes effect (`…起施行`): a rule's closing article states its in-force
//! date (立法技术规范), so a text that ends on another article lacks at least
//! its closing one. A promulgation order's `自…起施行` (article 0) does not
//! count: it is the order's sentence, not the closing article.
//!
//! Time: parsing is O(length of the text); a unit is found by its number in
//! O(1), and a quote matched in O(paragraph + quote) against the
//! paragraph's text kept without whitespace.

use std::borrow::Cow;
use std::collections::HashMap;

/// One citable unit: a paragraph, a sentence of a one-paragraph article, or
/// a numbered item of a paragraph.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    /// Article number from 1 (0: the promulgation order).
    pub article: u32,
    /// Paragraph or sentence number from 1.
    pub paragraph: u32,
    /// Item number from 1, or 0 for a paragraph.
    pub item: u32,
    /// The verbatim text.
    pub text: String,
}

impl Unit {
    /// `4.2`, or `12.1.3` for an item.
    pub fn key(&self) -> String {
        unit_key(self.article, self.paragraph, self.item)
    }
}

/// What the closing article of a rule states: the date it takes effect.
const CLOSING: &str = "起施行";

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
    /// Article numbers the sequence skips: articles absent from the source.
    pub missing: Vec<u32>,
    /// Whether the text is in the 章/条/款/项 shape.
    pub articled: bool,
    /// Each unit's position by (article, paragraph, item), the first when a
    /// key repeats; built by [`Regulation::parse`].
    by_key: HashMap<(u32, u32, u32), usize>,
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

/// `第十二条　…` → (12, the rest of the line).
fn tiao(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix('第')?;
    let (num, after) = rest.split_once('条')?;
    let n = chinese_numeral(num)?;
    Some((n, after.trim_start_matches(|c: char| c.is_whitespace())))
}

/// Whether a line is a chapter heading `第一章　总则`.
fn is_zhang(line: &str) -> bool {
    line.strip_prefix('第')
        .and_then(|r| r.split_once('章'))
        .is_some_and(|(num, _)| chinese_numeral(num).is_some())
}

/// `（三）…` → 3.
fn item_number(block: &str) -> Option<u32> {
    let rest = block.strip_prefix('（')?;
    let (num, _) = rest.split_once('）')?;
    chinese_numeral(num)
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

/// The citation key of a unit: `4.2`, or `12.1.3` for an item.
pub fn unit_key(article: u32, paragraph: u32, item: u32) -> String {
    if item == 0 {
        format!("{article}.{paragraph}")
    } else {
        format!("{article}.{paragraph}.{item}")
    }
}

/// Removes every whitespace character, for whitespace-insensitive matching.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

impl Regulation {
    /// Splits a regulation text into articles and citable units, in the
    /// shape the text has.
    pub fn parse(text: &str) -> Regulation {
        let mut reg = if text.split('\n').any(|l| tiao(l.trim()).is_some()) {
            Regulation::parse_articled(text)
        } else {
            Regulation::parse_provisions(text)
        };
        for (i, u) in reg.units.iter().enumerate() {
            reg.by_key
                .entry((u.article, u.paragraph, u.item))
                .or_insert(i);
        }
        reg.squashed = reg.units.iter().map(|u| squash(&u.text)).collect();
        reg
    }

    /// The 章/条/款/项 shape.
    fn parse_articled(text: &str) -> Regulation {
        let mut reg = Regulation {
            articled: true,
            ..Regulation::default()
        };
        let mut chapter = String::new();
        // (article, paragraph, item) of the last unit.
        let mut at: (u32, u32, u32) = (0, 0, 0);
        let mut started = false;
        for block in text.split('\n').map(str::trim) {
            if block.is_empty() {
                continue;
            }
            if is_zhang(block) {
                started = true;
                chapter = block.to_string();
                continue;
            }
            let (key, body) = if let Some((n, rest)) = tiao(block) {
                started = true;
                let label = block.get(..block.len() - rest.len()).unwrap_or(block).trim();
                let heading = if chapter.is_empty() {
                    label.to_string()
                } else {
                    format!("{chapter} · {label}")
                };
                reg.articles.push(Article { number: n, heading });
                ((n, 1, 0), rest)
            } else if !started {
                ((0, at.1 + 1, 0), block)
            } else if let Some(i) = item_number(block) {
                ((at.0, at.1, i), block)
            } else {
                ((at.0, at.1 + 1, 0), block)
            };
            at = key;
            reg.units.push(Unit {
                article: key.0,
                paragraph: key.1,
                item: key.2,
                text: body.to_string(),
            });
        }
        let mut numbers: Vec<u32> = reg.articles.iter().map(|a| a.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        for w in numbers.windows(2) {
            if let [a, b] = w {
                reg.missing.extend(a + 1..*b);
            }
        }
        if let Some(first) = numbers.first() {
            reg.missing.extend(1..*first);
        }
        if let Some(&last) = numbers.last() {
            let closes = reg
                .units
                .iter()
                .filter(|u| u.article == last)
                .any(|u| squash(&u.text).contains(CLOSING));
            if !closes {
                reg.missing.push(last + 1);
            }
        }
        reg.missing.sort_unstable();
        reg
    }

    /// The 一、… shape of a normative document.
    fn parse_provisions(text: &str) -> Regulation {
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
                        item: 0,
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
                // A heading that is itself a sentence (`二、本通知自…起施行。`)
                // is the provision's first paragraph, not a title.
                let first: Vec<String> = block
                    .split_once('、')
                    .map(|(_, rest)| rest.trim())
                    .filter(|rest| rest.contains('。'))
                    .map(|rest| vec![rest.to_string()])
                    .unwrap_or_default();
                current = Some((n, first));
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
        reg
    }

    /// The unit `article.paragraph` (item 0) or `article.paragraph.item`.
    pub fn unit(&self, article: u32, paragraph: u32, item: u32) -> Option<&Unit> {
        self.unit_index(article, paragraph, item)
            .and_then(|i| self.units.get(i))
    }

    /// The position of a unit among the units.
    fn unit_index(&self, article: u32, paragraph: u32, item: u32) -> Option<usize> {
        if self.by_key.is_empty() {
            // Units not listed by `parse`: look through them.
            return self.units.iter().position(|u| {
                u.article == article && u.paragraph == paragraph && u.item == item
            });
        }
        self.by_key.get(&(article, paragraph, item)).copied()
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
    pub fn quote_matches(&self, article: u32, paragraph: u32, item: u32, quote: &str) -> bool {
        self.unit_index(article, paragraph, item)
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

    #[test]
    fn articled_text() {
        let r = Regulation::parse(
            "部令第1号\n\n本规定自2014年3月1日起施行。\n\n第一章　总则\n\n第一条　甲。\n\n乙。\n\n第三条　有下列情形之一的：\n\n（一）丙；\n\n（二）丁。\n\n戊。\n\n第四条　本规定自2014年3月1日起施行。\n",
        );
        let keys: Vec<String> = r.units.iter().map(Unit::key).collect();
        assert_eq!(
            keys,
            ["0.1", "0.2", "1.1", "1.2", "3.1", "3.1.1", "3.1.2", "3.2", "4.1"]
        );
        assert_eq!(r.missing, [2]);
        assert_eq!(r.unit(3, 1, 2).map(|u| u.text.as_str()), Some("（二）丁。"));
        assert_eq!(r.heading(3), Some("第一章　总则 · 第三条"));
        assert!(r.quote_matches(0, 2, 0, "自2014年3月1日起施行"));
    }

    /// Provisions written on their heading line, as short notices do, are
    /// paragraphs; a title heading (no sentence end) is not.
    #[test]
    fn provisions_on_their_heading_line() {
        let r = Regulation::parse(
            "某通知\n\n一、派遣员工发生事故伤害的，由用工单位申请。\n\n二、其他事项\n\n本通知自2025年1月1日起施行。\n",
        );
        let keys: Vec<String> = r.units.iter().map(Unit::key).collect();
        assert_eq!(keys, ["1.1", "2.1"]);
        assert_eq!(
            r.unit(1, 1, 0).map(|u| u.text.as_str()),
            Some("派遣员工发生事故伤害的，由用工单位申请。")
        );
    }

    /// A text whose last article is not the closing one (`…起施行`) lacks
    /// the article after it, even when the promulgation order states the
    /// date; an article that only mentions 施行 does not close the text.
    #[test]
    fn text_without_its_closing_article() {
        let r = Regulation::parse(
            "部令第1号\n\n现予公布，自2014年3月1日起施行。\n\n第一条　甲。\n\n第三条　本规定施行前已订立的，于本规定施行之日起2年内调整。\n",
        );
        assert_eq!(r.missing, [2, 4]);
        let closed = Regulation::parse("第一条　甲。\n\n第二条　本规定自2014年3月1日起施行。\n");
        assert!(closed.missing.is_empty());
    }
}

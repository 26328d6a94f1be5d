//! Positions between byte offsets (regula's spans) and LSP positions (line
//! and UTF-16 code unit, as the protocol counts them by default).
//!
//! Time: O(length of the line) per conversion, after one O(text) pass that
//! finds the line starts.
use lsp_types::{Position, Range};

/// The starts of the lines of a text.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes a text; lines end at `\n` (a `\r` before it belongs to the line).
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The LSP position of a byte offset (clamped to the text, and to a
    /// character boundary before it).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|s| *s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let units: usize = self
            .text
            .get(start..offset)
            .unwrap_or("")
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(units).unwrap_or(u32::MAX),
        )
    }

    /// The LSP range of a byte range.
    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of an LSP position; a column past the end of its line
    /// is the end of the line, a line past the end is the end of the text.
    pub fn offset(&self, p: Position) -> usize {
        let Some(start) = self.starts.get(p.line as usize).copied() else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(p.line as usize + 1)
            .map_or(self.text.len(), |e| e.saturating_sub(1));
        let line = self.text.get(start..end).unwrap_or("");
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= p.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_non_bmp_characters_count_in_utf16_units() {
        // 规 and 则 are one UTF-16 unit (three UTF-8 bytes); 𠀀 (U+20000,
        // outside the BMP) is two units and four bytes.
        let text = "规则 a\n  依据 𠀀x \"引\"\r\nz";
        let l = Lines::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(l.position(x), Position::new(1, 7));
        assert_eq!(l.offset(Position::new(1, 7)), x);
        let a = text.find('a').unwrap();
        assert_eq!(l.position(a), Position::new(0, 3));
        assert_eq!(l.offset(Position::new(0, 3)), a);
        // Past the end of a line: its end; past the last line: the text's end.
        assert_eq!(l.offset(Position::new(0, 99)), text.find('\n').unwrap());
        assert_eq!(l.offset(Position::new(9, 0)), text.len());
        let z = text.find('z').unwrap();
        assert_eq!(l.position(z), Position::new(2, 0));
        // Every character boundary round-trips.
        for (i, _) in text.char_indices() {
            if text.get(i..i + 1) != Some("\n") {
                assert_eq!(l.offset(l.position(i)), i, "offset {i}");
            }
        }
        // Inside a character: the boundary before it.
        assert_eq!(l.position(1), Position::new(0, 0));
    }
}

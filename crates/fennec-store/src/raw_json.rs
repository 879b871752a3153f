//! Stored JSON text copied through as it is, when that is what serde_json
//! would write for it anyway.
//!
//! Why: the with-tasks boards write every entity's and task's `data`.
//! Parsing each into a `serde_json::Value` only to write it back cost a
//! share of a big board's time and memory; the text Fennec stores is
//! almost always serde_json's own compact output, so it can be copied.
//! What decides is byte identity with the parsed-and-written value (Zou's
//! JSON must not change): any text that serde_json would write otherwise
//! (whitespace, a duplicate key, a float, an escape it does not use, an
//! integer near the limits) is not canonical here and the caller parses it
//! as before.

/// Deeper than this, the caller parses (serde_json refuses past 128).
const MAX_DEPTH: usize = 100;

/// Is `text` exactly what serde_json (with `preserve_order`) writes for
/// the value it parses to?
pub fn is_canonical(text: &str) -> bool {
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
    };
    s.value(0) && s.i == s.b.len()
}

/// The text of the value of `key` at the top of the canonical object
/// `text` (None when it is not an object or has no such key).
pub fn top_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let b = text.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut s = Scan { b, i: 1 };
    if s.peek() == Some(b'}') {
        return None;
    }
    loop {
        let start = s.i;
        if !s.string() {
            return None;
        }
        let found = &b[start..s.i];
        let matches = found.len() == key.len() + 2 && &found[1..found.len() - 1] == key.as_bytes();
        s.i += 1; // ':'
        let at = s.i;
        if !s.value(1) {
            return None;
        }
        if matches {
            return text.get(at..s.i);
        }
        match s.peek() {
            Some(b',') => s.i += 1,
            _ => return None,
        }
    }
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> bool {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.integer(),
            _ => false,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn object(&mut self, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        self.i += 1;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return true;
        }
        // A repeated key keeps its first place with its last value once
        // parsed: not the text. Canonical keys compare as raw bytes.
        let mut keys: Vec<&[u8]> = Vec::new();
        loop {
            let start = self.i;
            if !self.string() {
                return false;
            }
            let key = &self.b[start..self.i];
            if keys.contains(&key) {
                return false;
            }
            keys.push(key);
            if self.peek() != Some(b':') {
                return false;
            }
            self.i += 1;
            if !self.value(depth) {
                return false;
            }
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    fn array(&mut self, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        self.i += 1;
        if self.peek() == Some(b']') {
            self.i += 1;
            return true;
        }
        loop {
            if !self.value(depth) {
                return false;
            }
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    /// A string as serde_json escapes it: `\"`, `\\`, `\b`, `\f`, `\n`,
    /// `\r`, `\t`, the other control characters as `\u00xx` (lower-case
    /// hex), everything else as itself.
    fn string(&mut self) -> bool {
        if self.peek() != Some(b'"') {
            return false;
        }
        self.i += 1;
        loop {
            let Some(c) = self.peek() else { return false };
            self.i += 1;
            match c {
                b'"' => return true,
                b'\\' => {
                    let Some(e) = self.peek() else { return false };
                    self.i += 1;
                    match e {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let Some(hex) = self.b.get(self.i..self.i + 4) else {
                                return false;
                            };
                            self.i += 4;
                            let lower = |h: u8| match h {
                                b'0'..=b'9' => Some(h - b'0'),
                                b'a'..=b'f' => Some(h - b'a' + 10),
                                _ => None,
                            };
                            let (Some(hi), Some(lo)) = (lower(hex[2]), lower(hex[3])) else {
                                return false;
                            };
                            let code = hi * 16 + lo;
                            let short = matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d);
                            if &hex[..2] != b"00" || code >= 0x20 || short {
                                return false;
                            }
                        }
                        _ => return false,
                    }
                }
                0..=0x1f => return false,
                _ => {}
            }
        }
    }

    /// An integer that reads back as itself: no fraction or exponent (a
    /// float is written back in serde_json's own shortest form), no `-0`
    /// (read as a float), at most 18 digits (always within i64 and u64).
    fn integer(&mut self) -> bool {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        let digits = &self.b[start..self.i];
        let well_formed = match digits {
            [] => false,
            [b'0'] => !negative,
            [b'0', ..] => false,
            _ => digits.len() <= 18,
        };
        well_formed && !matches!(self.peek(), Some(b'.' | b'e' | b'E'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the boards wrote before: the text parsed, then written.
    fn reparsed(t: &str) -> Option<String> {
        serde_json::from_str::<serde_json::Value>(t)
            .ok()
            .map(|v| v.to_string())
    }

    #[test]
    fn canonical_text_is_what_serde_json_writes_back() {
        let canonical = [
            r#"{"fps":"25","frame_in":1001,"frame_out":1120}"#,
            r#"{"b":[1,2,null],"a":"x","c":{"d":true,"e":false}}"#,
            r#"{}"#,
            r#"[]"#,
            r#"null"#,
            r#""say \"hi\"\nto Zoë ✓ \\ \u001f \t""#,
            r#"-12"#,
            r#"0"#,
            r#"123456789012345678"#,
        ];
        for t in canonical {
            assert!(is_canonical(t), "{t}");
            assert_eq!(reparsed(t).as_deref(), Some(t), "{t}");
        }
        // Parsed, not copied: most would be written otherwise; a float is
        // refused even when it would not be.
        let parsed = [
            r#"{"b": [1, 2.5, null], "a": "x"}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":2.50}"#,
            r#"{"a":1e3}"#,
            r#"{"a":1.0}"#,
            r#"-0"#,
            r#"1234567890123456789012"#,
            r#""\/""#,
            r#""\u00e9""#,
            r#""\u0008""#,
            r#""\u001F""#,
            r#"{"a":1} "#,
            r#"{"a":1"#,
            r#"nul"#,
            "",
        ];
        for t in parsed {
            assert!(!is_canonical(t), "{t}");
        }
        let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
        assert!(!is_canonical(&deep));
    }

    #[test]
    fn top_values_are_read_from_the_text() {
        let t = r#"{"fps":"25","nested":{"frame_in":3},"frame_in":1001,"x":[1,{"a":2}]}"#;
        assert_eq!(top_value(t, "fps"), Some(r#""25""#));
        assert_eq!(top_value(t, "frame_in"), Some("1001"));
        assert_eq!(top_value(t, "x"), Some(r#"[1,{"a":2}]"#));
        assert_eq!(top_value(t, "frame_out"), None);
        assert_eq!(top_value("{}", "fps"), None);
        assert_eq!(top_value("[1]", "fps"), None);
    }
}

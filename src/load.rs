//! Reading a policy set: the embedded default or directories on disk.
//!
//! A policy set is one or more directories; every `.policy` file below them
//! (sorted by path) is read, and every other text file is kept so that a
//! document's `source` can be found. Limits keep a hostile tree harmless.
//!
//! Time: O(files + bytes read), the files sorted by path (O(files × log files)).
use crate::diag::{Diag, Problem};
#[cfg(feature = "embedded")]
use include_dir::{include_dir, Dir};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

#[cfg(feature = "embedded")]
static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// Largest policy or source file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most files a policy set may hold.
pub const MAX_FILES: usize = 1000;
/// Deepest directory nesting walked.
pub const MAX_DEPTH: usize = 16;
/// Longest line in a policy file, in bytes.
pub const MAX_LINE_BYTES: usize = 10_000;

/// The raw files of a policy set.
#[derive(Clone, Debug, Default)]
pub struct RawSet {
    /// `.policy` files: display name and text, sorted by name.
    pub policies: Vec<(String, String)>,
    /// Other text files by display name (sources of the regulation).
    pub others: BTreeMap<String, String>,
    /// Whether this is the embedded default set.
    pub embedded: bool,
}

/// The policy set compiled into the binary.
#[cfg(feature = "embedded")]
pub fn embedded() -> RawSet {
    let mut set = RawSet {
        embedded: true,
        ..RawSet::default()
    };
    fn walk(dir: &Dir<'_>, set: &mut RawSet) {
        for f in dir.files() {
            let name = format!("policies/{}", f.path().to_string_lossy().replace('\\', "/"));
            let Some(text) = f.contents_utf8() else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
            if name.ends_with(".policy") {
                set.policies.push((name, text));
            } else {
                set.others.insert(name, text);
            }
        }
        for d in dir.dirs() {
            walk(d, set);
        }
    }
    walk(&EMBEDDED, &mut set);
    set.policies.sort();
    set
}

/// Reads policy sets from directories (or single `.policy` files).
pub fn from_paths(paths: &[PathBuf]) -> Result<RawSet, Vec<Diag>> {
    let mut set = RawSet::default();
    let mut errors = Vec::new();
    for root in paths {
        let shown = root.to_string_lossy().replace('\\', "/");
        let shown = shown.trim_end_matches('/').to_string();
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                errors.push(
                    Diag::of(Problem::PoliciesNotFound {
                        path: shown.clone(),
                        reason: io_reason(&e),
                    }),
                );
                continue;
            }
        };
        let before = set.policies.len();
        if !meta.is_dir() {
            read_one(root, &shown, &mut set, &mut errors);
        } else {
            let mut seen = HashSet::new();
            walk(root, &shown, 0, &mut seen, &mut set, &mut errors);
        }
        if set.policies.len() == before && errors.is_empty() {
            let prefix = format!("{shown}/");
            let others: Vec<String> = set
                .others
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .take(3)
                .map(str::to_string)
                .collect();
            errors.push(Diag::of(Problem::EmptyPolicies {
                path: shown.clone(),
                others,
            }));
        }
        if set.policies.len() > MAX_FILES {
            errors.push(
                Diag::of(Problem::TooManyFiles { limit: MAX_FILES }),
            );
            break;
        }
    }
    set.policies.sort();
    if errors.is_empty() {
        Ok(set)
    } else {
        Err(errors)
    }
}

/// The entries of a directory, hidden ones left out, sorted by path; None if
/// it cannot be read.
pub fn visible_entries(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    entries.sort();
    Some(entries)
}

/// A file's bytes, at most `limit` of them read whatever the file is (a
/// FIFO, a device): None when it holds more.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// The operating system's reason for an I/O error, lowercase, without the
/// error number: "permission denied", "no such file or directory".
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s.get(..i).unwrap_or(&s).to_lowercase(),
                None => s.to_lowercase(),
            }
        }
    }
}

fn walk(
    dir: &Path,
    shown: &str,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    set: &mut RawSet,
    errors: &mut Vec<Diag>,
) {
    if depth > MAX_DEPTH {
        errors.push(
            Diag::of(Problem::TooDeepDirectory {
                path: shown.to_string(),
                limit: MAX_DEPTH,
                formatting: false,
            }),
        );
        return;
    }
    let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !seen.insert(canon) {
        errors.push(
            Diag::of(Problem::SymlinkLoop {
                path: shown.to_string(),
            }),
        );
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(
                Diag::of(Problem::UnreadableDirectory {
                    path: shown.to_string(),
                    reason: Some(io_reason(&e)),
                }),
            );
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let child = format!("{shown}/{name}");
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, &child, depth + 1, seen, set, errors),
            // A FIFO in the tree would block the reading until a writer
            // came, a device never end: only regular files are read.
            Ok(m) if !m.is_file() => {
                if child.ends_with(".policy") || child.ends_with(".txt") {
                    errors.push(Diag::of(Problem::NotRegularFile {
                        path: child.clone(),
                    }));
                }
            }
            Ok(_) => read_one(&path, &child, set, errors),
            Err(e) => errors.push(
                Diag::of(Problem::UnreadableEntry {
                    path: child.to_string(),
                    reason: io_reason(&e),
                }),
            ),
        }
    }
}

fn read_one(path: &Path, shown: &str, set: &mut RawSet, errors: &mut Vec<Diag>) {
    let is_policy = shown.ends_with(".policy");
    let is_text = is_policy || shown.ends_with(".txt");
    if !is_text {
        return;
    }
    let too_large = |size: String| {
        // `size` is the file's size, or "more than N" for what was read.
        Diag::of(Problem::FileTooLarge {
            path: shown.to_string(),
            size,
            limit: MAX_FILE_BYTES,
        })
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            errors.push(too_large(m.len().to_string()));
            return;
        }
        _ => {}
    }
    let bytes = match read_limited(path, MAX_FILE_BYTES) {
        Ok(Some(b)) => b,
        // A FIFO or a device has no size beforehand: the limit is on the
        // bytes read.
        Ok(None) => {
            errors.push(too_large(format!("more than {MAX_FILE_BYTES}")));
            return;
        }
        Err(e) => {
            errors.push(
                Diag::of(Problem::UnreadableFile {
                    path: shown.to_string(),
                    reason: io_reason(&e),
                }),
            );
            return;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e
                .as_bytes()
                .get(..at)
                .map(|b| b.iter().filter(|c| **c == b'\n').count() + 1)
                .unwrap_or(1);
            errors.push(
                Diag::of(Problem::InvalidUtf8 {
                    path: shown.to_string(),
                    line,
                    at,
                }),
            );
            return;
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if is_policy {
        if let Some((n, _)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.len() > MAX_LINE_BYTES)
        {
            errors.push(
                Diag::of(Problem::LineTooLong {
                    path: shown.to_string(),
                    line: n + 1,
                    limit: MAX_LINE_BYTES,
                }),
            );
            return;
        }
        set.policies.push((shown.to_string(), text));
    } else {
        set.others.insert(shown.to_string(), text);
    }
}

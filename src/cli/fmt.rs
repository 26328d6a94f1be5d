//! `regula fmt`: rewrite policy files in the canonical layout, or list the
//! files that are not (`--check`).
use super::errln;
use super::{print, Exit, Out, PolicyArgs};
use crate::diag::{Diag, Problem};
use crate::load::{MAX_DEPTH, MAX_FILE_BYTES};
use crate::source::SourceMap;
use crate::syntax::format::format_source_as;
use crate::syntax::lexicon::Form;
use std::path::{Path, PathBuf};

/// Arguments of `regula fmt`.
#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// List the files that are not formatted and exit with status 1; change nothing.
    #[arg(long)]
    check: bool,
    /// Write every keyword in this form: `en` (`rule`, `when`, `then`) or
    /// `zh` (`规则`, `当`, `则`); by default each file keeps its own.
    #[arg(long, value_name = "FORM")]
    keywords: Option<Form>,
    /// Policy files or directories (searched for `.policy` files); default:
    /// the `--policies` directories, else `policies`.
    #[arg(value_name = "PATHS")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Every `.policy` file under the paths, in sorted order.
fn collect(paths: &[PathBuf], diags: &mut Vec<Diag>) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, diags: &mut Vec<Diag>) {
        if depth > MAX_DEPTH {
            diags.push(Diag::of(Problem::TooDeepDirectory {
                path: shown(dir),
                limit: MAX_DEPTH,
                formatting: true,
            }));
            return;
        }
        let Some(entries) = crate::load::visible_entries(dir) else {
            let reason = std::fs::read_dir(dir)
                .err()
                .map(|e| crate::load::io_reason(&e));
            diags.push(Diag::of(Problem::UnreadableDirectory {
                path: shown(dir),
                reason,
            }));
            return;
        };
        for p in entries {
            if p.is_dir() {
                walk(&p, depth + 1, out, diags);
            } else if p.extension().is_some_and(|e| e == "policy") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, 0, &mut out, diags);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            diags.push(Diag::of(Problem::NotFound { path: shown(p) }));
        }
    }
    out
}

/// Runs `regula fmt`.
pub fn run(a: FmtArgs, out: &Out) -> Exit {
    let mut diags = Vec::new();
    let mut paths = a.policies.policies.clone();
    paths.extend(a.paths.iter().cloned());
    if paths.is_empty() {
        paths.push(PathBuf::from("policies"));
    }
    let files = collect(&paths, &mut diags);
    let mut sources = SourceMap::default();
    let mut changed = Vec::new();
    let mut failed = false;
    for path in &files {
        let name = shown(path);
        let why = match crate::load::read_limited(path, MAX_FILE_BYTES) {
            Ok(Some(b)) => match String::from_utf8(b) {
                Ok(text) => Ok(text),
                Err(_) => Err("not valid UTF-8".to_string()),
            },
            Ok(None) => Err(format!("more than {MAX_FILE_BYTES} bytes")),
            Err(e) => Err(crate::load::io_reason(&e)),
        };
        let text = match why {
            Ok(text) => text,
            Err(why) => {
                diags.push(Diag::of(Problem::UnreadablePolicy {
                    path: name.clone(),
                    reason: why,
                    limit: MAX_FILE_BYTES,
                }));
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        let id = sources.add(name.clone(), text.as_str());
        match format_source_as(id, &text, a.keywords) {
            Ok(formatted) if formatted != text => {
                if !a.check {
                    // Through a temporary file: a full disk leaves the
                    // policy file as it was, never half written.
                    let written = super::output::Replacement::create(path).and_then(|mut w| {
                        std::io::Write::write_all(&mut w, formatted.as_bytes())?;
                        w.commit()
                    });
                    if let Err(e) = written {
                        diags.push(Diag::of(Problem::Unwritable {
                            path: name.clone(),
                            reason: crate::load::io_reason(&e),
                        }));
                        failed = true;
                        continue;
                    }
                }
                changed.push(name);
            }
            Ok(_) => {}
            Err(mut d) => {
                failed = true;
                diags.append(&mut d);
            }
        }
    }
    if !diags.is_empty() {
        out.diags(&diags, &sources);
        failed = true;
    }
    let mut listing = String::new();
    for name in &changed {
        if a.check {
            listing.push_str(&format!("{name}\n"));
        } else {
            listing.push_str(&format!("formatted {name}\n"));
        }
    }
    print(&listing);
    if a.check && !changed.is_empty() {
        let n = changed.len();
        errln!(
            "error: {n} file{} not formatted; run `regula fmt` to format {}",
            if n == 1 { " is" } else { "s are" },
            if n == 1 { "it" } else { "them" }
        );
        return Exit::Finding;
    }
    if failed {
        Exit::Finding
    } else {
        Exit::Ok
    }
}

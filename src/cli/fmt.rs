//! `regula fmt`: rewrite policy files in the canonical layout, or list the
//! files that are not (`--check`).
use super::errln;
use super::{print, Exit, Out};
use crate::diag::Code;
use crate::diag::Diag;
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
    /// Policy files or directories (searched for `.policy` files).
    #[arg(value_name = "PATHS", default_value = "policies")]
    paths: Vec<PathBuf>,
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Every `.policy` file under the paths, in sorted order.
fn collect(paths: &[PathBuf], diags: &mut Vec<Diag>) -> Vec<PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, diags: &mut Vec<Diag>) {
        if depth > MAX_DEPTH {
            diags.push(
                Diag::new(
                    Code::TooDeepDirectory,
                    format!(
                        "`{}` is nested more than {MAX_DEPTH} directories deep",
                        shown(dir)
                    ),
                )
                .help("name the policy directories themselves, or check for a symbolic link that loops"),
            );
            return;
        }
        let Some(entries) = crate::load::visible_entries(dir) else {
            diags.push(
                Diag::new(
                    Code::Unreadable,
                    format!("cannot read directory `{}`", shown(dir)),
                )
                .help("check that the directory exists and that you may read it"),
            );
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
            diags.push(
                Diag::new(
                    Code::NotFound,
                    format!("cannot read `{}`: no such file or directory", shown(p)),
                )
                .help("pass policy files or directories that hold them"),
            );
        }
    }
    out
}

/// Runs `regula fmt`.
pub fn run(a: FmtArgs, out: &Out) -> Exit {
    let mut diags = Vec::new();
    let files = collect(&a.paths, &mut diags);
    let mut sources = SourceMap::default();
    let mut changed = Vec::new();
    let mut failed = false;
    for path in &files {
        let name = shown(path);
        let text = match std::fs::metadata(path) {
            Ok(m) if m.len() > MAX_FILE_BYTES => None,
            _ => std::fs::read_to_string(path).ok(),
        };
        let Some(text) = text else {
            diags.push(
                Diag::new(
                    Code::Unreadable,
                    format!("cannot read `{name}` as a UTF-8 policy file"),
                )
                .help(format!(
                    "a policy file is UTF-8 text of at most {MAX_FILE_BYTES} bytes"
                )),
            );
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        let id = sources.add(name.clone(), text.as_str());
        match format_source_as(id, &text, a.keywords) {
            Ok(formatted) if formatted != text => {
                if !a.check {
                    if let Err(e) = std::fs::write(path, &formatted) {
                        diags.push(
                            Diag::new(
                                Code::Unwritable,
                                format!(
                                    "cannot write `{name}`: {}",
                                    e.kind().to_string().to_lowercase()
                                ),
                            )
                            .help("make the file writable, or run `regula fmt --check` to only list it"),
                        );
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

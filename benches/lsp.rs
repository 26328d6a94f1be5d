//! The language server's re-check after an edit: `Server::recheck` on the
//! shipped policies (read from disk, the edited file's unsaved text laid
//! over them, checked, indexed, diagnostics converted), as `regula lsp`
//! does on every change. The target is under 50 ms (issue 15).
//!
//! Run: `cargo bench --bench lsp`.
use lsp_server::Notification;
use std::time::{Duration, Instant};

const RUNS: usize = 51;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/hurenshegui-2023-32");
    let file = dir.join("04-work-injury.policy");
    let text = std::fs::read_to_string(&file).expect("a shipped policy");
    // The set is both documents (the national folder implements the
    // Shanghai one's, so the server widens to `policies/`): every file.
    let files = std::fs::read_dir(dir.parent().expect("policies/"))
        .expect("policies/")
        .filter_map(|d| std::fs::read_dir(d.ok()?.path()).ok())
        .flatten()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "policy"))
        })
        .count();
    let mut server = regula::lsp::Server::default();
    let uri = regula::lsp::path_uri(&file).expect("a file URI");
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|i| {
            // An edit: a typo on odd runs, the text restored on even ones.
            let edited = if i % 2 == 1 {
                text.replace(
                    "exception to applicant_agency_or_branch",
                    "exception to applicant_agency_or_brnch",
                )
            } else {
                text.clone()
            };
            let change = Notification::new(
                "textDocument/didChange".to_string(),
                serde_json::json!({
                    "textDocument": {"uri": uri.as_str(), "version": i},
                    "contentChanges": [{"text": edited}],
                }),
            );
            let start = Instant::now();
            let published = server.notification(change);
            let took = start.elapsed();
            assert_eq!(
                published.len(),
                files,
                "one notification per file of the set"
            );
            took
        })
        .collect();
    times.sort();
    let median = times.get(RUNS / 2).copied().unwrap_or_default();
    let worst = times.last().copied().unwrap_or_default();
    println!(
        "lsp re-check of the shipped policies ({files} files) after an edit: median {:.1} ms, worst {:.1} ms ({RUNS} runs)",
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
}

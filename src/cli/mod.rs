//! The `regula` command line: one file per subcommand over the library.
mod batch;
mod check;
mod diff;
mod eval;
mod fmt;
mod graph;
mod output;
mod serve;
mod test;
mod timeline;
mod verify;

use crate::check::Checked;
use crate::diag::{render, Diag, ErrorFormat};
use crate::load;
use crate::program::Program;
use crate::source::SourceMap;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit statuses: 0 success, 1 a finding (errors, failed tests, conflicts),
/// 2 a usage error (clap's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything went well.
    Ok = 0,
    /// Errors in the input, failed tests or evaluations.
    Finding = 1,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// When to colour output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum)]
pub enum Color {
    /// On a terminal only.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// regula: evaluate cases against regulations written as policy files.
#[derive(Parser, Debug)]
#[command(name = "regula", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Policy directory (repeatable), before the subcommand: the same as after
    /// it, for every subcommand that reads one policy set (`fmt`: the files to
    /// format; not `diff`, which reads two: `--from` and `--to`).
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and check a policy set; report every problem and the coverage of the law.
    Check(check::CheckArgs),
    /// Evaluate a case: every outcome with how it was derived.
    Eval(eval::EvalArgs),
    /// The derivation tree of one outcome of a case.
    Explain(eval::ExplainArgs),
    /// Rewrite policy files in the canonical layout (`--check`: only list them).
    Fmt(fmt::FmtArgs),
    /// Run the tests kept beside the policies as snapshots, to review, accept or reject.
    Test(test::TestArgs),
    /// The dependency graph of a policy set: facts, rules and outcomes.
    Graph(graph::GraphArgs),
    /// How a case's outcomes change across the dates where the law changes.
    Timeline(timeline::TimelineArgs),
    /// Evaluate cases under two policy sets and list the outcomes that change.
    Diff(diff::DiffArgs),
    /// Evaluate many cases: JSON lines in, one JSON report per line out, on every core.
    Batch(batch::BatchArgs),
    /// Serve the engine over HTTP: a JSON API and a web interview for caseworkers.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
    /// The JSON Schema of a case, from the fact declarations.
    Schema(serve::SchemaArgs),
    /// A shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(serve::CompletionsArgs),
    /// Prove for every case: no conflicts, gaps or dead rules; or compare two versions exhaustively.
    Verify(verify::VerifyArgs),
    /// The language server for editors, over standard input and output.
    #[cfg(feature = "lsp")]
    Lsp,
}

impl Command {
    /// The policy directories of a subcommand that reads one policy set,
    /// to which `regula --policies DIR SUBCOMMAND` adds; for one that reads
    /// none or two, its name and what to write instead. (Every subcommand is
    /// listed: a new one decides.)
    fn policy_args_mut(&mut self) -> Result<&mut PolicyArgs, (&'static str, &'static str)> {
        match self {
            Command::Check(a) => Ok(&mut a.policies),
            Command::Eval(a) => Ok(&mut a.policies),
            Command::Explain(a) => Ok(&mut a.policies),
            Command::Fmt(a) => Ok(&mut a.policies),
            Command::Test(a) => Ok(&mut a.policies),
            Command::Graph(a) => Ok(&mut a.policies),
            Command::Timeline(a) => Ok(&mut a.policies),
            Command::Batch(a) => Ok(&mut a.policies),
            #[cfg(feature = "serve")]
            Command::Serve(a) => Ok(&mut a.policies),
            Command::Schema(a) => Ok(&mut a.policies),
            Command::Verify(a) => Ok(&mut a.policies),
            #[cfg(feature = "lsp")]
            Command::Lsp => Err((
                "lsp",
                "lsp finds the policy directory of the file being edited",
            )),
            Command::Completions(_) => Err((
                "completions",
                "completions reads no policies: give only the shell",
            )),
            Command::Diff(_) => Err((
                "diff",
                "diff compares two policy sets: name them with --from DIR and --to DIR",
            )),
        }
    }
}

/// Where policies come from, shared by every subcommand that reads them.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PolicyArgs {
    /// Policy directory (repeatable); default: the policies embedded in the binary.
    #[arg(long = "policies", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
}

/// Output context: colour and diagnostic format.
pub struct Out {
    /// Diagnostic format.
    pub format: ErrorFormat,
    /// Colour on stdout.
    pub color_out: bool,
    /// Colour on stderr.
    pub color_err: bool,
}

impl Out {
    /// Prints diagnostics to stderr.
    pub fn diags(&self, diags: &[Diag], sources: &SourceMap) {
        let text = render(diags, sources, self.format, self.color_err);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
    }
}

/// Loads and checks the policy set; on errors prints them and returns None.
pub fn load_program(args: &PolicyArgs, out: &Out) -> Option<Program> {
    match checked(args) {
        Ok(c) => {
            let errors: Vec<Diag> = c.diags.iter().filter(|d| d.is_error()).cloned().collect();
            if let Some(p) = c.program.filter(|_| errors.is_empty()) {
                return Some(p);
            }
            out.diags(&errors, &c.sources);
            let n = errors.len();
            errln!(
                "error: the policy set has {n} error{}; run `regula check` for details",
                if n == 1 { "" } else { "s" }
            );
            None
        }
        Err(diags) => {
            out.diags(&diags, &SourceMap::default());
            None
        }
    }
}

/// Reads and checks the policy set named by the arguments.
pub fn checked(args: &PolicyArgs) -> Result<Checked, Vec<Diag>> {
    let raw = if args.policies.is_empty() {
        load::embedded()
    } else {
        load::from_paths(&args.policies)?
    };
    Ok(crate::check::check(&raw))
}

/// The diagnostic format of this run, for the lines written outside any
/// [`Out`] (the closing summaries, a failed write).
static ERROR_FORMAT: std::sync::OnceLock<ErrorFormat> = std::sync::OnceLock::new();

fn error_format() -> ErrorFormat {
    ERROR_FORMAT.get().copied().unwrap_or_default()
}

/// Whether the raw arguments ask for `--error-format json`, for an error
/// in the arguments themselves (clap's), before they are parsed.
fn json_asked(args: &[std::ffi::OsString]) -> bool {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--error-format=json"
            || (a == "--error-format" && it.next().is_some_and(|v| v == "json"))
        {
            return true;
        }
    }
    false
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) if e.use_stderr() && json_asked(&args) => {
            // Every line of `--error-format json` is JSON, a usage error too.
            let text = e.render().to_string();
            let message = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_string();
            let usage = text
                .lines()
                .find(|l| l.starts_with("Usage: "))
                .map(str::to_string);
            let d = Diag::of(crate::diag::Problem::Usage { message, usage });
            let text = render(&[d], &SourceMap::default(), ErrorFormat::Json, false);
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let _ = ERROR_FORMAT.set(cli.error_format);
    // `regula --policies DIR SUBCOMMAND`: the directories come first.
    if !cli.policies.is_empty() {
        match cli.command.policy_args_mut() {
            Ok(args) => {
                let mut dirs = std::mem::take(&mut cli.policies);
                dirs.append(&mut args.policies);
                args.policies = dirs;
            }
            Err((name, hint)) => {
                let d = Diag::of(crate::diag::Problem::PoliciesNotApplicable {
                    command: name.to_string(),
                    hint: hint.to_string(),
                });
                let text = render(&[d], &SourceMap::default(), cli.error_format, false);
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
                return ExitCode::from(2);
            }
        }
    }
    let color = |tty: bool| match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let out = Out {
        format: cli.error_format,
        color_out: color(std::io::stdout().is_terminal()),
        color_err: color(std::io::stderr().is_terminal()),
    };
    let exit = match cli.command {
        Command::Check(a) => check::run(a, &out),
        Command::Eval(a) => eval::run_eval(a, &out),
        Command::Explain(a) => eval::run_explain(a, &out),
        Command::Fmt(a) => fmt::run(a, &out),
        Command::Test(a) => test::run(a, &out),
        Command::Graph(a) => graph::run(a, &out),
        Command::Timeline(a) => timeline::run(a, &out),
        Command::Diff(a) => diff::run(a, &out),
        Command::Batch(a) => batch::run(a, &out),
        #[cfg(feature = "serve")]
        Command::Serve(a) => serve::run_serve(a, &out),
        Command::Schema(a) => serve::run_schema(a, &out),
        Command::Completions(a) => serve::run_completions(a),
        Command::Verify(a) => verify::run(a, &out),
        #[cfg(feature = "lsp")]
        Command::Lsp => match crate::lsp::serve_stdio() {
            Ok(()) => Exit::Ok,
            Err(e) => {
                errln!("error[regula::io]: the language server stopped: {e}");
                Exit::Finding
            }
        },
    };
    exit.into()
}

/// A closing summary line on standard error (`error: 2 tests failed`),
/// without the panic when standard error is closed; with
/// `--error-format json`, a JSON object like every other line there.
macro_rules! errln {
    ($($arg:tt)*) => {{
        $crate::cli::summary_line(&format!($($arg)*), serde_json::Map::new());
    }};
}
pub(crate) use errln;

/// Writes a summary line to standard error: as is, or with
/// `--error-format json` as `{"severity":…,"summary":…}` and `fields`.
pub(crate) fn summary_line(line: &str, fields: serde_json::Map<String, serde_json::Value>) {
    let text = match error_format() {
        ErrorFormat::Json => {
            let (severity, summary) = match line.strip_prefix("error: ") {
                Some(rest) => (Some("error"), rest),
                None => (None, line),
            };
            let mut m = serde_json::Map::new();
            if let Some(s) = severity {
                m.insert("severity".into(), s.into());
            }
            m.insert("summary".into(), summary.into());
            m.extend(fields);
            serde_json::Value::Object(m).to_string()
        }
        ErrorFormat::Human | ErrorFormat::Plain => line.to_string(),
    };
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Writes to stdout, ignoring a closed pipe.
pub fn print(s: &str) {
    let mut o = std::io::stdout().lock();
    let written = o.write_all(s.as_bytes()).and_then(|()| o.flush());
    match written {
        // A reader that stopped early (`| head`) ends the output quietly.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        // Anything else (a full disk, a closed file) loses the output: an
        // error, never a silent success.
        Err(e) => {
            let d = Diag::of(crate::diag::Problem::OutputLost {
                reason: crate::load::io_reason(&e),
            });
            let text = render(&[d], &SourceMap::default(), error_format(), false);
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            std::process::exit(1);
        }
        Ok(()) => {}
    }
}

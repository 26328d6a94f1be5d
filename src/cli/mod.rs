//! The `regula` command line: one file per subcommand over the library.
mod batch;
mod check;
mod diff;
mod eval;
mod fmt;
mod graph;
mod test;
mod timeline;

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
    /// Run the test cases kept beside the policies, optionally with rule coverage.
    Test(test::TestArgs),
    /// The dependency graph of a policy set: facts, rules and outcomes.
    Graph(graph::GraphArgs),
    /// How a case's outcomes change across the dates where the law changes.
    Timeline(timeline::TimelineArgs),
    /// Evaluate cases under two policy sets and list the outcomes that change.
    Diff(diff::DiffArgs),
    /// Evaluate many cases: JSON lines in, one JSON report per line out, on every core.
    Batch(batch::BatchArgs),
    /// The language server for editors, over standard input and output.
    #[cfg(feature = "lsp")]
    Lsp,
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

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
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

/// `eprintln!` without the panic when standard error is closed.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use errln;

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
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "error[regula::io]: cannot write the output: {e}");
            std::process::exit(1);
        }
        Ok(()) => {}
    }
}

//! `regula batch`: JSON lines in, one report line per case out.
use super::{load_program, output, Exit, Out, PolicyArgs};
use crate::batch::{self, Batch, Summary};
use crate::case;
use crate::diag::{Diag, Problem};
use crate::report::Detail;
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `regula batch`.
#[derive(clap::Args, Debug)]
pub struct BatchArgs {
    /// JSON lines, one case per line; `-` (the default) for standard input.
    #[arg(value_name = "INPUT.jsonl")]
    input: Option<PathBuf>,
    /// Write the reports to this file instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "OUT.jsonl")]
    output: Option<PathBuf>,
    /// Assessment date (YYYY-MM-DD) for every case; overrides each case's `as_of`.
    #[arg(long, value_parser = parse_at)]
    at: Option<NaiveDate>,
    /// How much derivation each report carries.
    #[arg(long, value_enum, default_value_t = Detail::Cites)]
    derivations: Detail,
    /// Worker threads, 1 to 256; default: one per core.
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_jobs)]
    jobs: Option<NonZeroUsize>,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

/// `--jobs`: a count of threads from 1 to [`batch::MAX_JOBS`].
fn parse_jobs(s: &str) -> Result<NonZeroUsize, String> {
    let max = batch::MAX_JOBS;
    let hint = "leave --jobs out for one thread per core";
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{s}` is not a number of threads (1 to {max}); {hint}"
        ));
    }
    match t.parse::<usize>().ok().and_then(NonZeroUsize::new) {
        Some(n) if n.get() <= max => Ok(n),
        _ => Err(format!("`{s}` is outside 1 to {max} threads; {hint}")),
    }
}

fn parse_at(s: &str) -> Result<NaiveDate, String> {
    case::parse_date(s).map_err(|e| e.to_string())
}

fn io_error(out: &Out, what: String, e: &io::Error) -> Exit {
    let why = match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::InvalidData => "not valid UTF-8".to_string(),
        _ => crate::load::io_reason(e),
    };
    let reading = what.starts_with("cannot read");
    let d = Diag::of(Problem::Io {
        what,
        reason: why,
        reading,
    });
    out.diags(&[d], &crate::source::SourceMap::default());
    Exit::Finding
}

/// Runs `regula batch`.
pub fn run(a: BatchArgs, out: &Out) -> Exit {
    let input = a.input.unwrap_or_else(|| PathBuf::from("-"));
    let stdin = input.as_os_str() == "-";
    let name = if stdin {
        "stdin".to_string()
    } else {
        input.to_string_lossy().to_string()
    };
    // Open the input before loading the policies: a wrong path fails fast.
    let input_meta;
    let (reader, size): (Box<dyn io::BufRead + Send>, Option<u64>) = if stdin {
        input_meta = output::stdin_metadata();
        (
            Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
            None,
        )
    } else {
        if input.is_dir() {
            let d = Diag::of(Problem::BatchDirectory { path: name.clone() });
            out.diags(&[d], &crate::source::SourceMap::default());
            return Exit::Finding;
        }
        match File::open(&input) {
            Ok(f) => {
                input_meta = f.metadata().ok();
                let size = input_meta.as_ref().map(|m| m.len());
                (Box::new(BufReader::with_capacity(1 << 16, f)), size)
            }
            Err(e) => return io_error(out, format!("cannot read `{name}`"), &e),
        }
    };
    // An output that is the input (by identity, whatever its name) would
    // destroy the cases before they are read.
    // Standard output appended to the input (`>> cases.jsonl`) would be read
    // back as more cases without end.
    let (shown, output_meta) = match &a.output {
        Some(path) => (
            format!("`{}`", path.to_string_lossy()),
            std::fs::metadata(path).ok(),
        ),
        None => ("standard output".to_string(), output::stdout_metadata()),
    };
    if let (Some(o), Some(i)) = (&output_meta, &input_meta) {
        if o.is_file() && output::same_file(o, i) {
            let d = Diag::of(Problem::OutputIsInput { output: shown });
            out.diags(&[d], &crate::source::SourceMap::default());
            return Exit::Finding;
        }
    }
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    // A file is written beside the target and renamed over it at the end:
    // a failed run leaves no half-written report and the old file intact.
    let mut file_out = match &a.output {
        None => None,
        Some(path) => match output::Replacement::create(path) {
            Ok(r) => Some(r),
            Err(e) => {
                return io_error(
                    out,
                    format!("cannot write `{}`", path.to_string_lossy()),
                    &e,
                )
            }
        },
    };
    let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut writer: &mut dyn Write = match &mut file_out {
        Some(r) => r,
        None => &mut stdout,
    };
    let jobs = a
        .jobs
        .or_else(|| std::thread::available_parallelism().ok())
        .map(NonZeroUsize::get)
        .unwrap_or(1);
    let b = Batch::new(&p, a.derivations, a.at, &name);
    let bar = progress_bar(size);
    let start = Instant::now();
    let mut tick = |s: &Summary| {
        if let Some(bar) = &bar {
            match size {
                Some(_) => bar.set_position(s.bytes),
                None => bar.set_position(s.cases),
            }
        }
    };
    let result = batch::run(&b, reader, &mut writer, jobs, &mut tick);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        // The reader of our output went away: stop quietly.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Exit::Ok,
        Err(e) => return io_error(out, "batch stopped".to_string(), &e),
    };
    if let (Some(r), Some(path)) = (file_out, &a.output) {
        if let Err(e) = r.commit() {
            return io_error(
                out,
                format!("cannot write `{}`", path.to_string_lossy()),
                &e,
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let rate = if secs > 0.0 {
        summary.cases as f64 / secs
    } else {
        0.0
    };
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "batch: {}, {}",
        plural(summary.cases, "case", "cases"),
        plural(summary.errors, "error", "errors")
    );
    if summary.conflicts > 0 {
        line.push_str(&format!(
            ", {}",
            plural(summary.conflicts, "conflict", "conflicts")
        ));
    }
    line.push_str(&format!(
        " in {secs:.3} s ({rate:.0} cases/s, {})",
        plural(jobs as u64, "thread", "threads")
    ));
    let mut fields = serde_json::Map::new();
    fields.insert("cases".into(), summary.cases.into());
    fields.insert("errors".into(), summary.errors.into());
    fields.insert("conflicts".into(), summary.conflicts.into());
    fields.insert("seconds".into(), secs.into());
    fields.insert("threads".into(), jobs.into());
    super::summary_line(&line, fields);
    if summary.errors > 0 || summary.conflicts > 0 {
        Exit::Finding
    } else {
        Exit::Ok
    }
}

/// A progress bar on standard error, only when it is a terminal.
fn progress_bar(size: Option<u64>) -> Option<ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = match size {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {pos} cases {per_sec}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(ProgressDrawTarget::stderr());
    Some(bar)
}

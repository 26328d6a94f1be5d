//! `regula serve`, `regula schema` and `regula completions`.
use super::{print, Exit, Out, PolicyArgs};
use crate::diag::{Diag, Problem};
use crate::source::SourceMap;

/// Arguments of `regula schema`.
#[derive(clap::Args, Debug)]
pub struct SchemaArgs {
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

/// Runs `regula schema`: the JSON Schema of a case.
pub fn run_schema(a: SchemaArgs, out: &Out) -> Exit {
    let Some(p) = super::load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    let s = crate::schema::case_schema(&p);
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(&s).unwrap_or_default()
    ));
    Exit::Ok
}

/// Arguments of `regula completions`.
#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Runs `regula completions`: a completion script on standard output.
pub fn run_completions(a: CompletionsArgs) -> Exit {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut super::Cli::command(), "regula", &mut buf);
    print(&String::from_utf8_lossy(&buf));
    Exit::Ok
}

/// Log formats.
#[cfg(feature = "serve")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    #[default]
    Text,
    /// One JSON object per event.
    Json,
}

/// Arguments of `regula serve`.
#[cfg(feature = "serve")]
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port, logged at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// Reload the policies when a policy file changes (SIGHUP reloads too).
    #[arg(long)]
    watch: bool,
    /// Largest request body of eval and explain, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20)]
    body_limit: usize,
    /// Largest request body of batch, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 30)]
    batch_limit: u64,
    /// Seconds to answer a request before 408 (a batch streams on after its head).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    timeout: f64,
    /// Most requests answered at once; more are refused with 503.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    concurrency: usize,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Log format (standard error; RUST_LOG sets the level, default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

/// Runs `regula serve` until Ctrl-C or SIGTERM.
#[cfg(feature = "serve")]
pub fn run_serve(a: ServeArgs, out: &Out) -> Exit {
    use crate::serve::{self, AppState, Config};
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(out.color_err);
    let _ = match a.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if !(a.timeout.is_finite() && a.timeout > 0.0 && a.timeout <= 86_400.0) {
        let d = Diag::of(Problem::BadTimeout {
            given: a.timeout.to_string(),
        });
        out.diags(&[d], &SourceMap::default());
        return Exit::Finding;
    }
    let config = Config {
        policies: a.policies.policies.clone(),
        watch: a.watch,
        body_limit: a.body_limit,
        batch_limit: a.batch_limit,
        timeout: std::time::Duration::from_secs_f64(a.timeout),
        concurrency: a.concurrency.max(1),
        ..Config::default()
    };
    let app = match AppState::new(config) {
        Ok(app) => app,
        Err(e) => {
            out.diags(&e.diags, &e.sources);
            super::errln!("error: {e}; run `regula check` for details");
            return Exit::Finding;
        }
    };
    match serve::run(a.addr, app, a.threads) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            let d = Diag::of(Problem::CannotServe {
                addr: a.addr.to_string(),
                reason: e.to_string(),
            });
            out.diags(&[d], &SourceMap::default());
            Exit::Finding
        }
    }
}

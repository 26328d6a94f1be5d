//! `regula serve`: the engine over HTTP, for the systems that hold case
//! records, and a web interview at `/` for the caseworkers who decide cases.
//!
//! The routes (documented in `docs/openapi.json`, served at
//! `/openapi.json`):
//!
//! | route | what |
//! | --- | --- |
//! | `POST /v1/eval` | a case (JSON, YAML or TOML by content type) → the report contract; `derivations` and `at` as query parameters |
//! | `POST /v1/explain/{outcome}` | the explanation of one outcome, as `regula explain --format json` |
//! | `POST /v1/batch` | JSON lines in, report lines out, streamed in input order (as `regula batch`) |
//! | `GET /v1/schema` | the JSON Schema of a case |
//! | `GET /v1/policies` | documents, facts, outcomes, rules, and the current diagnostics |
//! | `GET /healthz`, `GET /metrics` | liveness; counters in the Prometheus text format |
//! | `GET /` | the web interview |
//!
//! Every request is answered from one policy set, the one serving when it
//! arrived; a reload (`--watch`, SIGHUP) swaps a new set in whole
//! ([`state::Policies`]). Errors are `{"errors": [...]}`, each the object
//! `--error-format json` prints.
mod api;
mod interview;
pub mod metrics;
pub mod state;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use api::ApiError;

/// Every route: method and path, as the OpenAPI document lists them.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/app.js"),
    ("GET", "/app.css"),
    ("GET", "/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/v1/policies"),
    ("GET", "/v1/schema"),
    ("POST", "/v1/eval"),
    ("POST", "/v1/explain/{outcome}"),
    ("POST", "/v1/batch"),
];

/// The OpenAPI document of the routes.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// How a server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Policy directories or files; empty: the embedded policies.
    pub policies: Vec<PathBuf>,
    /// Reload when a policy file changes.
    pub watch: bool,
    /// How often `watch` looks at the files.
    pub watch_interval: Duration,
    /// Largest request body of `eval` and `explain`, in bytes.
    pub body_limit: usize,
    /// Largest request body of `batch`, in bytes.
    pub batch_limit: u64,
    /// Longest time to answer a request (to the response's head; a batch
    /// response streams on after it).
    pub timeout: Duration,
    /// Most requests answered at once; more are refused with 503.
    pub concurrency: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policies: Vec::new(),
            watch: false,
            watch_interval: Duration::from_secs(1),
            body_limit: usize::try_from(crate::case::MAX_CASE_BYTES).unwrap_or(usize::MAX),
            batch_limit: 1 << 30,
            timeout: Duration::from_secs(30),
            concurrency: 1024,
        }
    }
}

/// What the handlers share.
pub struct AppState {
    /// The policy set serving now, and its reloads.
    pub policies: state::Policies,
    /// The counters.
    pub metrics: metrics::Metrics,
    /// The configuration.
    pub config: Config,
    limiter: Arc<Semaphore>,
}

impl AppState {
    /// Loads the policies; their errors stop the server before it listens.
    pub fn new(config: Config) -> Result<Arc<AppState>, crate::LoadError> {
        let policies = state::Policies::new(config.policies.clone())?;
        Ok(Arc::new(AppState {
            policies,
            metrics: metrics::Metrics::default(),
            limiter: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config,
        }))
    }
}

/// The application: every route, with limits, metrics and logs.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(interview::index))
        .route("/app.js", get(interview::script))
        .route("/app.css", get(interview::style))
        .route("/openapi.json", get(api::openapi))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/v1/policies", get(api::policies))
        .route("/v1/schema", get(api::schema))
        .route("/v1/eval", post(api::eval))
        .route("/v1/explain/{outcome}", post(api::explain))
        .route("/v1/batch", post(api::batch))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), limits))
        .with_state(state)
}

/// A permit of the concurrency limit, held by a request until it is
/// answered (a streamed batch holds it to the stream's end).
#[derive(Clone)]
pub struct Permit(#[allow(dead_code)] Arc<tokio::sync::OwnedSemaphorePermit>);

/// The concurrency limit, the timeout, the counters and the log line of
/// every request.
async fn limits(State(app): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    app.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let response = match Arc::clone(&app.limiter).try_acquire_owned() {
        Err(_) => ApiError::request(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::diag::Refusal::Overloaded(app.config.concurrency),
        )
        .into_response(),
        Ok(permit) => {
            // Held here to the response's head, and by a streamed batch to
            // its end (a handler that takes the body drops the extensions).
            let permit = Arc::new(permit);
            req.extensions_mut().insert(Permit(Arc::clone(&permit)));
            let answered = tokio::time::timeout(app.config.timeout, next.run(req)).await;
            drop(permit);
            match answered {
                Ok(r) => r,
                Err(_) => ApiError::request(
                    StatusCode::REQUEST_TIMEOUT,
                    crate::diag::Refusal::Timeout(app.config.timeout.as_secs_f64().to_string()),
                )
                .into_response(),
            }
        }
    };
    app.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let took = start.elapsed();
    let status = response.status().as_u16();
    app.metrics.record(&route, status, took);
    if status >= 500 {
        tracing::warn!(%method, %path, status, micros = took.as_micros() as u64, "request");
    } else {
        tracing::debug!(%method, %path, status, micros = took.as_micros() as u64, "request");
    }
    response
}

/// Serves on a bound listener until `shutdown` completes; then stops
/// accepting and finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if app.config.watch && !app.policies.paths.is_empty() {
        tokio::spawn(watch(Arc::clone(&app)));
    }
    #[cfg(unix)]
    tokio::spawn(reload_on_hangup(Arc::clone(&app)));
    let addr = listener.local_addr()?;
    let current = app.policies.current();
    tracing::info!(
        %addr,
        policies = %describe(&app.policies.paths),
        documents = %current.engine.documents().collect::<Vec<_>>().join(", "),
        "listening on http://{addr}"
    );
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}

fn describe(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        "embedded".into()
    } else {
        paths
            .iter()
            .map(|p| p.to_string_lossy().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reloads off the async threads, and logs the result.
pub async fn reload(app: Arc<AppState>, why: &'static str) {
    let app2 = Arc::clone(&app);
    let r = tokio::task::spawn_blocking(move || app2.policies.reload()).await;
    match r {
        Ok(state::Reloaded::Swapped(version)) => {
            tracing::info!(version, why, "policies reloaded")
        }
        Ok(state::Reloaded::Refused(errors)) => {
            tracing::warn!(errors, why, "policies not reloaded")
        }
        Ok(state::Reloaded::Embedded) => {
            tracing::info!(why, "embedded policies: nothing to reload")
        }
        Err(e) => tracing::error!(error = %e, "policy reload failed"),
    }
}

/// Reloads when a policy file is added, removed or changed.
async fn watch(app: Arc<AppState>) {
    let fp = |app: &Arc<AppState>| {
        let app = Arc::clone(app);
        tokio::task::spawn_blocking(move || app.policies.fingerprint())
    };
    let mut last = fp(&app).await.unwrap_or_default();
    let mut tick = tokio::time::interval(app.config.watch_interval);
    loop {
        tick.tick().await;
        let now = fp(&app).await.unwrap_or_default();
        if now != last {
            last = now;
            reload(Arc::clone(&app), "a policy file changed").await;
        }
    }
}

#[cfg(unix)]
async fn reload_on_hangup(app: Arc<AppState>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP; reload with --watch");
        return;
    };
    while hup.recv().await.is_some() {
        reload(Arc::clone(&app), "SIGHUP").await;
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// Runs a server on its own runtime until Ctrl-C or SIGTERM: what
/// `regula serve` does.
pub fn run(addr: SocketAddr, app: Arc<AppState>, threads: Option<usize>) -> std::io::Result<()> {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(addr).await?;
        serve(listener, app, shutdown_signal()).await
    })
}

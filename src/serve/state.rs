//! The policy set a server answers from, and its reload: a new set is read
//! and checked off to the side, then swapped in whole, so that a request
//! sees either the old set or the new one, never a part of either. A set
//! with errors is not swapped in: the old one keeps serving, and the
//! errors are kept for `/v1/policies` and logged.
use crate::case::{Case, TextCache};
use crate::diag::json_values;
use crate::eval::Workspace;
use crate::{Engine, LoadError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

/// One loaded, checked policy set and the buffers that evaluate against it.
pub struct Loaded {
    /// The engine.
    pub engine: Engine,
    /// 1 for the set loaded at start, one more at each successful reload.
    pub version: u64,
    /// When it was loaded (RFC 3339, UTC).
    pub loaded_at: String,
    /// Buffers for evaluating a case, reused from request to request.
    pool: Mutex<Vec<Bufs>>,
}

/// The buffers of one evaluation.
pub struct Bufs {
    /// The decoded facts.
    pub case: Case,
    /// The evaluation.
    pub ws: Workspace,
    /// Texts shared between cases.
    pub texts: TextCache,
}

impl Loaded {
    fn new(engine: Engine, version: u64) -> Loaded {
        Loaded {
            engine,
            version,
            loaded_at: now(),
            pool: Mutex::new(Vec::new()),
        }
    }

    /// Buffers for one evaluation: reused ones when there are, new ones
    /// otherwise. Give them back with [`Loaded::put`].
    pub fn take(&self) -> Bufs {
        let reused = self.pool.lock().ok().and_then(|mut v| v.pop());
        reused.unwrap_or_else(|| Bufs {
            case: Case::default(),
            ws: Workspace::new(self.engine.program()),
            texts: TextCache::default(),
        })
    }

    /// Gives buffers back for the next request (at most a few are kept).
    pub fn put(&self, b: Bufs) {
        if let Ok(mut v) = self.pool.lock() {
            if v.len() < 64 {
                v.push(b);
            }
        }
    }
}

/// The last reload that failed: its diagnostics, until a reload succeeds.
#[derive(Clone, Debug)]
pub struct Failure {
    /// When it was tried.
    pub at: String,
    /// Its diagnostics, as `--error-format json` prints them.
    pub diagnostics: Vec<serde_json::Value>,
}

/// Where the policies come from and what is serving now.
pub struct Policies {
    /// Directories or files; empty: the policies embedded in the binary.
    pub paths: Vec<PathBuf>,
    current: RwLock<Arc<Loaded>>,
    failure: RwLock<Option<Failure>>,
    versions: AtomicU64,
    /// Reloads that swapped a new set in.
    pub reloads_ok: AtomicU64,
    /// Reloads refused because the new set has errors (or cannot be read).
    pub reloads_failed: AtomicU64,
    /// One reload at a time.
    reloading: Mutex<()>,
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Reads and checks the policy set.
pub fn load(paths: &[PathBuf]) -> Result<Engine, LoadError> {
    if paths.is_empty() {
        #[cfg(feature = "embedded")]
        return Engine::embedded();
        #[cfg(not(feature = "embedded"))]
        return Err(LoadError {
            diags: vec![crate::diag::Diag::of(
                crate::diag::Problem::NoEmbeddedPolicies,
            )],
            sources: crate::source::SourceMap::default(),
        });
    }
    Engine::load(paths)
}

/// What a reload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reloaded {
    /// The new set is serving, under this version.
    Swapped(u64),
    /// The new set has errors; the old one keeps serving.
    Refused(usize),
    /// The policies are embedded in the binary: nothing to read again.
    Embedded,
}

impl Policies {
    /// The first load: errors here stop the server before it listens.
    pub fn new(paths: Vec<PathBuf>) -> Result<Policies, LoadError> {
        let engine = load(&paths)?;
        Ok(Policies {
            paths,
            current: RwLock::new(Arc::new(Loaded::new(engine, 1))),
            failure: RwLock::new(None),
            versions: AtomicU64::new(1),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            reloading: Mutex::new(()),
        })
    }

    /// The set serving now. A request holds it to the end, whatever
    /// reloads happen meanwhile.
    pub fn current(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The last failed reload, while no later one succeeded.
    pub fn failure(&self) -> Option<Failure> {
        self.failure.read().ok().and_then(|g| g.clone())
    }

    /// Reads and checks the set again (blocking: call it off the async
    /// threads); swaps it in when it has no errors.
    pub fn reload(&self) -> Reloaded {
        if self.paths.is_empty() {
            return Reloaded::Embedded;
        }
        let _one = self.reloading.lock();
        match load(&self.paths) {
            Ok(engine) => {
                let version = self.versions.fetch_add(1, Ordering::SeqCst) + 1;
                let loaded = Arc::new(Loaded::new(engine, version));
                match self.current.write() {
                    Ok(mut g) => *g = loaded,
                    Err(poisoned) => *poisoned.into_inner() = loaded,
                }
                if let Ok(mut f) = self.failure.write() {
                    *f = None;
                }
                self.reloads_ok.fetch_add(1, Ordering::Relaxed);
                Reloaded::Swapped(version)
            }
            Err(e) => {
                let errors = e.diags.iter().filter(|d| d.is_error()).count();
                let failure = Failure {
                    at: now(),
                    diagnostics: json_values(&e.diags, &e.sources),
                };
                tracing::warn!(
                    errors,
                    diagnostics = %e.render(crate::diag::ErrorFormat::Plain).trim_end(),
                    "policy reload refused; the previous set keeps serving"
                );
                if let Ok(mut f) = self.failure.write() {
                    *f = Some(failure);
                }
                self.reloads_failed.fetch_add(1, Ordering::Relaxed);
                Reloaded::Refused(errors)
            }
        }
    }

    /// A fingerprint of the policy files (names, sizes, modification
    /// times), to notice an edit.
    pub fn fingerprint(&self) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
        let mut out = Vec::new();
        let mut stack: Vec<PathBuf> = self.paths.clone();
        while let Some(p) = stack.pop() {
            let Ok(meta) = std::fs::metadata(&p) else {
                out.push((p, u64::MAX, None));
                continue;
            };
            if meta.is_dir() {
                if let Ok(rd) = std::fs::read_dir(&p) {
                    stack.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
                }
                continue;
            }
            out.push((p, meta.len(), meta.modified().ok()));
        }
        out.sort();
        out
    }
}

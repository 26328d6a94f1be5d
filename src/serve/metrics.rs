//! Counters for `/metrics`, in the Prometheus text format: requests by
//! route and status, their latencies as a histogram by route, requests in
//! flight, and policy reloads.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Table {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    table: Mutex<Table>,
    /// Requests being answered now.
    pub in_flight: AtomicI64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record(&self, route: &str, status: u16, took: Duration) {
        let Ok(mut t) = self.table.lock() else {
            return;
        };
        match t.requests.get_mut(&(route.to_string(), status)) {
            Some(n) => *n += 1,
            None => {
                t.requests.insert((route.to_string(), status), 1);
            }
        }
        let secs = took.as_secs_f64();
        let h = match t.latency.get_mut(route) {
            Some(h) => h,
            None => t.latency.entry(route.to_string()).or_default(),
        };
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                if let Some(c) = h.counts.get_mut(i) {
                    *c += 1;
                }
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// The text format. `reloads` is (succeeded, refused); `version` the
    /// policy set's version serving now.
    pub fn render(&self, reloads: (u64, u64), version: u64) -> String {
        let mut s = String::new();
        let t = match self.table.lock() {
            Ok(t) => t,
            Err(p) => p.into_inner(),
        };
        s.push_str(
            "# HELP regula_http_requests_total HTTP requests answered, by route and status.\n",
        );
        s.push_str("# TYPE regula_http_requests_total counter\n");
        for ((route, status), n) in &t.requests {
            let _ = writeln!(
                s,
                "regula_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        s.push_str("# HELP regula_http_errors_total HTTP requests answered with a 4xx or 5xx status, by route.\n");
        s.push_str("# TYPE regula_http_errors_total counter\n");
        let mut errors: BTreeMap<&str, u64> = BTreeMap::new();
        for ((route, status), n) in &t.requests {
            if *status >= 400 {
                *errors.entry(route).or_default() += n;
            }
        }
        for (route, n) in errors {
            let _ = writeln!(
                s,
                "regula_http_errors_total{{route=\"{}\"}} {n}",
                escape(route)
            );
        }
        s.push_str("# HELP regula_http_request_duration_seconds Time from a request's head to its response's head, by route.\n");
        s.push_str("# TYPE regula_http_request_duration_seconds histogram\n");
        for (route, h) in &t.latency {
            let r = escape(route);
            for (le, c) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    s,
                    "regula_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"{le}\"}} {c}"
                );
            }
            let _ = writeln!(
                s,
                "regula_http_request_duration_seconds_bucket{{route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                s,
                "regula_http_request_duration_seconds_sum{{route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                s,
                "regula_http_request_duration_seconds_count{{route=\"{r}\"}} {}",
                h.count
            );
        }
        drop(t);
        s.push_str("# HELP regula_http_requests_in_flight Requests being answered now.\n");
        s.push_str("# TYPE regula_http_requests_in_flight gauge\n");
        let _ = writeln!(
            s,
            "regula_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        s.push_str("# HELP regula_policy_reloads_total Policy reloads, by result: swapped in, or refused for errors.\n");
        s.push_str("# TYPE regula_policy_reloads_total counter\n");
        let _ = writeln!(
            s,
            "regula_policy_reloads_total{{result=\"ok\"}} {}",
            reloads.0
        );
        let _ = writeln!(
            s,
            "regula_policy_reloads_total{{result=\"refused\"}} {}",
            reloads.1
        );
        s.push_str("# HELP regula_policy_version The version of the policy set serving (1 at start, one more per reload).\n");
        s.push_str("# TYPE regula_policy_version gauge\n");
        let _ = writeln!(s, "regula_policy_version {version}");
        s
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

//! A seeded generator of cases over the case vocabulary, shared by the
//! benchmarks and the tests: every fact sometimes absent or null (unknown),
//! every enum value, and dates on and around every boundary the provisions
//! compare (the period in force, deadlines, the licence lapse, the end of the
//! dispatch period). Same seed, same cases, on every machine.
#![allow(dead_code)]
use serde_json::{json, Map, Value};

/// xorshift64*: small, fast, and the same everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// Days since 1970-01-01 to a date string.
fn date(days: i64) -> String {
    // Civil-from-days (Howard Hinnant), valid for the years used here.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 of a date.
fn days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const DISTRICTS: &[&str] = &[
    "浦东新区",
    "黄浦区",
    "徐汇区",
    "嘉定区",
    "Minhang \"闵行\" \\ district",
];

/// Sets a fact: absent (unknown) one time in four, null one in twenty.
fn put(rng: &mut Rng, m: &mut Map<String, Value>, key: &str, v: Value) {
    match rng.below(20) {
        0..=4 => {}
        5 => {
            m.insert(key.into(), Value::Null);
        }
        _ => {
            m.insert(key.into(), v);
        }
    }
}

fn b(rng: &mut Rng) -> Value {
    Value::Bool(rng.below(2) == 0)
}

/// A date near `around`: the day itself, one day either side, or further.
fn near(rng: &mut Rng, around: i64) -> Value {
    let offset = *rng.pick(&[-400, -31, -1, -1, 0, 0, 0, 1, 1, 31, 400]);
    Value::String(date(around + offset))
}

fn order(rng: &mut Rng, as_of: i64) -> Value {
    let mut m = Map::new();
    let deadline = as_of + *rng.pick(&[-30, -1, 0, 1, 30]);
    let v = b(rng);
    put(rng, &mut m, "issued", v);
    put(rng, &mut m, "deadline", Value::String(date(deadline)));
    let v = b(rng);
    put(rng, &mut m, "rectified", v);
    let v = near(rng, deadline);
    put(rng, &mut m, "rectified_on", v);
    Value::Object(m)
}

/// One case as a JSON object.
pub fn case_value(rng: &mut Rng) -> Value {
    // Around the first and last days in force, or well inside.
    let start = days(2024, 1, 1);
    let end = days(2028, 12, 31);
    let as_of = match rng.below(4) {
        0 => start + *rng.pick(&[-1, 0, 1]),
        1 => end + *rng.pick(&[-1, 0, 1]),
        _ => start + rng.below((end - start) as u64) as i64,
    };
    let mut top = Map::new();
    top.insert("as_of".into(), Value::String(date(as_of)));

    let mut agency = Map::new();
    let v = b(rng);
    put(rng, &mut agency, "registered_in_shanghai", v);
    let v = b(rng);
    put(rng, &mut agency, "has_shanghai_branch", v);
    let d = json!(*rng.pick(DISTRICTS));
    put(rng, &mut agency, "registration_district", d);
    let d = json!(*rng.pick(DISTRICTS));
    put(rng, &mut agency, "branch_registration_district", d);
    let s = json!(*rng.pick(&["valid", "expired_not_renewed", "revoked", "cancelled"]));
    put(rng, &mut agency, "licence_status", s);
    let lapse = as_of - rng.below(800) as i64;
    put(
        rng,
        &mut agency,
        "licence_lapsed_on",
        Value::String(date(lapse)),
    );
    put(rng, &mut top, "agency", Value::Object(agency));

    let mut contract = Map::new();
    let v = b(rng);
    put(rng, &mut contract, "lawfully_concluded", v);
    let v = near(rng, lapse);
    put(rng, &mut contract, "concluded_on", v);
    let v = near(rng, as_of);
    put(rng, &mut contract, "dispatch_period_ends", v);
    put(rng, &mut top, "contract", Value::Object(contract));

    let mut host = Map::new();
    let d = json!(*rng.pick(DISTRICTS));
    put(rng, &mut host, "registration_district", d);
    let v = b(rng);
    put(rng, &mut host, "same_pay_method", v);
    let mut aux = Map::new();
    for k in ["discussed", "plan_proposed", "consulted", "publicised"] {
        // Mostly true, so that all four hold together often enough.
        let v = Value::Bool(rng.below(5) != 0);
        put(rng, &mut aux, k, v);
    }
    put(rng, &mut host, "auxiliary", Value::Object(aux));
    let v = b(rng);
    put(rng, &mut host, "paid_social_insurance_in_shanghai", v);
    put(rng, &mut top, "host", Value::Object(host));

    let o = order(rng, as_of);
    put(rng, &mut top, "equal_pay_order", o);
    let o = order(rng, as_of);
    put(rng, &mut top, "auxiliary_order", o);

    let mut injury = Map::new();
    for k in ["occurred", "returned_to_agency", "employment_ended"] {
        let v = b(rng);
        put(rng, &mut injury, k, v);
    }
    put(rng, &mut top, "injury", Value::Object(injury));

    let mut dispute = Map::new();
    let v = b(rng);
    put(rng, &mut dispute, "worker_claims_benefits_from_host", v);
    put(rng, &mut top, "dispute", Value::Object(dispute));

    let mut wage = Map::new();
    let v = b(rng);
    put(rng, &mut wage, "fund_case", v);
    let v = b(rng);
    put(rng, &mut wage, "facts_established", v);
    let n = json!(*rng.pick(&[0, 0, 1, 2, 7]));
    put(rng, &mut wage, "previous_advances", n);
    put(rng, &mut top, "wage_arrears", Value::Object(wage));

    let mut out = Map::new();
    let v = b(rng);
    put(rng, &mut out, "converted_from_dispatch", v);
    let v = b(rng);
    put(rng, &mut out, "management_adjusted", v);
    let f = json!(*rng.pick(&["contracting", "outsourcing", "none"]));
    put(rng, &mut out, "nominal_form", f);
    let v = b(rng);
    put(rng, &mut out, "used_in_dispatch_form", v);
    put(rng, &mut top, "outsourcing", Value::Object(out));

    // `as_of` is never absent: every generated case is valid.
    Value::Object(top)
}

/// `n` cases from a seed, one compact JSON object each.
pub fn cases(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| serde_json::to_string(&case_value(&mut rng)).expect("json"))
        .collect()
}

/// The seed of the benchmark's cases.
pub const SEED: u64 = 20_231_205;

//! The native baseline: the case vocabulary's provisions hand-written in
//! plain Rust, for speed. Facts are decoded with serde derive into typed
//! fields; each outcome is computed by direct code with Kleene logic on
//! `Option<bool>`; the missing facts of an unknown outcome are a bit mask;
//! the report is written as JSON in the same bytes as `regula batch
//! --derivations cites`. Kept in the bench crate only, and checked there to
//! agree with regula on every case.
use serde::Deserialize;
use std::borrow::Cow;
use std::io::Write;

/// Fact names in regula's slot order (declaration order in the policies).
/// Fact indices in the order of their names, as reports list missing facts.
fn by_name() -> &'static [u8; 35] {
    static ORDER: std::sync::OnceLock<[u8; 35]> = std::sync::OnceLock::new();
    ORDER.get_or_init(|| {
        let mut order: [u8; 35] = std::array::from_fn(|i| i as u8);
        order.sort_by_key(|i| FACTS[*i as usize]);
        order
    })
}

pub const FACTS: [&str; 35] = [
    "agency.registered_in_shanghai",
    "agency.has_shanghai_branch",
    "agency.licence_status",
    "agency.licence_lapsed_on",
    "contract.lawfully_concluded",
    "contract.concluded_on",
    "contract.dispatch_period_ends",
    "host.same_pay_method",
    "equal_pay_order.issued",
    "equal_pay_order.deadline",
    "equal_pay_order.rectified",
    "equal_pay_order.rectified_on",
    "host.auxiliary.discussed",
    "host.auxiliary.plan_proposed",
    "host.auxiliary.consulted",
    "host.auxiliary.publicised",
    "auxiliary_order.issued",
    "auxiliary_order.deadline",
    "auxiliary_order.rectified",
    "auxiliary_order.rectified_on",
    "injury.occurred",
    "injury.returned_to_agency",
    "injury.employment_ended",
    "agency.registration_district",
    "agency.branch_registration_district",
    "host.registration_district",
    "host.paid_social_insurance_in_shanghai",
    "dispute.worker_claims_benefits_from_host",
    "wage_arrears.fund_case",
    "wage_arrears.facts_established",
    "wage_arrears.previous_advances",
    "outsourcing.converted_from_dispatch",
    "outsourcing.management_adjusted",
    "outsourcing.nominal_form",
    "outsourcing.used_in_dispatch_form",
];

/// Outcome names in report order.
pub const OUTCOMES: [&str; 25] = [
    "licence.contracts_may_continue",
    "licence.continue_until",
    "equal_pay.violation",
    "equal_pay.order_required",
    "equal_pay.penalty_due",
    "auxiliary.violation",
    "auxiliary.order_required",
    "auxiliary.penalty_due",
    "injury.applicant",
    "injury.application_district",
    "injury.agency_jointly_liable",
    "injury.host_settles_disability_subsidy",
    "injury.medical_subsidy_payer",
    "injury.disability_subsidy_payer",
    "injury.liability_bearer",
    "injury.host_bears_employer_benefits",
    "social_insurance.pay_in_shanghai",
    "social_insurance.filer",
    "social_insurance.filing_kind",
    "social_insurance.payer",
    "social_insurance.host_pays_first",
    "wage_arrears.advance_permitted",
    "outsourcing.must_adjust_management",
    "outsourcing.adjustment_outstanding",
    "outsourcing.treated_as_dispatch",
];

// ---------------------------------------------------------------- input

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CaseIn<'a> {
    #[serde(borrow)]
    as_of: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    agency: Option<AgencyIn<'a>>,
    #[serde(borrow, default)]
    contract: Option<ContractIn<'a>>,
    #[serde(borrow, default)]
    host: Option<HostIn<'a>>,
    #[serde(borrow, default)]
    equal_pay_order: Option<OrderIn<'a>>,
    #[serde(borrow, default)]
    auxiliary_order: Option<OrderIn<'a>>,
    #[serde(default)]
    injury: Option<InjuryIn>,
    #[serde(default)]
    dispute: Option<DisputeIn>,
    #[serde(default)]
    wage_arrears: Option<WageIn>,
    #[serde(borrow, default)]
    outsourcing: Option<OutsourcingIn<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AgencyIn<'a> {
    registered_in_shanghai: Option<bool>,
    has_shanghai_branch: Option<bool>,
    #[serde(borrow)]
    registration_district: Option<Cow<'a, str>>,
    #[serde(borrow)]
    branch_registration_district: Option<Cow<'a, str>>,
    #[serde(borrow)]
    licence_status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    licence_lapsed_on: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ContractIn<'a> {
    lawfully_concluded: Option<bool>,
    #[serde(borrow)]
    concluded_on: Option<Cow<'a, str>>,
    #[serde(borrow)]
    dispatch_period_ends: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AuxIn {
    discussed: Option<bool>,
    plan_proposed: Option<bool>,
    consulted: Option<bool>,
    publicised: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct HostIn<'a> {
    #[serde(borrow)]
    registration_district: Option<Cow<'a, str>>,
    same_pay_method: Option<bool>,
    #[serde(default)]
    auxiliary: Option<AuxIn>,
    paid_social_insurance_in_shanghai: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OrderIn<'a> {
    issued: Option<bool>,
    #[serde(borrow)]
    deadline: Option<Cow<'a, str>>,
    rectified: Option<bool>,
    #[serde(borrow)]
    rectified_on: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct InjuryIn {
    occurred: Option<bool>,
    returned_to_agency: Option<bool>,
    employment_ended: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DisputeIn {
    worker_claims_benefits_from_host: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WageIn {
    fund_case: Option<bool>,
    facts_established: Option<bool>,
    previous_advances: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OutsourcingIn<'a> {
    converted_from_dispatch: Option<bool>,
    management_adjusted: Option<bool>,
    #[serde(borrow)]
    nominal_form: Option<Cow<'a, str>>,
    used_in_dispatch_form: Option<bool>,
}

/// A date as `yyyymmdd`, which orders like the date.
pub type Date = u32;

fn parse_date(s: &str) -> Result<Date, String> {
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok {
        return Err(format!("bad date {s}"));
    }
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0'));
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("bad month {s}")),
    };
    if d == 0 || d > days {
        return Err(format!("bad day {s}"));
    }
    Ok(y * 10_000 + m * 100 + d)
}

fn date(s: &Option<Cow<str>>) -> Result<Option<Date>, String> {
    s.as_deref().map(parse_date).transpose()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Licence {
    Valid,
    ExpiredNotRenewed,
    Revoked,
    Cancelled,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    Contracting,
    Outsourcing,
    None,
}

/// A rectification order's facts.
#[derive(Clone, Copy, Default, Debug)]
pub struct Order {
    pub issued: Option<bool>,
    pub deadline: Option<Date>,
    pub rectified: Option<bool>,
    pub rectified_on: Option<Date>,
}

/// The facts of one case, decoded.
#[derive(Clone, Default, Debug)]
pub struct Facts<'a> {
    pub as_of: Date,
    pub registered: Option<bool>,
    pub branch: Option<bool>,
    pub licence: Option<Licence>,
    pub lapsed_on: Option<Date>,
    pub lawful: Option<bool>,
    pub concluded_on: Option<Date>,
    pub period_ends: Option<Date>,
    pub same_pay: Option<bool>,
    pub equal_pay_order: Order,
    pub aux: [Option<bool>; 4],
    pub auxiliary_order: Order,
    pub occurred: Option<bool>,
    pub returned: Option<bool>,
    pub ended: Option<bool>,
    pub agency_district: Option<Cow<'a, str>>,
    pub branch_district: Option<Cow<'a, str>>,
    pub host_district: Option<Cow<'a, str>>,
    pub paid_si: Option<bool>,
    pub claims: Option<bool>,
    pub fund_case: Option<bool>,
    pub established: Option<bool>,
    pub previous_advances: Option<u64>,
    pub converted: Option<bool>,
    pub adjusted: Option<bool>,
    pub form: Option<Form>,
    pub used: Option<bool>,
}

fn order(o: Option<OrderIn>) -> Result<Order, String> {
    let o = o.unwrap_or_default();
    Ok(Order {
        issued: o.issued,
        deadline: date(&o.deadline)?,
        rectified: o.rectified,
        rectified_on: date(&o.rectified_on)?,
    })
}

/// Decodes one JSON case.
pub fn decode(text: &str) -> Result<Facts<'_>, String> {
    let c: CaseIn = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let as_of = date(&c.as_of)?.ok_or("no as_of")?;
    let a = c.agency.unwrap_or_default();
    let k = c.contract.unwrap_or_default();
    let h = c.host.unwrap_or_default();
    let x = h.auxiliary.unwrap_or_default();
    let i = c.injury.unwrap_or_default();
    let w = c.wage_arrears.unwrap_or_default();
    let o = c.outsourcing.unwrap_or_default();
    let licence = match a.licence_status.as_deref() {
        None => None,
        Some("valid") => Some(Licence::Valid),
        Some("expired_not_renewed") => Some(Licence::ExpiredNotRenewed),
        Some("revoked") => Some(Licence::Revoked),
        Some("cancelled") => Some(Licence::Cancelled),
        Some(s) => return Err(format!("bad licence status {s}")),
    };
    let form = match o.nominal_form.as_deref() {
        None => None,
        Some("contracting") => Some(Form::Contracting),
        Some("outsourcing") => Some(Form::Outsourcing),
        Some("none") => Some(Form::None),
        Some(s) => return Err(format!("bad nominal form {s}")),
    };
    Ok(Facts {
        as_of,
        registered: a.registered_in_shanghai,
        branch: a.has_shanghai_branch,
        licence,
        lapsed_on: date(&a.licence_lapsed_on)?,
        lawful: k.lawfully_concluded,
        concluded_on: date(&k.concluded_on)?,
        period_ends: date(&k.dispatch_period_ends)?,
        same_pay: h.same_pay_method,
        equal_pay_order: order(c.equal_pay_order)?,
        aux: [x.discussed, x.plan_proposed, x.consulted, x.publicised],
        auxiliary_order: order(c.auxiliary_order)?,
        occurred: i.occurred,
        returned: i.returned_to_agency,
        ended: i.employment_ended,
        agency_district: a.registration_district,
        branch_district: a.branch_registration_district,
        host_district: h.registration_district,
        paid_si: h.paid_social_insurance_in_shanghai,
        claims: c
            .dispute
            .unwrap_or_default()
            .worker_claims_benefits_from_host,
        fund_case: w.fund_case,
        established: w.facts_established,
        previous_advances: w.previous_advances,
        converted: o.converted_from_dispatch,
        adjusted: o.management_adjusted,
        form,
        used: o.used_in_dispatch_form,
    })
}

// ---------------------------------------------------------------- logic

/// A Kleene truth value with the facts that could decide it when unknown.
#[derive(Clone, Copy, Debug)]
struct K {
    v: Option<bool>,
    m: u64,
}

fn fact(v: Option<bool>, slot: u32) -> K {
    K {
        v,
        m: if v.is_none() { 1 << slot } else { 0 },
    }
}

fn not(k: K) -> K {
    K {
        v: k.v.map(|b| !b),
        m: k.m,
    }
}

fn and(a: K, b: K) -> K {
    match (a.v, b.v) {
        (Some(false), _) | (_, Some(false)) => K {
            v: Some(false),
            m: 0,
        },
        (Some(true), Some(true)) => K {
            v: Some(true),
            m: 0,
        },
        _ => K {
            v: None,
            m: a.m | b.m,
        },
    }
}

/// `x < y` (or `<=`) over two dates that may be unknown.
fn before(x: Option<Date>, xs: u32, y: Option<Date>, ys: u32, or_equal: bool) -> K {
    match (x, y) {
        (Some(x), Some(y)) => K {
            v: Some(if or_equal { x <= y } else { x < y }),
            m: 0,
        },
        _ => K {
            v: None,
            m: if x.is_none() { 1 << xs } else { 0 } | if y.is_none() { 1 << ys } else { 0 },
        },
    }
}

/// A value an outcome can take.
#[derive(Clone, Debug, PartialEq)]
pub enum V<'a> {
    /// Not applicable.
    Na,
    /// Unknown.
    Unknown,
    Bool(bool),
    Date(Date),
    Text(&'a str),
    Sym(&'static str),
}

/// An outcome: value, missing facts when unknown, and cites when known.
#[derive(Clone, Debug)]
pub struct Out<'a> {
    pub v: V<'a>,
    pub missing: u64,
    pub cites: &'static [&'static str],
}

const NA: Out<'static> = Out {
    v: V::Na,
    missing: 0,
    cites: &[],
};

fn unknown(missing: u64) -> Out<'static> {
    Out {
        v: V::Unknown,
        missing,
        cites: &[],
    }
}

/// One rule: `when cond then value`, the plain case of most provisions.
fn rule<'a>(cond: K, value: V<'a>, value_missing: u64, cites: &'static [&'static str]) -> Out<'a> {
    match cond.v {
        Some(false) => NA,
        Some(true) if value == V::Unknown => unknown(value_missing),
        Some(true) => Out {
            v: value,
            missing: 0,
            cites,
        },
        None => unknown(
            cond.m
                | if value == V::Unknown {
                    value_missing
                } else {
                    0
                },
        ),
    }
}

fn always<'a>(value: K, cites: &'static [&'static str]) -> Out<'a> {
    match value.v {
        Some(b) => Out {
            v: V::Bool(b),
            missing: 0,
            cites,
        },
        None => unknown(value.m),
    }
}

fn k_of(o: &Out, m: u64) -> K {
    match o.v {
        V::Bool(b) => K { v: Some(b), m: 0 },
        V::Unknown => K { v: None, m },
        _ => K {
            v: Some(false),
            m: 0,
        },
    }
}

/// A general rule and its exception (4.1/4.2, 5.2): the exception, when it
/// applies, defeats the general rule; when it may apply, the general rule
/// is undetermined.
fn with_exception<'a>(
    general: K,
    general_value: V<'a>,
    general_value_missing: u64,
    exception: K,
    exception_value: V<'a>,
    cites_general: &'static [&'static str],
    cites_exception: &'static [&'static str],
) -> Out<'a> {
    match (general.v, exception.v) {
        (_, Some(true)) => Out {
            v: exception_value,
            missing: 0,
            cites: cites_exception,
        },
        (Some(false), Some(false)) => NA,
        (Some(true), Some(false)) if general_value != V::Unknown => Out {
            v: general_value,
            missing: 0,
            cites: cites_general,
        },
        (Some(false), None) => unknown(exception.m),
        _ => {
            let mut m = exception.m;
            if general.v != Some(false) {
                m |= general.m;
                if general_value == V::Unknown {
                    m |= general_value_missing;
                }
            }
            unknown(m)
        }
    }
}

fn penalty_due(o: &Order, as_of: Date, first: u32) -> Out<'static> {
    let issued = fact(o.issued, first);
    let late = before(o.deadline, first + 1, Some(as_of), 0, false);
    let late = K {
        v: late.v,
        m: late.m & !1,
    };
    let in_time = and(
        fact(o.rectified, first + 2),
        before(o.rectified_on, first + 3, o.deadline, first + 1, true),
    );
    always(and(and(issued, late), not(in_time)), &["2.2"])
}

/// Every outcome of a case; `None` when the document is not in force.
pub fn evaluate<'a>(f: &'a Facts<'a>, out: &mut [Out<'a>; 25]) -> bool {
    if !(20_240_101..=20_281_231).contains(&f.as_of) {
        for o in out.iter_mut() {
            *o = NA;
        }
        return false;
    }
    // 1.1
    let lapsed = match f.licence {
        None => K { v: None, m: 1 << 2 },
        Some(Licence::Valid) => K {
            v: Some(false),
            m: 0,
        },
        Some(_) => K {
            v: Some(true),
            m: 0,
        },
    };
    let cont = and(
        and(
            fact(f.lawful, 4),
            before(f.concluded_on, 5, f.lapsed_on, 3, false),
        ),
        before(Some(f.as_of), 0, f.period_ends, 6, true),
    );
    let cont = K {
        v: cont.v,
        m: cont.m & !1,
    };
    let o1 = rule(lapsed, cont.v.map_or(V::Unknown, V::Bool), cont.m, &["1.1"]);
    let o2 = match o1.v {
        V::Bool(true) => match f.period_ends {
            Some(d) => Out {
                v: V::Date(d),
                missing: 0,
                cites: &["1.1"],
            },
            None => unknown(1 << 6),
        },
        V::Unknown => unknown(o1.missing | if f.period_ends.is_none() { 1 << 6 } else { 0 }),
        _ => NA,
    };
    // 2.1, 2.2
    let o3 = always(not(fact(f.same_pay, 7)), &["2.1"]);
    let ordered = and(
        k_of(&o3, o3.missing),
        not(fact(f.equal_pay_order.issued, 8)),
    );
    let o4 = always(
        ordered,
        if o3.v == V::Unknown {
            &["2.2"]
        } else {
            &["2.2", "2.1"]
        },
    );
    let o5 = penalty_due(&f.equal_pay_order, f.as_of, 8);
    // 3.1, 3.2
    let steps = and(
        and(fact(f.aux[0], 12), fact(f.aux[1], 13)),
        and(fact(f.aux[2], 14), fact(f.aux[3], 15)),
    );
    let o6 = always(not(steps), &["3.1"]);
    let ordered = and(
        k_of(&o6, o6.missing),
        not(fact(f.auxiliary_order.issued, 16)),
    );
    let o7 = always(
        ordered,
        if o6.v == V::Unknown {
            &["3.2"]
        } else {
            &["3.2", "3.1"]
        },
    );
    let mut o8 = penalty_due(&f.auxiliary_order, f.as_of, 16);
    if o8.v != V::Unknown {
        o8.cites = &["3.2"];
    }
    // 4.1, 4.2
    let occurred = fact(f.occurred, 20);
    let out_of_town = not(fact(f.registered, 0));
    let no_branch = not(fact(f.branch, 1));
    let (applicant, applicant_missing) = match f.registered {
        Some(true) => (V::Sym("agency"), 0),
        Some(false) => (V::Sym("agency_branch"), 0),
        None => (V::Unknown, 1),
    };
    let o9 = with_exception(
        occurred,
        applicant.clone(),
        applicant_missing,
        and(and(occurred, out_of_town), no_branch),
        V::Sym("host"),
        &["4.1"],
        &["4.2"],
    );
    let district = |d: &'a Option<Cow<'a, str>>, slot: u32, cites| match d {
        Some(s) => Out {
            v: V::Text(s.as_ref()),
            missing: 0,
            cites,
        },
        None => unknown(1 << slot),
    };
    let o10 = match o9.v {
        V::Sym("agency") => district(&f.agency_district, 23, &["4.1"]),
        V::Sym("agency_branch") => district(&f.branch_district, 24, &["4.1"]),
        V::Sym(_) => district(&f.host_district, 25, &["4.2"]),
        V::Unknown => {
            let m = [
                (&f.agency_district, 23),
                (&f.branch_district, 24),
                (&f.host_district, 25),
            ]
            .iter()
            .filter(|(d, _)| d.is_none())
            .fold(o9.missing, |m, (_, s)| m | 1 << s);
            unknown(m)
        }
        _ => NA,
    };
    // 4.3, 4.4
    let o11 = rule(occurred, V::Bool(true), 0, &["4.4"]);
    let o12 = rule(
        occurred,
        f.returned.map_or(V::Unknown, V::Bool),
        1 << 21,
        &["4.3"],
    );
    let ended = and(and(occurred, fact(f.returned, 21)), fact(f.ended, 22));
    let o13 = rule(ended, V::Sym("injury_fund"), 0, &["4.3"]);
    let o14 = rule(ended, V::Sym("agency"), 0, &["4.3"]);
    // 4.1, 4.2: who bears the work-injury insurance liability (the same
    // parties as the applicant), and the host's share of the employer's.
    let o14a = with_exception(
        occurred,
        applicant,
        applicant_missing,
        and(and(occurred, out_of_town), no_branch),
        V::Sym("host"),
        &["4.1"],
        &["4.2"],
    );
    let o14b = rule(occurred, V::Bool(true), 0, &["4.1"]);
    // 5.1 - 5.3
    let o15 = rule(out_of_town, V::Bool(true), 0, &["5.1"]);
    let host_case = and(out_of_town, no_branch);
    let o16 = with_exception(
        out_of_town,
        V::Sym("agency_branch"),
        0,
        host_case,
        V::Sym("host"),
        &["5.2"],
        &["5.2"],
    );
    let o17 = with_exception(
        out_of_town,
        V::Sym("recruitment_filing"),
        0,
        host_case,
        V::Sym("employment_filing"),
        &["5.2"],
        &["5.2"],
    );
    let o18 = with_exception(
        out_of_town,
        V::Sym("agency_branch"),
        0,
        host_case,
        V::Sym("host"),
        &["5.2"],
        &["5.2"],
    );
    let first = and(and(no_branch, not(fact(f.paid_si, 26))), fact(f.claims, 27));
    let o19 = rule(
        out_of_town,
        first.v.map_or(V::Unknown, V::Bool),
        first.m,
        &["5.3"],
    );
    // 6.1: the advance, and its limit of one advance per matter as an exception.
    let fund = and(fact(f.fund_case, 28), fact(f.established, 29));
    let o20 = match f.previous_advances {
        Some(n) if n >= 1 => Out {
            v: V::Bool(false),
            missing: 0,
            cites: &["6.1"],
        },
        Some(_) => always(fund, &["6.1"]),
        // No advance is permitted outside the fund's cases, whatever the count.
        None if fund.v == Some(false) => Out {
            v: V::Bool(false),
            missing: 0,
            cites: &["6.1"],
        },
        None => unknown(1 << 30 | if fund.v.is_none() { fund.m } else { 0 }),
    };
    // 7.1, 7.2
    let converted = fact(f.converted, 31);
    let o21 = always(converted, &["7.1"]);
    let o22 = always(and(converted, not(fact(f.adjusted, 32))), &["7.1"]);
    let nominal = match f.form {
        None => K {
            v: None,
            m: 1 << 33,
        },
        Some(Form::None) => K {
            v: Some(false),
            m: 0,
        },
        Some(_) => K {
            v: Some(true),
            m: 0,
        },
    };
    let o23 = always(and(nominal, fact(f.used, 34)), &["7.2"]);
    *out = [
        o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12, o13, o14, o14a, o14b, o15, o16, o17,
        o18, o19, o20, o21, o22, o23,
    ];
    true
}

// ---------------------------------------------------------------- output

const DOC: &str = "\"沪人社规〔2023〕32号\"";

fn write_date(out: &mut Vec<u8>, d: Date) {
    let _ = write!(
        out,
        "\"{:04}-{:02}-{:02}\"",
        d / 10_000,
        d / 100 % 100,
        d % 100
    );
}

/// The report line, byte for byte as `regula batch --derivations cites`.
pub fn write_report(out: &mut Vec<u8>, line: u64, f: &Facts, outcomes: &[Out; 25], in_force: bool) {
    let _ = write!(out, "{{\"line\":{line},\"document\":{DOC},\"as_of\":");
    write_date(out, f.as_of);
    out.extend_from_slice(b",\"policies\":\"embedded\",\"outcomes\":{\"in_force\":{\"value\":");
    out.extend_from_slice(if in_force { b"true" } else { b"false" });
    if !in_force {
        out.extend_from_slice(b",\"reason\":\"the assessment date ");
        let d = f.as_of;
        let _ = write!(
            out,
            "{:04}-{:02}-{:02} ",
            d / 10_000,
            d / 100 % 100,
            d % 100
        );
        out.extend_from_slice(
            "is outside the period 2024-01-01 to 2028-12-31 in which 沪人社规〔2023〕32号 is in force; the outcomes of its rules are n/a\"".as_bytes(),
        );
    }
    out.extend_from_slice(b",\"cites\":[\"8.1\"]}");
    for (name, o) in OUTCOMES.iter().zip(outcomes) {
        let _ = write!(out, ",\"{name}\":{{\"value\":");
        match &o.v {
            V::Na | V::Unknown => out.extend_from_slice(b"null"),
            V::Bool(true) => out.extend_from_slice(b"true"),
            V::Bool(false) => out.extend_from_slice(b"false"),
            V::Date(d) => write_date(out, *d),
            V::Text(s) => {
                let _ = serde_json::to_writer(&mut *out, s);
            }
            V::Sym(s) => {
                let _ = write!(out, "\"{s}\"");
            }
        }
        match o.v {
            V::Na => {}
            V::Unknown => {
                out.extend_from_slice(b",\"missing\":[");
                // Reports list missing facts by name: walk the facts in name order.
                let mut first = true;
                for &i in by_name() {
                    if o.missing & (1u64 << i) == 0 {
                        continue;
                    }
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    let _ = write!(out, "\"{}\"", FACTS[i as usize]);
                }
                out.push(b']');
            }
            _ => {
                out.extend_from_slice(b",\"cites\":[");
                for (i, c) in o.cites.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    let _ = write!(out, "\"{c}\"");
                }
                let _ = write!(out, "],\"document\":{DOC}");
            }
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"}}\n");
}

/// The whole native pipeline for one line: parse, evaluate, write.
pub fn line(out: &mut Vec<u8>, line: u64, text: &str) -> Result<(), String> {
    let f = decode(text)?;
    let mut outcomes: [Out; 25] = std::array::from_fn(|_| NA);
    let in_force = evaluate(&f, &mut outcomes);
    write_report(out, line, &f, &outcomes, in_force);
    Ok(())
}

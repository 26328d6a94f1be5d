#!/usr/bin/env python3
"""Writes boundary cases for the national rules with expected outcomes computed
from case-vocabulary-national.md's definitions (an oracle independent of
regula), into the directory given."""
import datetime as dt, json, os, sys

U, NA = "U", "NA"   # unknown, not applicable

def get(case, path):
    cur = case
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] is None:
            return U
        cur = cur[part]
    return cur

def date(x):
    return x if x is U else dt.date.fromisoformat(x)

def and3(*xs):
    if any(x is False for x in xs): return False
    if any(x is U for x in xs): return U
    return True

def or3(*xs):
    if any(x is True for x in xs): return True
    if any(x is U for x in xs): return U
    return False

def not3(x): return U if x is U else (not x)
def cmp(f, a, b): return U if a is U or b is U else f(a, b)
def eq(a, b): return cmp(lambda x, y: x == y, a, b)
def le(a, b): return cmp(lambda x, y: x <= y, a, b)
def lt(a, b): return cmp(lambda x, y: x < y, a, b)
def isin(a, s): return U if a is U else (a in s)

def national(c):
    f = lambda p: get(c, p)
    as_of = date(f("as_of"))
    out = {}
    inf = as_of >= dt.date(2014, 3, 1)
    out["national.in_force"] = (inf, None)
    names = ["position_permitted", "auxiliary_procedure_breach", "correction_and_warning",
             "max_dispatched_headcount", "dispatch_share_within_limit", "contract_term_lawful",
             "probation_lawful", "injury_applicant", "injury_liability_bearer",
             "host_bears_employer_benefits", "contract_must_continue", "continue_until",
             "return_permitted", "resignation_on_notice_lawful", "social_insurance_payer"]
    if not inf:
        for n in names: out["national." + n] = (NA, None)
        return out
    kind, dur = f("position.kind"), f("position.duration_months")
    pp = or3(and3(eq(kind, "temporary"), le(dur, 6)), isin(kind, {"auxiliary", "substitute"}))
    pp_cite = "3.1" if (kind in ("auxiliary",) or (kind == "temporary" and pp is False)) else None
    out["national.position_permitted"] = (pp, pp_cite)
    aux = [f("host.auxiliary." + k) for k in ("discussed", "plan_proposed", "consulted", "publicised")]
    if kind is U: br = U
    elif kind == "auxiliary": br = not3(and3(*aux))
    else: br = NA
    out["national.auxiliary_procedure_breach"] = (br, "3.3" if br is True else None)
    out["national.correction_and_warning"] = (br, "22.1" if br is True else None)
    if as_of < dt.date(2016, 3, 1):
        mx = share = NA
    else:
        ch = f("host.contract_headcount")
        mx = U if ch is U else ch // 9
        share = le(f("host.dispatched_headcount"), mx)
    out["national.max_dispatched_headcount"] = (mx, "4.1" if mx not in (U, NA) else None)
    out["national.dispatch_share_within_limit"] = (share, "4.1" if share not in (U, NA) else None)
    ck = f("contract.kind")
    term = and3(f("contract.written"), or3(eq(ck, "open_ended"),
                and3(eq(ck, "fixed_term"), cmp(lambda x, y: x >= y, f("contract.term_months"), 24))))
    out["national.contract_term_lawful"] = (term, "5.1" if term is True else None)
    prob = le(f("contract.probations_agreed"), 1)
    out["national.probation_lawful"] = (prob, "6.1" if prob is not U else None)
    occ = f("injury.occurred")
    for n, v in (("injury_applicant", "agency"), ("injury_liability_bearer", "agency"),
                 ("host_bears_employer_benefits", False)):
        val = U if occ is U else (v if occ else NA)
        out["national." + n] = (val, "10.1" if val not in (U, NA) else None)
    st = f("agency.licence_status")
    if st is U: cmc = U
    elif st == "valid": cmc = NA
    else:
        cmc = and3(f("contract.lawfully_concluded"),
                   lt(date(f("contract.concluded_on")), date(f("agency.licence_lapsed_on"))),
                   not3(f("contract.dissolved_by_agreement")),
                   le(as_of, date(f("contract.labour_contract_ends"))))
    out["national.contract_must_continue"] = (cmc, "11.1" if cmc is True else None)
    cu = f("contract.labour_contract_ends") if cmc is True else (U if cmc is U else NA)
    out["national.continue_until"] = (cu, "11.1" if cmc is True else None)
    g = f("return.ground")
    if g is U: rp = U
    elif g == "other_law": rp = NA
    else:
        rp = and3(g != "none", not3(and3(f("worker.protected_situation"),
                                         g in ("host_dismissal_grounds", "agreement_expired"))))
    out["national.return_permitted"] = (rp, None)
    nd = f("resignation.notice_days")
    res = and3(cmp(lambda x, y: x >= y, nd, 3),
               or3(f("resignation.in_probation"),
                   and3(f("resignation.written"), cmp(lambda x, y: x >= y, nd, 30))))
    out["national.resignation_on_notice_lawful"] = (res, "14.1" if res is True else None)
    reg, br_ = f("agency.registered_in_shanghai"), f("agency.has_shanghai_branch")
    if reg is U: sip = U
    elif reg: sip = NA
    else: sip = U if br_ is U else ("agency_branch" if br_ else "host")
    out["national.social_insurance_payer"] = (sip, None)
    return out

def shanghai(c):
    f = lambda p: get(c, p)
    as_of = date(f("as_of"))
    out = {}
    inf = dt.date(2024, 1, 1) <= as_of <= dt.date(2028, 12, 31)
    names = ["injury.applicant", "injury.liability_bearer", "injury.host_bears_employer_benefits",
             "licence.continue_until", "social_insurance.payer", "auxiliary.violation"]
    if not inf:
        return {n: (NA, None) for n in names}
    occ, reg, br_ = f("injury.occurred"), f("agency.registered_in_shanghai"), f("agency.has_shanghai_branch")
    if occ is U: app = U
    elif not occ: app = NA
    elif reg is U: app = U
    elif reg: app = "agency"
    elif br_ is U: app = U
    else: app = "agency_branch" if br_ else "host"
    out["injury.applicant"] = (app, None)
    out["injury.liability_bearer"] = (app, ("4.2" if app == "host" else "4.1") if app not in (U, NA) else None)
    hb = U if occ is U else (True if occ else NA)
    out["injury.host_bears_employer_benefits"] = (hb, "4.1" if hb is True else None)
    st = f("agency.licence_status")
    if st is U: cmc = U
    elif st == "valid": cmc = NA
    else:
        cmc = and3(f("contract.lawfully_concluded"),
                   lt(date(f("contract.concluded_on")), date(f("agency.licence_lapsed_on"))),
                   le(as_of, date(f("contract.dispatch_period_ends"))))
    out["licence.continue_until"] = (f("contract.dispatch_period_ends") if cmc is True else (U if cmc is U else NA), None)
    if reg is U: sip = U
    elif reg: sip = NA
    else: sip = U if br_ is U else ("agency_branch" if br_ else "host")
    out["social_insurance.payer"] = (sip, None)
    aux = [f("host.auxiliary." + k) for k in ("discussed", "plan_proposed", "consulted", "publicised")]
    out["auxiliary.violation"] = (not3(and3(*aux)), None)
    return out

PAIRS = [("injury.applicant", "national.injury_applicant"),
         ("injury.liability_bearer", "national.injury_liability_bearer"),
         ("injury.host_bears_employer_benefits", "national.host_bears_employer_benefits"),
         ("licence.continue_until", "national.continue_until"),
         ("social_insurance.payer", "national.social_insurance_payer"),
         ("auxiliary.violation", "national.auxiliary_procedure_breach")]

def expected(c):
    o = {**shanghai(c), **national(c)}
    exp = {}
    for k, (v, cite) in o.items():
        if v is U: e = {"value": None, "missing": True}
        elif v is NA: e = {"value": None}
        else: e = {"value": v}
        if cite: e["cites"] = cite
        exp[k] = e
    deps = []
    for a, b in PAIRS:
        va, vb = o[a][0], o[b][0]
        if va in (U, NA) or vb in (U, NA): continue
        if (("agency" if va == "agency_branch" else va) if a.startswith("injury.") else va) != vb:
            deps.append([a, b])
    exp["departures"] = deps
    return exp

D = "2025-03-01"
CASES = {
 "ratio-exactly-one-ninth": {"as_of": D, "host": {"contract_headcount": 99, "dispatched_headcount": 11}},
 "ratio-one-over-one-ninth": {"as_of": D, "host": {"contract_headcount": 99, "dispatched_headcount": 12}},
 "ratio-floor-of-ninth": {"as_of": D, "host": {"contract_headcount": 98, "dispatched_headcount": 10}},
 "ratio-floor-one-over": {"as_of": D, "host": {"contract_headcount": 98, "dispatched_headcount": 11}},
 "ratio-no-contract-workers": {"as_of": D, "host": {"contract_headcount": 0, "dispatched_headcount": 1}},
 "ratio-dispatched-unknown": {"as_of": D, "host": {"contract_headcount": 900}},
 "cap-day-before-transition-ends": {"as_of": "2016-02-29", "host": {"contract_headcount": 90, "dispatched_headcount": 50}},
 "cap-binds-from-2016-03-01": {"as_of": "2016-03-01", "host": {"contract_headcount": 90, "dispatched_headcount": 50}},
 "temporary-six-months": {"as_of": D, "position": {"kind": "temporary", "duration_months": 6}},
 "temporary-duration-unknown": {"as_of": D, "position": {"kind": "temporary"}},
 "substitute-position": {"as_of": D, "position": {"kind": "substitute"}},
 "main-business-position": {"as_of": D, "position": {"kind": "main", "duration_months": 3},
    "host": {"auxiliary": {"discussed": False}}},
 "auxiliary-procedure-complete": {"as_of": D, "position": {"kind": "auxiliary"},
    "host": {"auxiliary": {"discussed": True, "plan_proposed": True, "consulted": True, "publicised": True}}},
 "auxiliary-kind-unknown": {"as_of": D, "host": {"auxiliary": {"discussed": False}}},
 "fixed-term-23-months": {"as_of": D, "contract": {"written": True, "kind": "fixed_term", "term_months": 23}},
 "fixed-term-24-months": {"as_of": D, "contract": {"written": True, "kind": "fixed_term", "term_months": 24}},
 "open-ended-contract": {"as_of": D, "contract": {"written": True, "kind": "open_ended"}},
 "task-contract": {"as_of": D, "contract": {"written": True, "kind": "task", "probations_agreed": 1}},
 "oral-open-ended-contract": {"as_of": D, "contract": {"written": False, "kind": "open_ended", "probations_agreed": 0}},
 "notice-in-probation-two-days": {"as_of": D, "resignation": {"in_probation": True, "notice_days": 2}},
 "notice-written-29-days": {"as_of": D, "resignation": {"in_probation": False, "written": True, "notice_days": 29}},
 "notice-written-30-days": {"as_of": D, "resignation": {"in_probation": False, "written": True, "notice_days": 30}},
 "notice-oral-30-days": {"as_of": D, "resignation": {"in_probation": False, "written": False, "notice_days": 30}},
 "notice-probation-unknown": {"as_of": D, "resignation": {"written": True, "notice_days": 10}},
 "licence-lapse-same-end-dates": {"as_of": "2025-06-01",
    "agency": {"licence_status": "expired_not_renewed", "licence_lapsed_on": "2025-01-15"},
    "contract": {"lawfully_concluded": True, "concluded_on": "2024-05-01", "dispatch_period_ends": "2026-03-31",
                 "labour_contract_ends": "2026-03-31", "dissolved_by_agreement": False}},
 "licence-lapse-dissolved-by-agreement": {"as_of": "2025-06-01",
    "agency": {"licence_status": "cancelled", "licence_lapsed_on": "2025-01-15"},
    "contract": {"lawfully_concluded": True, "concluded_on": "2024-05-01", "dispatch_period_ends": "2026-06-30",
                 "labour_contract_ends": "2026-03-31", "dissolved_by_agreement": True}},
 "licence-lapse-labour-contract-ended": {"as_of": "2026-04-01",
    "agency": {"licence_status": "revoked", "licence_lapsed_on": "2025-01-15"},
    "contract": {"lawfully_concluded": True, "concluded_on": "2024-05-01", "dispatch_period_ends": "2026-06-30",
                 "labour_contract_ends": "2026-03-31", "dissolved_by_agreement": False}},
 "licence-valid": {"as_of": D, "agency": {"licence_status": "valid"},
    "contract": {"lawfully_concluded": True, "labour_contract_ends": "2026-03-31"}},
 "injury-shanghai-agency": {"as_of": D, "injury": {"occurred": True}, "agency": {"registered_in_shanghai": True}},
 "injury-did-not-occur": {"as_of": D, "injury": {"occurred": False}, "agency": {"registered_in_shanghai": False, "has_shanghai_branch": True}},
 "injury-unknown": {"as_of": D, "agency": {"registered_in_shanghai": False, "has_shanghai_branch": False}},
 "before-national-rules": {"as_of": "2014-02-28", "injury": {"occurred": True},
    "host": {"contract_headcount": 90, "dispatched_headcount": 10}},
 "national-first-day": {"as_of": "2014-03-01", "injury": {"occurred": True},
    "host": {"contract_headcount": 90, "dispatched_headcount": 50}},
 "in-2029-only-national": {"as_of": "2029-06-01", "injury": {"occurred": True},
    "agency": {"registered_in_shanghai": False, "has_shanghai_branch": False,
               "licence_status": "revoked", "licence_lapsed_on": "2029-01-15"},
    "contract": {"lawfully_concluded": True, "concluded_on": "2028-05-01", "dispatch_period_ends": "2030-06-30",
                 "labour_contract_ends": "2030-03-31", "dissolved_by_agreement": False},
    "host": {"contract_headcount": 90, "dispatched_headcount": 11}},
 "shanghai-last-day": {"as_of": "2028-12-31", "injury": {"occurred": True},
    "agency": {"registered_in_shanghai": False, "has_shanghai_branch": False}},
}
GROUNDS = ["host_dismissal_grounds", "host_ceased", "agreement_expired", "other_law", "none"]
for g in GROUNDS:
    for p in (False, True):
        CASES[f"return-{g.replace('_', '-')}-{'protected' if p else 'unprotected'}"] = {
            "as_of": D, "return": {"ground": g}, "worker": {"protected_situation": p}}
CASES["return-ceased-protection-unknown"] = {"as_of": D, "return": {"ground": "host_ceased"}}
CASES["return-expiry-protection-unknown"] = {"as_of": D, "return": {"ground": "agreement_expired"}}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for i, (name, case) in enumerate(CASES.items(), 1):
    base = os.path.join(out, f"{i:02d}-{name}")
    with open(base + ".json", "w") as fh:
        json.dump(case, fh, ensure_ascii=False, indent=2); fh.write("\n")
    with open(base + ".expected.json", "w") as fh:
        json.dump(expected(case), fh, ensure_ascii=False, indent=2); fh.write("\n")
print(len(CASES), "cases")

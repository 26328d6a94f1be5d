//! The JSON report (`regula eval --format json`), as specified by the case
//! vocabulary: every outcome with `value`, `cites`, `missing` and
//! `derivation`. The report's and the derivation's shape are documented in
//! docs/derivation.md, a stable contract: keep the two in agreement.
use super::write::{quoted, Frag, Fragments, Json, NodeOpen};

/// Writes a key known when compiling, as one copy.
macro_rules! key {
    ($j:expr, $k:literal) => {
        $j.key_lit(concat!(",\"", $k, "\":"), concat!("\"", $k, "\": "))
    };
}

/// Writes a key and a value both known when compiling, as one copy.
macro_rules! kv {
    ($j:expr, $k:literal, $v:literal) => {
        $j.key_lit(concat!(",\"", $k, "\":", $v), concat!("\"", $k, "\": ", $v))
    };
}
use super::Subject;
use crate::eval::{Derivation, EvalError, Head, Node, RuleStatus, RuleTrace, Status, Trace};
use crate::program::{OutcomeId, Program, RuleId, Value};
use serde_json::Value as J;

/// How much of each outcome's derivation a report carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Detail {
    /// Values and missing facts only.
    None,
    /// Values, missing facts and cites.
    #[default]
    Cites,
    /// Everything, with the full derivation.
    Full,
}

/// Writes a derivation's `"status"`.
fn status(j: &mut Json, s: Status) {
    match s {
        Status::Decided => kv!(j, "status", "\"decided\""),
        Status::Default => kv!(j, "status", "\"default\""),
        Status::NotApplicable => kv!(j, "status", "\"not_applicable\""),
        Status::Unknown => kv!(j, "status", "\"unknown\""),
        Status::Conflict => kv!(j, "status", "\"conflict\""),
        Status::NotInForce => kv!(j, "status", "\"not_in_force\""),
    }
}

/// Writes a rule's `"status"` in a derivation.
fn rule_status(j: &mut Json, s: RuleStatus) {
    match s {
        RuleStatus::Applied => kv!(j, "status", "\"applied\""),
        RuleStatus::Overridden => kv!(j, "status", "\"overridden\""),
        RuleStatus::NotApplicable => kv!(j, "status", "\"not_applicable\""),
        RuleStatus::Undetermined => kv!(j, "status", "\"undetermined\""),
        RuleStatus::Conflicting => kv!(j, "status", "\"conflicting\""),
        RuleStatus::NotInForce => kv!(j, "status", "\"not_in_force\""),
    }
}

/// Writes a value: the vocabulary's name of a known value, `null` otherwise.
fn value(j: &mut Json, f: &Fragments, v: &Value) {
    match v {
        Value::Unknown | Value::Absent => j.null(),
        Value::Bool(b) => j.bool(*b),
        Value::Int(n) => j.int(*n),
        Value::Date(d) => j.date(*d),
        Value::Text(t) => j.str(t),
        Value::Enum(e, i) => j.raw(
            f.variant
                .get(*e as usize)
                .and_then(|v| v.get(*i as usize))
                .expect("enum values come from the program's enums"),
        ),
        Value::Record(g) => j.raw(
            f.group
                .get(g)
                .expect("a record value names the first slot of a fact group"),
        ),
        Value::Days(n) => j.str(&format!("{n} days")),
        Value::Months(n, _) => j.str(&format!("{n} months")),
        Value::Decimal(d) => {
            let t = d.digits();
            let t = t.as_str();
            if crate::program::Dec::is_json_number(t) {
                j.raw(t)
            } else {
                j.str(t)
            }
        }
    }
}

/// `"value"`, and `"state"` when it is unknown or n/a. Inlined into the
/// writer of each trace node, so that the commonest values cost one copy.
#[inline(always)]
fn value_and_state(j: &mut Json, f: &Fragments, v: &Value) {
    // The commonest values in one copy each, in the compact layout.
    if j.compact() && !j.is_fresh() {
        match v {
            Value::Bool(true) => return j.raw(",\"value\":true"),
            Value::Bool(false) => return j.raw(",\"value\":false"),
            Value::Unknown => return j.raw(",\"value\":null,\"state\":\"unknown\""),
            Value::Absent => return j.raw(",\"value\":null,\"state\":\"n/a\""),
            _ => {}
        }
    }
    key!(j, "value");
    value(j, f, v);
    match v {
        Value::Unknown => kv!(j, "state", "\"unknown\""),
        Value::Absent => kv!(j, "state", "\"n/a\""),
        _ => {}
    }
}

fn expr(j: &mut Json, p: &Program, f: &Fragments, t: &Trace) {
    key!(j, "expr");
    match f.expr.get(t.expr as usize).filter(|s| !s.is_empty()) {
        Some(s) => j.raw(s),
        None => j.str(&p.expr_text(t.span)),
    }
}

fn name_of(table: &[String], i: u32) -> &str {
    table
        .get(i as usize)
        .map(String::as_str)
        .expect("ids index the program's tables, of which the fragments are made")
}

/// Writes a traced expression.
fn trace(j: &mut Json, p: &Program, f: &Fragments, t: &Trace) {
    if j.compact() {
        if let Some(open) = f.node_open.get(t.expr as usize) {
            if !open.other.is_empty() {
                return trace_compact(j, p, f, t, open);
            }
        }
    }
    j.obj();
    expr(j, p, f, t);
    value_and_state(j, f, &t.value);
    match &t.node {
        Node::Fact(x) => {
            key!(j, "fact");
            j.raw(name_of(&f.fact, *x));
        }
        Node::Outcome(o) => {
            key!(j, "outcome");
            j.raw(name_of(&f.outcome, *o));
        }
        Node::Param(x) => {
            key!(j, "parameter");
            j.raw(name_of(&f.param, *x));
        }
        Node::AsOf => {
            key!(j, "as_of");
            j.bool(true);
        }
        Node::Const => {}
        Node::Op | Node::And | Node::Or => {
            match t.node {
                Node::And => kv!(j, "op", "\"and\""),
                Node::Or => kv!(j, "op", "\"or\""),
                _ => {}
            }
            key!(j, "operands");
            j.arr();
            for c in t.operands() {
                j.item();
                trace(j, p, f, &c);
            }
            j.end_arr();
        }
        Node::Call(d) => {
            key!(j, "definition");
            j.raw(name_of(&f.def, *d));
            let args = t.operand_count().saturating_sub(1);
            let mut kids = t.operands();
            key!(j, "arguments");
            j.arr();
            for c in kids.by_ref().take(args) {
                j.item();
                trace(j, p, f, &c);
            }
            j.end_arr();
            if let Some(b) = kids.next() {
                key!(j, "body");
                trace(j, p, f, &b);
            }
        }
    }
    j.end_obj();
}

/// Writes a compact node's opening up to its value, value included.
#[inline(always)]
fn open_compact(j: &mut Json, f: &Fragments, open: &NodeOpen, v: &Value) {
    match open.common.get(v) {
        Some(with_value) => j.frag(with_value),
        None => {
            j.frag(&open.other);
            value(j, f, v);
        }
    }
}

/// Writes a traced expression, compact, after an entry of its container:
/// what [`trace`] writes, from the expression's openings ([`NodeOpen`])
/// and the ends of its leaves, in fewer copies.
fn trace_compact(j: &mut Json, p: &Program, f: &Fragments, t: &Trace, open: &NodeOpen) {
    if let Some(whole) = whole_leaf(f, open, t) {
        return j.frag(whole);
    }
    open_compact(j, f, open, &t.value);
    match &t.node {
        Node::Fact(x) => j.frag(leaf_end(&f.fact_end, *x)),
        Node::Outcome(o) => j.frag(leaf_end(&f.outcome_end, *o)),
        Node::Param(x) => j.frag(leaf_end(&f.param_end, *x)),
        Node::AsOf => j.raw(",\"as_of\":true}"),
        Node::Const => j.raw("}"),
        Node::Op | Node::And | Node::Or => {
            j.raw(match t.node {
                Node::And => ",\"op\":\"and\",\"operands\":[",
                Node::Or => ",\"op\":\"or\",\"operands\":[",
                _ => ",\"operands\":[",
            });
            operands_compact(j, p, f, t.operands());
            j.raw("]}");
        }
        Node::Call(d) => {
            j.raw(",\"definition\":");
            j.raw(name_of(&f.def, *d));
            j.raw(",\"arguments\":[");
            let args = t.operand_count().saturating_sub(1);
            let mut kids = t.operands();
            operands_compact(j, p, f, kids.by_ref().take(args));
            j.raw("]");
            if let Some(b) = kids.next() {
                j.raw(",\"body\":");
                trace(j, p, f, &b);
            }
            j.raw("}");
        }
    }
}

/// The whole compact node of a fact or an outcome read by its name, with
/// one of the commonest values, when it is one ([`NodeOpen::leaf`]).
#[inline(always)]
fn whole_leaf<'f>(f: &'f Fragments, open: &NodeOpen, t: &Trace) -> Option<&'f Frag> {
    let (node, i) = open.leaf.as_ref()?;
    if *node != t.node {
        return None;
    }
    f.leaf
        .get(*i as usize)
        .expect("a leaf's index is in the table it was made for")
        .get(&t.value)
}

/// The compact end of a leaf node (`,"fact":"…"}`).
fn leaf_end(table: &[Frag], i: u32) -> &Frag {
    table
        .get(i as usize)
        .expect("ids index the program's tables, of which the fragments are made")
}

/// Writes the items of a compact list of operands (inside its brackets).
#[inline(always)]
fn operands_compact<'t>(
    j: &mut Json,
    p: &Program,
    f: &Fragments,
    kids: impl Iterator<Item = Trace<'t>>,
) {
    for (i, c) in kids.enumerate() {
        if i > 0 {
            j.raw(",");
        }
        // A whole leaf in one copy, without a call.
        match f
            .node_open
            .get(c.expr as usize)
            .and_then(|open| whole_leaf(f, open, &c))
        {
            Some(whole) => j.frag(whole),
            None => trace(j, p, f, &c),
        }
    }
}

/// Writes a compact document and reads it back as a JSON value.
fn to_value(f: &Fragments, write: impl FnOnce(&mut Json)) -> J {
    let mut out = Vec::new();
    write(&mut Json::new(&mut out, false).with_text(&f.text));
    serde_json::from_slice(&out).expect("the report writer writes valid JSON")
}

/// A traced expression as a JSON value.
pub fn trace_json(s: &Subject, t: &Trace) -> J {
    to_value(s.fragments(), |j| trace(j, s.p, s.fragments(), t))
}

/// Writes the items of the sub-expressions that made a condition false (or
/// n/a): below an `and` that is false, its false operands; otherwise the
/// condition itself.
fn why_not(j: &mut Json, p: &Program, f: &Fragments, t: &Trace) {
    if t.node == Node::And && t.value == Value::Bool(false) {
        for c in t.operands().filter(|c| c.value == Value::Bool(false)) {
            why_not(j, p, f, &c);
        }
        return;
    }
    j.item();
    if let Some(open) = f
        .node_open
        .get(t.expr as usize)
        .filter(|o| j.compact() && !o.other.is_empty())
    {
        open_compact(j, f, open, &t.value);
        j.raw("}");
        return;
    }
    j.obj();
    expr(j, p, f, t);
    value_and_state(j, f, &t.value);
    j.end_obj();
}

/// The outcomes a derivation reads, in the order first met.
pub fn outcomes_read(d: &Derivation) -> Vec<crate::program::OutcomeId> {
    fn walk(t: &Trace, out: &mut Vec<crate::program::OutcomeId>) {
        if let Node::Outcome(o) = t.node {
            if !out.contains(&o) {
                out.push(o);
            }
        }
        t.children().iter().for_each(|c| walk(c, out));
    }
    let mut out = Vec::new();
    for rt in &d.rules {
        rt.condition
            .iter()
            .chain(rt.value.iter())
            .for_each(|t| walk(t, &mut out));
    }
    if let Some(t) = &d.default {
        walk(t, &mut out);
    }
    out
}

/// Writes a list (after its key) of names picked by index: from their JSON
/// literals, or compact from their items (`,"…"`).
fn ids_list(j: &mut Json, names: &[String], items: &[super::write::Frag], ids: &[u32]) {
    if j.compact() {
        j.items_compact(items, ids);
    } else {
        j.list_of(names, ids.iter().copied());
    }
}

/// Writes a list of rule names (after its key).
fn rules_list(j: &mut Json, f: &Fragments, ids: &[RuleId]) {
    ids_list(j, &f.rule, &f.rule_item, ids);
}

/// Every fate of a rule, in the order of their numbers (`s as usize`).
pub(super) const RULE_STATUSES: [RuleStatus; 6] = [
    RuleStatus::Applied,
    RuleStatus::Overridden,
    RuleStatus::NotApplicable,
    RuleStatus::Undetermined,
    RuleStatus::Conflicting,
    RuleStatus::NotInForce,
];

/// Every status of a derivation, in the order of their numbers.
pub(super) const STATUSES: [Status; 6] = [
    Status::Decided,
    Status::Default,
    Status::NotApplicable,
    Status::Unknown,
    Status::Conflict,
    Status::NotInForce,
];

/// Writes the opening of a rule of a derivation: the object, the rule's
/// name, paragraph, quote and document, its fate and the rules it is an
/// exception to. The same for every case: written out in advance
/// (`Fragments::rule_open`) for the compact layout.
pub(super) fn rule_open(j: &mut Json, p: &Program, f: &Fragments, i: RuleId, s: RuleStatus) {
    j.obj();
    if let Some(r) = p.rule(i) {
        key!(j, "rule");
        j.raw(name_of(&f.rule, i));
        key!(j, "cites");
        j.raw(name_of(&f.rule_cite, i));
        key!(j, "quote");
        j.raw(name_of(&f.rule_quote, i));
        key!(j, "document");
        j.raw(name_of(&f.doc, r.document));
        rule_status(j, s);
        if !r.exception_to.is_empty() {
            key!(j, "exception_to");
            rules_list(j, f, &r.exception_to);
        }
    }
}

/// The opening written out in advance for an object and its status, in the
/// compact layout.
fn prepared<'f, T>(j: &Json, table: &'f [Vec<T>], id: u32, status: usize) -> Option<&'f T> {
    table
        .get(id as usize)
        .and_then(|h| h.get(status))
        .filter(|_| j.compact())
}

/// Writes one rule of a derivation.
fn rule(j: &mut Json, p: &Program, f: &Fragments, rt: &RuleTrace) {
    match prepared(j, &f.rule_open, rt.rule, rt.status as usize) {
        Some(h) => j.obj_with(h),
        None => rule_open(j, p, f, rt.rule, rt.status),
    }
    if p.rule(rt.rule).is_some() {
        if !rt.overridden_by.is_empty() {
            key!(j, "overridden_by");
            rules_list(j, f, rt.overridden_by);
        }
        if let Some(c) = &rt.condition {
            key!(j, "condition");
            trace(j, p, f, c);
            if rt.status == RuleStatus::NotApplicable {
                key!(j, "why_not");
                j.arr();
                why_not(j, p, f, c);
                j.end_arr();
            }
        }
        if let Some(v) = &rt.value {
            key!(j, "conclusion");
            trace(j, p, f, v);
        }
    }
    j.end_obj();
}

/// Writes the opening of an outcome's derivation: the object, its status
/// and its outcome's label. Written out in advance
/// (`Fragments::derivation_open`) for the compact layout.
pub(super) fn derivation_open(j: &mut Json, p: &Program, f: &Fragments, o: OutcomeId, s: Status) {
    j.obj();
    status(j, s);
    if p.outcome(o).is_some() {
        key!(j, "label");
        j.raw(name_of(&f.outcome_label, o));
    }
}

/// Writes an outcome's derivation.
fn derivation(j: &mut Json, p: &Program, f: &Fragments, d: &Head) {
    match prepared(j, &f.derivation_open, d.outcome, d.status as usize) {
        Some(h) => j.obj_with_frag(h),
        None => derivation_open(j, p, f, d.outcome, d.status),
    }
    if let Some(doc) = d.document {
        match f.doc_kv.get(doc as usize).filter(|_| j.compact()) {
            Some(kv) => j.frag(kv),
            None => {
                key!(j, "document");
                j.raw(name_of(&f.doc, doc));
            }
        }
    }
    if !d.decided_by.is_empty() {
        key!(j, "decided_by");
        rules_list(j, f, d.decided_by);
    }
    if d.status == Status::NotInForce {
        key!(j, "reason");
        j.raw(&f.outside_periods);
        key!(j, "periods");
        periods(j, p, Some(f));
    }
    key!(j, "rules");
    j.arr();
    for rt in &d.rules {
        j.item();
        rule(j, p, f, &rt);
    }
    j.end_arr();
    if let Some(t) = &d.default {
        key!(j, "default");
        trace(j, p, f, t);
    }
    j.end_obj();
}

/// An outcome's derivation as a JSON value.
pub fn derivation_json(s: &Subject, d: &Derivation) -> J {
    to_value(s.fragments(), |j| {
        derivation(j, s.p, s.fragments(), &d.head())
    })
}

/// Writes the in-force period of every document, with the paragraph that
/// sets it.
pub(super) fn periods(j: &mut Json, p: &Program, f: Option<&Fragments>) {
    if let Some(frag) = f
        .map(|f| f.periods.as_str())
        .filter(|s| j.compact() && !s.is_empty())
    {
        j.raw(frag);
        return;
    }
    j.arr();
    for d in &p.documents {
        j.item();
        j.obj();
        key!(j, "document");
        j.str(&d.id);
        key!(j, "from");
        j.date(d.from);
        key!(j, "to");
        match d.to {
            Some(t) => j.date(t),
            None => j.null(),
        }
        key!(j, "cites");
        match &d.cites {
            Some(c) => j.str(&c.key()),
            None => j.null(),
        }
        key!(j, "quote");
        match &d.cites {
            Some(c) => j.str(&c.quote),
            None => j.null(),
        }
        j.end_obj();
    }
    j.end_arr();
}

/// Why an outcome's derivation is not in force: the assessment date is
/// outside every document's period, each named with the paragraph setting it.
pub(super) fn outside_periods(p: &Program) -> String {
    let cites: Vec<String> = p
        .documents
        .iter()
        .filter_map(|x| x.cites.as_ref().map(|c| format!("{} {}", x.id, c.key())))
        .collect();
    format!(
        "the assessment date is outside the in-force period ({})",
        cites.join(", ")
    )
}

/// Why every outcome is n/a: the assessment date is outside the period.
pub fn not_in_force_reason(d: &crate::program::Document, as_of: chrono::NaiveDate) -> String {
    let to =
        d.to.map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "…".into());
    format!(
        "the assessment date {} is outside the period {} to {to} in which {} is in force; the outcomes of its rules are n/a",
        as_of.format("%Y-%m-%d"),
        d.from.format("%Y-%m-%d"),
        d.id
    )
}

/// Writes the entry of a line's in-force outcome (`in_force` is line 0).
fn in_force(j: &mut Json, s: &Subject, f: &Fragments, detail: Detail, line: usize) {
    let p = s.p;
    let ev = s.ev;
    let now = s.line_in_force(line);
    if j.compact() && detail != Detail::Full {
        // In force: the entry written out in advance for the document.
        if let Some(e) = now.and_then(|d| f.in_force_now.get(d as usize)) {
            j.raw(if detail == Detail::None { &e.0 } else { &e.1 });
            return;
        }
    }
    let doc = s.line_document(line);
    // The document's number, for the fragments made for it.
    let doc_id = doc.and_then(|d| p.documents.iter().position(|x| std::ptr::eq(x, d)));
    j.obj();
    key!(j, "value");
    j.bool(now.is_some());
    if now.is_none() {
        if let Some(d) = doc {
            key!(j, "reason");
            let cut = doc_id.and_then(|i| f.doc_reason.get(i));
            if !cut.is_some_and(|c| j.str_around_date(c, ev.as_of)) {
                j.str(&not_in_force_reason(d, ev.as_of));
            }
        }
    }
    if detail != Detail::None {
        key!(j, "cites");
        j.arr();
        if let Some(c) = doc.and_then(|d| d.cites.as_ref()) {
            j.item();
            match doc_id
                .and_then(|i| f.doc_cite.get(i))
                .and_then(Option::as_ref)
            {
                Some(key) => j.raw(key),
                None => j.str(&c.key()),
            }
        }
        j.end_arr();
    }
    if detail == Detail::Full {
        key!(j, "derivation");
        j.obj();
        key!(j, "status");
        j.raw("\"decided\"");
        key!(j, "label");
        let label = if line == 0 {
            Some(&f.first_line_label)
        } else {
            doc_id.and_then(|i| f.line_label.get(i))
        };
        match label {
            Some(l) => j.raw(l),
            None => j.str(&s.line_label(line)),
        }
        if let Some(d) = now {
            key!(j, "document");
            j.raw(name_of(&f.doc, d));
        }
        key!(j, "as_of");
        j.date(ev.as_of);
        key!(j, "periods");
        periods(j, p, Some(f));
        j.end_obj();
    }
    j.end_obj();
}

/// Writes one outcome's entry; `opened` when its opening up to the value
/// (`{"value":`) is written.
fn outcome(
    j: &mut Json,
    s: &Subject,
    f: &Fragments,
    detail: Detail,
    o: OutcomeId,
    opened: bool,
) -> Result<(), EvalError> {
    let p = s.p;
    let ev = s.ev;
    let res = ev.outcomes.get(o as usize);
    let v = res.map_or(&Value::Unknown, |r| &r.value);
    let conflict = res.is_some_and(|r| r.conflict);
    if !opened {
        j.obj();
        key!(j, "value");
    }
    value(j, f, v);
    if detail != Detail::None && v.is_known() {
        key!(j, "cites");
        ids_list(j, &f.rule_cite, &f.rule_cite_item, ev.cites(o));
        if let Some(doc) = res.and_then(|r| r.document) {
            key!(j, "document");
            j.raw(name_of(&f.doc, doc));
        }
    }
    if ev.in_force.is_some() && matches!(v, Value::Unknown) && !conflict {
        key!(j, "missing");
        ids_list(j, &f.fact, &f.fact_item, ev.missing(o));
        let blocked = ev.blocked_by(o);
        if !blocked.is_empty() {
            key!(j, "blocked_by");
            j.list_of(&f.outcome, blocked.iter().copied());
        }
    }
    if conflict {
        key!(j, "conflict");
        j.list_of(&f.rule, ev.conflicting(p, o));
    }
    if detail == Detail::Full {
        let d = s.head(o)?;
        key!(j, "derivation");
        derivation(j, p, f, &d);
    }
    j.end_obj();
    Ok(())
}

/// Writes an outcome's compact entry after the first from fragments
/// written out in advance: what [`outcome`] writes, in fewer copies. False,
/// writing nothing, for an entry it leaves to [`outcome`] (a value neither
/// true, false nor unknown, or a conflict). `FULL` when `detail` is
/// [`Detail::Full`]: one body, made twice, so that entries without
/// derivations pay nothing for them.
fn compact_entry<const FULL: bool>(
    j: &mut Json,
    s: &Subject,
    f: &Fragments,
    detail: Detail,
    o: OutcomeId,
) -> Result<bool, EvalError> {
    let ev = s.ev;
    let res = ev.outcomes.get(o as usize);
    let Some(e) = f.entry.get(o as usize) else {
        return Ok(false);
    };
    let v = res.map_or(&Value::Unknown, |r| &r.value);
    if res.is_some_and(|r| r.conflict) {
        return Ok(false);
    }
    let cites = detail != Detail::None;
    let full = FULL;
    match v {
        Value::Bool(b) if cites => {
            j.frag(if *b { &e.true_cites } else { &e.false_cites });
            j.items_compact(&f.rule_cite_item, ev.cites(o));
            if let Some(doc) = res.and_then(|r| r.document) {
                j.frag(
                    f.doc_kv
                        .get(doc as usize)
                        .expect("a document's id indexes the program's documents"),
                );
            }
        }
        Value::Bool(b) => {
            j.frag(if *b { &e.true_end } else { &e.false_end });
            return Ok(true);
        }
        Value::Unknown if ev.in_force.is_some() => {
            j.frag(&e.null_missing);
            j.items_compact(&f.fact_item, ev.missing(o));
            let blocked = ev.blocked_by(o);
            if !blocked.is_empty() {
                key!(j, "blocked_by");
                j.list_of(&f.outcome, blocked.iter().copied());
            }
        }
        Value::Unknown | Value::Absent if full => j.frag(&e.null),
        Value::Unknown | Value::Absent => {
            j.frag(&e.null_end);
            return Ok(true);
        }
        _ => return Ok(false),
    }
    if full {
        let d = s.head(o)?;
        key!(j, "derivation");
        derivation(j, s.p, f, &d);
    }
    j.raw("}");
    Ok(true)
}

/// Writes the report of one case (`regula eval --format json`, pretty; each
/// line of `regula batch`, compact, with its `line` number first): the one
/// writer of the report contract. Nothing is written when it fails.
pub fn write_report(
    out: &mut Vec<u8>,
    s: &Subject,
    detail: Detail,
    line: Option<u64>,
    pretty: bool,
) -> Result<(), EvalError> {
    let mark = out.len();
    let r = report(
        &mut Json::new(out, pretty).with_text(&s.fragments().text),
        s,
        detail,
        line,
    );
    if r.is_err() {
        out.truncate(mark);
    }
    r
}

fn report(j: &mut Json, s: &Subject, detail: Detail, line: Option<u64>) -> Result<(), EvalError> {
    let p = s.p;
    let f = s.fragments();
    j.obj();
    if let Some(line) = line {
        key!(j, "line");
        j.int(i64::try_from(line).unwrap_or(i64::MAX));
    }
    key!(j, "document");
    let doc = s.ev.in_force.or(if p.documents.is_empty() {
        None
    } else {
        Some(0)
    });
    match doc {
        Some(d) => j.raw(name_of(&f.doc, d)),
        None => j.raw("\"\""),
    }
    key!(j, "as_of");
    j.date(s.ev.as_of);
    key!(j, "policies");
    j.raw(if p.embedded {
        "\"embedded\""
    } else {
        "\"external\""
    });
    key!(j, "outcomes");
    j.obj();
    key!(j, "in_force");
    in_force(j, s, f, detail, 0);
    for (line, (name, _)) in p.lines.iter().enumerate().skip(1) {
        match f.line.get(line) {
            Some(q) => j.key_raw(q),
            None => j.key_raw(&quoted(name)),
        }
        in_force(j, s, f, detail, line);
    }
    for (i, name) in f.outcome.iter().enumerate() {
        let o = u32::try_from(i).expect("outcome ids are 32 bits");
        if j.compact() && !j.is_fresh() {
            let written = if detail == Detail::Full {
                compact_entry::<true>(j, s, f, detail, o)?
            } else {
                compact_entry::<false>(j, s, f, detail, o)?
            };
            if written {
                continue;
            }
        }
        // Compact: the key, the object and its `value` key in one copy.
        let head = f
            .outcome_open
            .get(i)
            .filter(|_| j.compact() && !j.is_fresh());
        match head {
            Some(h) => j.obj_with(h),
            None => j.key_raw(name),
        }
        outcome(
            j,
            s,
            f,
            detail,
            u32::try_from(i).expect("outcome ids are 32 bits"),
            head.is_some(),
        )?;
    }
    j.end_obj();
    key!(j, "departures");
    departures(j, s, f, None);
    j.end_obj();
    Ok(())
}

/// The cites of a known outcome: those recorded, else its deciding rule's.
fn cites_of<'e>(s: &Subject<'e>, o: OutcomeId) -> impl Iterator<Item = RuleId> + 'e {
    let recorded = s.ev.cites(o);
    let decided = s.ev.outcomes.get(o as usize).and_then(|r| r.decided_by);
    let decided = decided.filter(|_| recorded.is_empty());
    recorded.iter().copied().chain(decided)
}

/// Writes the `departures` list: each declared pair whose values both
/// exist and differ after the declared equivalences; with `only`, the pairs
/// that outcome takes part in (on either side).
fn departures(j: &mut Json, s: &Subject, f: &Fragments, only: Option<OutcomeId>) {
    let p = s.p;
    j.arr();
    for (index, pair) in crate::departure::departing(p, s.ev) {
        if only.is_some_and(|o| pair.outcome != o && pair.superior != o) {
            continue;
        }
        j.item();
        j.obj();
        for (superior, o) in [(false, pair.outcome), (true, pair.superior)] {
            let v =
                s.ev.outcomes
                    .get(o as usize)
                    .map_or(&Value::Unknown, |r| &r.value);
            if superior {
                key!(j, "superior_outcome");
            } else {
                key!(j, "outcome");
            }
            j.raw(f.outcome.get(o as usize).map_or("\"\"", String::as_str));
            if superior {
                key!(j, "superior_value");
            } else {
                key!(j, "value");
            }
            value(j, f, v);
            if superior {
                key!(j, "superior_cites");
            } else {
                key!(j, "cites");
            }
            j.list_of(&f.rule_cite, cites_of(s, o));
        }
        key!(j, "question");
        match f.question.get(index) {
            Some(q) => j.raw(q),
            None => j.str(&pair.question),
        }
        j.end_obj();
    }
    j.end_arr();
}

/// The whole report of one case as a JSON value.
pub fn json_report(s: &Subject, detail: Detail) -> Result<J, EvalError> {
    let mut out = Vec::new();
    write_report(&mut out, s, detail, None, false)?;
    Ok(serde_json::from_slice(&out).expect("the report writer writes valid JSON"))
}

/// The entry of a line's in-force outcome with its derivation, as a JSON
/// value (`regula explain CASE in_force --format json`).
pub fn in_force_json(s: &Subject, line: usize) -> J {
    let f = s.fragments();
    to_value(f, |j| in_force(j, s, f, Detail::Full, line))
}

/// One outcome's value, cites, missing facts and derivation, as `regula
/// explain --format json` gives it.
fn explain_entry(s: &Subject, d: &Derivation) -> J {
    let p = s.p;
    let missing: Vec<&str> = p.fact_names(d.missing);
    let mut j = serde_json::Map::new();
    j.insert("value".into(), p.value_json(&d.value));
    j.insert("cites".into(), serde_json::json!(d.cite_keys(p)));
    j.insert("missing".into(), serde_json::json!(missing));
    if !d.blocked_by.is_empty() {
        let names: Vec<&str> = p.outcome_names(d.blocked_by);
        j.insert("blocked_by".into(), serde_json::json!(names));
    }
    j.insert("derivation".into(), derivation_json(s, d));
    J::Object(j)
}

/// What `regula explain` (and `POST /v1/explain/{outcome}`) explains: a
/// declared outcome, or the in-force outcome of a line of documents
/// (`in_force`, `national.in_force`), decided by the document headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Explained {
    /// A declared outcome.
    Outcome(OutcomeId),
    /// The in-force outcome of the line at this index of
    /// [`Program::lines`] (0: `in_force`).
    InForce(usize),
}

impl Explained {
    /// The outcome called `name`, if the policy set has it.
    pub fn find(p: &Program, name: &str) -> Option<Explained> {
        if name == "in_force" {
            return Some(Explained::InForce(0));
        }
        if let Some(line) = p.lines().iter().skip(1).position(|(n, _)| n == name) {
            return Some(Explained::InForce(line + 1));
        }
        p.outcome_index.get(name).map(|o| Explained::Outcome(*o))
    }

    /// Every name [`Explained::find`] accepts: the declared outcomes, then
    /// the in-force outcomes.
    pub fn names(p: &Program) -> Vec<&str> {
        let mut names: Vec<&str> = p.outcomes.iter().map(|o| o.name.as_str()).collect();
        names.push("in_force");
        names.extend(p.lines().iter().skip(1).map(|(n, _)| n.as_str()));
        names
    }

    /// The diagnostic for a name [`Explained::find`] does not accept, with
    /// the closest name it does.
    pub fn unknown(p: &Program, name: &str) -> crate::diag::Diag {
        crate::diag::Diag::of(crate::diag::Problem::NoSuchOutcome {
            name: name.to_string(),
            suggestion: crate::diag::suggest(name, Explained::names(p)).map(str::to_string),
        })
    }
}

/// The explanation of one outcome (`regula explain --format json`): its
/// entry, the departures it takes part in (`departures`, as the report's
/// entries), and under `reads` each outcome its derivation reads, with its
/// own derivation. An in-force outcome is its entry with the document
/// header's derivation. Returns the explanation and whether rules conflict
/// on the outcome.
pub fn explain_json(s: &Subject, what: Explained) -> Result<(J, bool), EvalError> {
    let p = s.p;
    let oid = match what {
        Explained::InForce(line) => return Ok((in_force_json(s, line), false)),
        Explained::Outcome(o) => o,
    };
    let d = s.derive(oid)?;
    let mut j = serde_json::Map::new();
    let name = p
        .outcome(oid)
        .expect("a derived outcome is the program's")
        .name
        .clone();
    j.insert("outcome".into(), J::from(name));
    if let J::Object(m) = explain_entry(s, &d) {
        j.extend(m);
    }
    let f = s.fragments();
    j.insert(
        "departures".into(),
        to_value(f, |w| departures(w, s, f, Some(oid))),
    );
    // The outcomes the derivation reads, each with its own derivation.
    let mut queue = outcomes_read(&d);
    let mut reads = serde_json::Map::new();
    let mut i = 0;
    while let Some(&o) = queue.get(i) {
        i += 1;
        let Some(name) = p.outcome(o).map(|x| x.name.clone()) else {
            continue;
        };
        if o == d.outcome || reads.contains_key(&name) {
            continue;
        }
        let sd = s.derive(o)?;
        for x in outcomes_read(&sd) {
            if !queue.contains(&x) {
                queue.push(x);
            }
        }
        reads.insert(name, explain_entry(s, &sd));
    }
    if !reads.is_empty() {
        j.insert("reads".into(), J::Object(reads));
    }
    Ok((J::Object(j), d.status == Status::Conflict))
}

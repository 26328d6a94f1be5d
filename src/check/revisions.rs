//! Revisions over time: which documents, rules and parameter values are in
//! force on a date, and the checks that keep a family of documents coherent.
//!
//! The model (see docs/revising.md):
//! - A *base* document (one without `amends`) is in force on the days of its
//!   own period unless a document that `replaces` it has taken over.
//! - The provisions of a base document on a date are its own rules and
//!   parameters, plus those of every document it replaces (from the
//!   replacement date) that it does not redeclare by name: a successor
//!   continues what it does not change.
//! - An amendment `amends "D" from X rules a, b parameters p` replaces, from
//!   `X` and while its own period lasts, `D`'s provisions named in the clause
//!   by its own provisions of the same name (a listed name the amendment does
//!   not declare is repealed); its other rules are added to `D`.
//! - Exceptions bind to provisions by name: an exception to `a` defeats
//!   whichever version of `a` is in force.
//!
//! Time: the periods of the law are O(epochs × (rules + parameters)), the
//! size of what they record, with each document's provisions on a date
//! computed once from indexes built once; binding exceptions by name is
//! O(rules + exception edges + the defeaters' size × the most exceptions to
//! one provision); replacement cycles O(documents + links); the amendment
//! checks O(per clause, the documents and names the amended one continues);
//! overlaps
//! O(epochs × (pairs of base documents in force + their provisions)).
use super::Ctx;
use crate::diag::{suggest, Diag, Problem};
use crate::program::*;
use crate::source::{FileId, Span};
use crate::syntax::ast;
use chrono::{Days, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The values one document gives a parameter.
#[derive(Clone, Debug)]
pub(crate) struct ParamVersion {
    /// The parameter slot (one per name across the set).
    pub param: ParamId,
    /// The document declaring this version.
    pub doc: DocId,
    /// Dated values, ascending.
    pub values: Vec<(Option<NaiveDate>, Value)>,
    /// Where declared.
    pub span: Span,
}

/// Whether a document's own period covers a date.
fn own_period(d: &Document, date: NaiveDate) -> bool {
    d.from <= date && d.to.is_none_or(|t| date <= t)
}

/// What the provisions of documents are read from, indexed once per check.
pub(crate) struct Index<'a> {
    p: &'a Program,
    versions: &'a [ParamVersion],
    /// Per document, its rules in order.
    rules_of: Vec<Vec<usize>>,
    /// Per document, its parameter versions in order.
    versions_of: Vec<Vec<usize>>,
    /// Per document, its amendment clauses elsewhere: (document, clause), in order.
    amended_by: Vec<Vec<(usize, usize)>>,
    /// Per document, the earliest date a successor replaces it from.
    replaced_from: Vec<Option<NaiveDate>>,
    /// Each parameter's slot by name.
    param_by_name: HashMap<&'a str, ParamId>,
    /// Whether no document replaces itself through its successors: then a
    /// document's provisions on a date are computed once.
    acyclic: bool,
}

impl<'a> Index<'a> {
    pub(crate) fn new(p: &'a Program, versions: &'a [ParamVersion]) -> Index<'a> {
        let n = p.documents.len();
        let mut rules_of = vec![Vec::new(); n];
        for (i, r) in p.rules.iter().enumerate() {
            if let Some(v) = rules_of.get_mut(r.document as usize) {
                v.push(i);
            }
        }
        let mut versions_of = vec![Vec::new(); n];
        for (i, v) in versions.iter().enumerate() {
            if let Some(x) = versions_of.get_mut(v.doc as usize) {
                x.push(i);
            }
        }
        let mut amended_by = vec![Vec::new(); n];
        let mut replaced_from: Vec<Option<NaiveDate>> = vec![None; n];
        for (bi, b) in p.documents.iter().enumerate() {
            for (k, (target, _, _, _)) in b.amends.iter().enumerate() {
                if let Some(x) = amended_by.get_mut(*target as usize) {
                    x.push((bi, k));
                }
            }
            for (r, from) in &b.replaces {
                if let Some(x) = replaced_from.get_mut(*r as usize) {
                    *x = Some(x.map_or(*from, |f| f.min(*from)));
                }
            }
        }
        let mut param_by_name = HashMap::new();
        for (i, x) in p.params.iter().enumerate() {
            param_by_name
                .entry(x.name.as_str())
                .or_insert(ParamId::try_from(i).unwrap_or(ParamId::MAX));
        }
        let comps = crate::walk::components(&replaces_graph(p));
        let acyclic = !comps.cyclic.iter().any(|c| *c);
        Index {
            p,
            versions,
            rules_of,
            versions_of,
            amended_by,
            replaced_from,
            param_by_name,
            acyclic,
        }
    }

    /// Whether document `d` is in force on a date: its own period covers it
    /// and no successor has replaced it. An amendment is in force in its own
    /// period.
    fn in_force(&self, d: usize, date: NaiveDate) -> bool {
        let replaced = self
            .replaced_from
            .get(d)
            .copied()
            .flatten()
            .is_some_and(|f| f <= date);
        self.p
            .documents
            .get(d)
            .is_some_and(|doc| own_period(doc, date) && !replaced)
    }

    /// The base documents in force on a date, in declaration order.
    fn roots(&self, date: NaiveDate) -> Vec<usize> {
        (0..self.p.documents.len())
            .filter(|d| {
                self.p
                    .documents
                    .get(*d)
                    .is_some_and(|x| x.amends.is_empty())
                    && self.in_force(*d, date)
            })
            .collect()
    }

    /// The provisions of a document on a date, computed once per document
    /// and date when no replacement loops (`memo` holds those of `date`).
    fn provisions(
        &self,
        doc: usize,
        date: NaiveDate,
        depth: usize,
        memo: &mut HashMap<usize, Provisions>,
    ) -> Provisions {
        if self.acyclic {
            if let Some(known) = memo.get(&doc) {
                return known.clone();
            }
        }
        let out = self.provisions_once(doc, date, depth, memo);
        if self.acyclic {
            memo.insert(doc, out.clone());
        }
        out
    }

    fn provisions_once(
        &self,
        doc: usize,
        date: NaiveDate,
        depth: usize,
        memo: &mut HashMap<usize, Provisions>,
    ) -> Provisions {
        let p = self.p;
        let mut out = Provisions::default();
        let Some(d) = p.documents.get(doc) else {
            return out;
        };
        if depth > p.documents.len() {
            return out; // a cycle of replacements (reported elsewhere)
        }
        // What it continues from the documents it replaces.
        for (old, from) in &d.replaces {
            if *from <= date && *old as usize != doc {
                let inherited = self.provisions(*old as usize, date, depth + 1, memo);
                out.rules.extend(inherited.rules);
                out.params.extend(inherited.params);
            }
        }
        // Its own provisions, which take precedence.
        for &i in at(&self.rules_of, doc) {
            if let Some(r) = p.rules.get(i) {
                out.rules
                    .insert(r.name.clone(), RuleId::try_from(i).unwrap_or(RuleId::MAX));
            }
        }
        for &i in at(&self.versions_of, doc) {
            if let Some(v) = self.versions.get(i) {
                out.params.insert(v.param, i);
            }
        }
        // Amendments in force, oldest first.
        let mut amendments: Vec<(NaiveDate, usize, usize)> = Vec::new();
        for &(bi, k) in at(&self.amended_by, doc) {
            let Some(b) = p.documents.get(bi) else {
                continue;
            };
            if let Some((_, from, _, _)) = b.amends.get(k) {
                if bi != doc && *from <= date && own_period(b, date) {
                    amendments.push((*from, bi, k));
                }
            }
        }
        amendments.sort_unstable();
        for (_, bi, k) in amendments {
            let Some(b) = p.documents.get(bi) else {
                continue;
            };
            let Some((_, _, rules, params)) = b.amends.get(k) else {
                continue;
            };
            for n in rules {
                out.rules.remove(n);
            }
            // The amendment's rules: listed ones replace, others are added (by its first clause).
            let listed: HashSet<&str> = rules.iter().map(String::as_str).collect();
            for &i in at(&self.rules_of, bi) {
                let Some(r) = p.rules.get(i) else { continue };
                if k == 0 || listed.contains(r.name.as_str()) {
                    out.rules
                        .insert(r.name.clone(), RuleId::try_from(i).unwrap_or(RuleId::MAX));
                }
            }
            for n in params {
                if let Some(pid) = self.param_by_name.get(n.as_str()) {
                    out.params.remove(pid);
                }
            }
            let plisted: HashSet<&str> = params.iter().map(String::as_str).collect();
            for &i in at(&self.versions_of, bi) {
                let Some(v) = self.versions.get(i) else {
                    continue;
                };
                let name = p.params.get(v.param as usize).map(|x| x.name.as_str());
                if k == 0 || name.is_some_and(|n| plisted.contains(n)) {
                    out.params.insert(v.param, i);
                }
            }
        }
        out
    }
}

/// Per document, the documents it replaces.
fn replaces_graph(p: &Program) -> Vec<Vec<usize>> {
    p.documents
        .iter()
        .map(|d| d.replaces.iter().map(|(o, _)| *o as usize).collect())
        .collect()
}

/// The list at `i` of per-document lists (none past the end).
fn at<T>(lists: &[Vec<T>], i: usize) -> &[T] {
    lists.get(i).map(Vec::as_slice).unwrap_or_default()
}

/// The provisions of a document on a date: rule per name, parameter version per slot.
#[derive(Clone, Default)]
struct Provisions {
    rules: BTreeMap<String, RuleId>,
    params: BTreeMap<ParamId, usize>,
}

/// The value a version gives on a date.
fn value_on(values: &[(Option<NaiveDate>, Value)], date: NaiveDate) -> Value {
    values
        .iter()
        .rev()
        .find(|(f, _)| f.is_none_or(|f| f <= date))
        .or(values.first())
        .map(|(_, v)| v.clone())
        .unwrap_or(Value::Unknown)
}

/// The law in force on a date, as an epoch from `from` to `to`.
fn epoch_at(ix: &Index, from: Option<NaiveDate>, to: Option<NaiveDate>, date: NaiveDate) -> Epoch {
    let (p, versions) = (ix.p, ix.versions);
    let roots = ix.roots(date);
    let mut memo = HashMap::new();
    let mut rule_active = vec![false; p.rules.len()];
    let mut rule_document: Vec<DocId> = p.rules.iter().map(|r| r.document).collect();
    let mut chosen: Vec<Option<usize>> = vec![None; p.params.len()];
    for &root in &roots {
        let prov = ix.provisions(root, date, 0, &mut memo);
        for r in prov.rules.values() {
            let Some(rule) = p.rules.get(*r as usize) else {
                continue;
            };
            if let Some(slot) = rule_active.get_mut(*r as usize) {
                *slot = true;
            }
            let by_amendment = p
                .documents
                .get(rule.document as usize)
                .is_some_and(|d| !d.amends.is_empty());
            if !by_amendment {
                if let Some(slot) = rule_document.get_mut(*r as usize) {
                    *slot = DocId::try_from(root).unwrap_or(DocId::MAX);
                }
            }
        }
        for (pid, v) in prov.params {
            if let Some(slot) = chosen.get_mut(pid as usize) {
                slot.get_or_insert(v);
            }
        }
    }
    // Each parameter's first version.
    let mut first: Vec<Option<usize>> = vec![None; p.params.len()];
    for (k, v) in versions.iter().enumerate() {
        if let Some(slot) = first.get_mut(v.param as usize) {
            slot.get_or_insert(k);
        }
    }
    let params = (0..p.params.len())
        .map(|i| {
            let version = chosen
                .get(i)
                .copied()
                .flatten()
                .or_else(|| first.get(i).copied().flatten())
                .and_then(|v| versions.get(v));
            match version {
                Some(v) => value_on(&v.values, date),
                None => p
                    .params
                    .get(i)
                    .map(|x| value_on(&x.values, date))
                    .unwrap_or(Value::Unknown),
            }
        })
        .collect();
    let roots: Vec<DocId> = roots
        .iter()
        .filter_map(|d| DocId::try_from(*d).ok())
        .collect();
    let primary = p.lines.first().map(|(_, docs)| docs.as_slice()).unwrap_or_default();
    Epoch {
        from,
        to,
        in_force: roots
            .iter()
            .copied()
            .find(|d| primary.contains(d))
            .or(roots.first().copied()),
        roots,
        rule_active,
        rule_document,
        params,
    }
}

/// Splits time into epochs at every date where a document, an amendment or a
/// parameter value changes.
pub(crate) fn epochs(ctx: &mut Ctx) {
    lines(ctx);
    let mut points: BTreeSet<NaiveDate> = BTreeSet::new();
    for d in &ctx.p.documents {
        points.insert(d.from);
        if let Some(t) = d.to.and_then(|t| t.checked_add_days(Days::new(1))) {
            points.insert(t);
        }
        for (_, f) in &d.replaces {
            points.insert(*f);
        }
        for (_, f, _, _) in &d.amends {
            points.insert(*f);
        }
    }
    for v in &ctx.param_versions {
        points.extend(v.values.iter().filter_map(|(f, _)| *f));
    }
    for p in &ctx.p.params {
        points.extend(p.values.iter().filter_map(|(f, _)| *f));
    }
    points.remove(&NaiveDate::MIN);
    let points: Vec<NaiveDate> = points.into_iter().collect();
    let mut epochs = Vec::with_capacity(points.len() + 1);
    let mut starts: Vec<Option<NaiveDate>> = vec![None];
    starts.extend(points.iter().map(|p| Some(*p)));
    let ix = Index::new(&ctx.p, &ctx.param_versions);
    for (i, start) in starts.iter().enumerate() {
        let end = points.get(i).and_then(|p| p.pred_opt());
        let probe = start.unwrap_or(NaiveDate::MIN);
        epochs.push(epoch_at(&ix, *start, end, probe));
    }
    ctx.p.epochs = epochs;
}

/// Groups the base documents by the outcome reporting them in force,
/// `in_force` first.
fn lines(ctx: &mut Ctx) {
    let mut lines: Vec<(String, Vec<DocId>)> = Vec::new();
    for (i, d) in ctx.p.documents.iter().enumerate() {
        if !d.amends.is_empty() {
            continue;
        }
        let Ok(i) = DocId::try_from(i) else { continue };
        match lines.iter_mut().find(|(n, _)| *n == d.in_force_name) {
            Some((_, docs)) => docs.push(i),
            None => lines.push((d.in_force_name.clone(), vec![i])),
        }
    }
    if let Some(k) = lines.iter().position(|(n, _)| n == "in_force") {
        let primary = lines.remove(k);
        lines.insert(0, primary);
    }
    // An in-force outcome is reported beside the declared ones: its name
    // must be free.
    for (name, docs) in &lines {
        let taken = ctx.p.outcome_index.contains_key(name) || ctx.p.fact_index.contains_key(name);
        let span = docs
            .first()
            .and_then(|d| ctx.p.documents.get(*d as usize))
            .map(|d| d.span);
        if let (true, Some(span)) = (taken, span) {
            ctx.err(
                Diag::of(Problem::InForceNameTaken { name: name.clone() })
                    .label(span, "this document's in-force outcome"),
            );
        }
    }
    ctx.p.lines = lines;
}

/// Makes exceptions bind to provisions by name: a rule that is an exception
/// to `a` defeats every version of `a` (same name, same outcome), so that an
/// amended or re-enacted general rule keeps its exceptions.
pub(crate) fn bind_exceptions_by_name(ctx: &mut Ctx) {
    let key = |r: &Rule| (r.name.clone(), r.outcome);
    let mut counts: HashMap<(String, OutcomeId), usize> = HashMap::new();
    for r in &ctx.p.rules {
        *counts.entry(key(r)).or_default() += 1;
    }
    if counts.values().all(|n| *n < 2) {
        return;
    }
    // A graph of provisions and rules: each provision (name, outcome) leads
    // to its direct exceptions, each rule to its provision. The rules
    // reachable from a provision are its defeaters, bar its own versions.
    let mut keys: HashMap<(String, OutcomeId), usize> = HashMap::new();
    let n = ctx.p.rules.len();
    let key_of: Vec<usize> = ctx
        .p
        .rules
        .iter()
        .map(|r| {
            let next = n + keys.len();
            *keys.entry(key(r)).or_insert(next)
        })
        .collect();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n + keys.len()];
    for (i, k) in key_of.iter().enumerate() {
        if let Some(a) = adj.get_mut(i) {
            a.push(*k);
        }
    }
    for (i, r) in ctx.p.rules.iter().enumerate() {
        for t in &r.exception_to {
            if let Some(a) = key_of.get(*t as usize).and_then(|k| adj.get_mut(*k)) {
                a.push(i);
            }
        }
    }
    let reach = crate::walk::descendants(&adj);
    for start in 0..n {
        let Some(&k) = key_of.get(start) else {
            continue;
        };
        let defeaters: Vec<RuleId> = reach
            .get(k)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|r| **r < n && key_of.get(**r) != Some(&k))
            .map(|r| RuleId::try_from(*r).unwrap_or(RuleId::MAX))
            .collect();
        if let Some(rule) = ctx.p.rules.get_mut(start) {
            rule.defeaters = defeaters;
        }
    }
}

/// Documents linked by replacement or amendment, as family ids.
fn families(p: &Program) -> Vec<usize> {
    let n = p.documents.len();
    let mut fam: Vec<usize> = (0..n).collect();
    fn find(f: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while let Some(&up) = f.get(r) {
            if up == r {
                break;
            }
            r = up;
        }
        r
    }
    for (i, d) in p.documents.iter().enumerate() {
        let links = d
            .replaces
            .iter()
            .map(|(o, _)| *o)
            .chain(d.amends.iter().map(|(o, _, _, _)| *o));
        for o in links {
            let (a, b) = (find(&mut fam, i), find(&mut fam, o as usize));
            if let Some(slot) = fam.get_mut(a) {
                *slot = b;
            }
        }
    }
    (0..n).map(|i| find(&mut fam, i)).collect()
}

/// `from 2024-01-01 to 2028-12-31`, or `from 2024-01-01` when open-ended.
fn period(d: &Document) -> String {
    match d.to {
        Some(t) => format!("from {} to {}", fmt_date(d.from), fmt_date(t)),
        None => format!("from {}", fmt_date(d.from)),
    }
}

fn fmt_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The checks of a family of documents: dangling amendments, provisions an
/// amendment redeclares without naming them, overlaps and gaps.
pub(crate) fn check(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    links(ctx);
    amendments(ctx, files);
    overlaps(ctx);
    gaps(ctx);
}

/// Replacements that loop, and amendments of amendments.
fn links(ctx: &mut Ctx) {
    let replacing = crate::walk::components(&replaces_graph(&ctx.p));
    let mut diags = Vec::new();
    for (i, d) in ctx.p.documents.iter().enumerate() {
        // Does `i` reach itself through `replaces`?
        let cycle = replacing.on_cycle(i);
        if cycle {
            diags.push(
                Diag::of(Problem::ReplacementCycle { id: d.id.clone() })
                    .label(d.span, "in a cycle of replacements"),
            );
        }
        for (t, from, _, _) in &d.amends {
            let Some(target) = ctx.p.documents.get(*t as usize) else {
                continue;
            };
            // The amendment applies from its date, while both documents are
            // in force: a window that may be empty.
            let first = (*from).max(d.from).max(target.from);
            let last = match (d.to, target.to) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(last) = last.filter(|l| *l < first) {
                let ends = if d.to == Some(last) {
                    &d.id
                } else {
                    &target.id
                };
                diags.push(
                    Diag::of(Problem::AmendmentNeverApplies {
                        id: d.id.clone(),
                        target: target.id.clone(),
                        from: fmt_date(first),
                        ends: ends.clone(),
                        until: fmt_date(last),
                    })
                    .label(d.span, "this amendment never takes effect")
                    .with_related(
                        Diag::of(Problem::InForcePeriod {
                            id: target.id.clone(),
                            period: period(target),
                        })
                        .label(target.span, "the amended document"),
                    ),
                );
            }
            if let Some((base, _, _, _)) = target.amends.first() {
                diags.push(
                    Diag::of(Problem::AmendsAmendment {
                        id: d.id.clone(),
                        target: target.id.clone(),
                        base: ctx.p.doc_id(*base).to_string(),
                    })
                    .label(d.span, "amends an amendment")
                    .with_related(
                        Diag::of(Problem::IsAnAmendment {
                            id: target.id.clone(),
                        })
                        .label(target.span, "an amendment"),
                    ),
                );
            }
        }
    }
    for d in diags {
        ctx.err(d);
    }
}

/// Per document, the names of its own rules and parameters, and the
/// documents it replaces.
struct OwnNames {
    rules: Vec<Vec<String>>,
    params: Vec<Vec<String>>,
    replaces: Vec<Vec<usize>>,
    /// Per document, its rules and its parameter versions (positions).
    rule_ids: Vec<Vec<usize>>,
    version_ids: Vec<Vec<usize>>,
    /// Each document's position by identifier (the first).
    by_id: HashMap<String, usize>,
}

impl OwnNames {
    fn new(ctx: &Ctx) -> OwnNames {
        let n = ctx.p.documents.len();
        let (mut rules, mut params) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        let (mut rule_ids, mut version_ids) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (i, r) in ctx.p.rules.iter().enumerate() {
            if let Some(x) = rules.get_mut(r.document as usize) {
                x.push(r.name.clone());
            }
            if let Some(x) = rule_ids.get_mut(r.document as usize) {
                x.push(i);
            }
        }
        for (i, v) in ctx.param_versions.iter().enumerate() {
            let name = ctx.p.params.get(v.param as usize).map(|x| x.name.clone());
            if let (Some(x), Some(name)) = (params.get_mut(v.doc as usize), name) {
                x.push(name);
            }
            if let Some(x) = version_ids.get_mut(v.doc as usize) {
                x.push(i);
            }
        }
        let mut by_id = HashMap::new();
        for (i, d) in ctx.p.documents.iter().enumerate() {
            by_id.entry(d.id.clone()).or_insert(i);
        }
        OwnNames {
            rules,
            params,
            replaces: replaces_graph(&ctx.p),
            rule_ids,
            version_ids,
            by_id,
        }
    }

    /// The rule and parameter names a document has, with those it continues
    /// (from every document it replaces, directly or not).
    fn of(&self, doc: usize) -> (BTreeSet<String>, BTreeSet<String>) {
        let mut rules = BTreeSet::new();
        let mut params = BTreeSet::new();
        let mut seen = HashSet::from([doc]);
        let mut stack = vec![doc];
        while let Some(d) = stack.pop() {
            rules.extend(self.rules.get(d).into_iter().flatten().cloned());
            params.extend(self.params.get(d).into_iter().flatten().cloned());
            for &old in self.replaces.get(d).into_iter().flatten() {
                if old < self.replaces.len() && seen.insert(old) {
                    stack.push(old);
                }
            }
        }
        (rules, params)
    }
}

fn amendments(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    let own = OwnNames::new(ctx);
    for (me, d) in super::headers(&ctx.p, files) {
        for a in &d.amends {
            let Some(&target) = own.by_id.get(&a.document.value) else {
                continue; // reported as an unknown document
            };
            let target_span = ctx
                .p
                .documents
                .get(target)
                .map(|x| x.span)
                .unwrap_or_default();
            let (rules, params) = own.of(target);
            let lists = [
                ("rule", &a.rules, &rules),
                ("parameter", &a.parameters, &params),
            ];
            for (what, listed, have) in lists {
                for n in listed {
                    if have.contains(&n.name) {
                        continue;
                    }
                    // A name cut short (`max_advances`) is a likelier slip than a far edit.
                    let prefixed = have.iter().find(|h| h.starts_with(n.name.as_str()));
                    let suggestion = match prefixed {
                        Some(h) => Some(h.clone()),
                        None => suggest(&n.name, have.iter().map(String::as_str))
                            .map(str::to_string),
                    };
                    ctx.err(
                        Diag::of(Problem::DanglingAmendment {
                            id: d.id.value.clone(),
                            what: what.to_string(),
                            name: n.name.clone(),
                            target: a.document.value.clone(),
                            suggestion,
                        })
                        .label(n.loc.0, format!("no such {what} in the amended document"))
                        .with_related(
                            Diag::of(Problem::AmendedDocument {
                                id: a.document.value.clone(),
                            })
                            .label(target_span, "amended document"),
                        ),
                    );
                }
            }
            // Provisions the amendment redeclares without listing them.
            let listed: BTreeSet<&str> = a.rules.iter().map(|r| r.name.as_str()).collect();
            let clashes: Vec<(String, Span)> = at(&own.rule_ids, me)
                .iter()
                .filter_map(|i| ctx.p.rules.get(*i))
                .filter(|r| rules.contains(&r.name) && !listed.contains(r.name.as_str()))
                .map(|r| (r.name.clone(), r.span))
                .collect();
            let plisted: BTreeSet<&str> = a.parameters.iter().map(|r| r.name.as_str()).collect();
            let pclashes: Vec<(String, Span)> = at(&own.version_ids, me)
                .iter()
                .filter_map(|i| ctx.param_versions.get(*i))
                .filter_map(|v| ctx.p.params.get(v.param as usize).map(|x| (x, v.span)))
                .filter(|(x, _)| params.contains(&x.name) && !plisted.contains(x.name.as_str()))
                .map(|(x, s)| (x.name.clone(), s))
                .collect();
            for (what, list, clause) in [
                ("rule", clashes, "rules"),
                ("parameter", pclashes, "parameters"),
            ] {
                for (name, span) in list {
                    ctx.err(
                        Diag::of(Problem::UnlistedAmendment {
                            what: what.to_string(),
                            name: name.clone(),
                            id: d.id.value.clone(),
                            target: a.document.value.clone(),
                            clause: clause.to_string(),
                        })
                        .label(span, "redeclared here")
                        .with_related(
                            Diag::of(Problem::AmendmentClause)
                                .label(a.loc.0, format!("does not list `{name}`")),
                        ),
                    );
                }
            }
        }
    }
}

/// For each pair of unrelated base documents in force on the same day, the
/// outcomes both decide.
fn overlaps(ctx: &mut Ctx) {
    let fam = families(&ctx.p);
    let mut reported: BTreeSet<(usize, usize, OutcomeId)> = BTreeSet::new();
    let mut found = Vec::new();
    let mut preported: BTreeSet<(usize, usize, ParamId)> = BTreeSet::new();
    let mut pfound = Vec::new();
    let ix = Index::new(&ctx.p, &ctx.param_versions);
    for e in &ctx.p.epochs {
        let Some(date) = e.from else { continue };
        let roots = ix.roots(date);
        if roots.len() < 2 {
            continue;
        }
        let mut memo = HashMap::new();
        let provs: Vec<(usize, Provisions)> = roots
            .iter()
            .map(|r| (*r, ix.provisions(*r, date, 0, &mut memo)))
            .collect();
        // Per root, the first of its rules (in name order) deciding each outcome.
        let deciding: Vec<HashMap<OutcomeId, &Rule>> = provs
            .iter()
            .map(|(_, pr)| {
                let mut m = HashMap::new();
                for r in pr.rules.values() {
                    if let Some(rule) = ctx.p.rules.get(*r as usize) {
                        m.entry(rule.outcome).or_insert(rule);
                    }
                }
                m
            })
            .collect();
        for (i, (a, pa)) in provs.iter().enumerate() {
            for (j, (b, pb)) in provs.iter().enumerate().skip(i + 1) {
                if fam.get(*a) == fam.get(*b)
                    || ctx.docs_broken.contains(a)
                    || ctx.docs_broken.contains(b)
                {
                    continue;
                }
                for (pid, va) in &pa.params {
                    let Some(vb) = pb.params.get(pid) else {
                        continue;
                    };
                    if !preported.insert((*a, *b, *pid)) {
                        continue;
                    }
                    let spans = (
                        ctx.param_versions.get(*va).map(|v| v.span),
                        ctx.param_versions.get(*vb).map(|v| v.span),
                    );
                    if let (Some(sa), Some(sb)) = spans {
                        pfound.push((*a, *b, *pid, sa, sb, date));
                    }
                }
                for ra in pa.rules.values() {
                    let Some(rule_a) = ctx.p.rules.get(*ra as usize) else {
                        continue;
                    };
                    let rb = deciding
                        .get(j)
                        .and_then(|m| m.get(&rule_a.outcome))
                        .copied();
                    let Some(rule_b) = rb else { continue };
                    if !reported.insert((*a, *b, rule_a.outcome)) {
                        continue;
                    }
                    found.push((*a, *b, rule_a.clone(), rule_b.clone(), date));
                }
            }
        }
    }
    for (a, b, pid, sa, sb, date) in pfound {
        let (ida, idb) = (
            ctx.p.doc_id(a as DocId).to_string(),
            ctx.p.doc_id(b as DocId).to_string(),
        );
        let name = ctx
            .p
            .params
            .get(pid as usize)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        ctx.err(
            Diag::of(Problem::OverlappingParameter {
                a: ida.clone(),
                b: idb.clone(),
                name,
                date: fmt_date(date),
            })
            .label(sb, format!("set by `{idb}`"))
            .with_related(
                Diag::of(Problem::SetsItHere { id: ida.clone() })
                    .label(sa, format!("set by `{ida}`")),
            ),
        );
    }
    for (a, b, ra, rb, date) in found {
        let (ida, idb) = (
            ctx.p.doc_id(a as DocId).to_string(),
            ctx.p.doc_id(b as DocId).to_string(),
        );
        let oname = ctx
            .p
            .outcome(ra.outcome)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        ctx.err(
            Diag::of(Problem::OverlappingOutcome {
                a: ida.clone(),
                b: idb.clone(),
                outcome: oname.clone(),
                date: fmt_date(date),
            })
            .label(rb.span, format!("decides `{oname}` under `{idb}`"))
            .with_related(
                Diag::of(Problem::DecidesItHere {
                    id: ida.clone(),
                    outcome: oname.clone(),
                })
                .label(ra.span, format!("decides `{oname}` under `{ida}`")),
            ),
        );
    }
}

/// An outcome undecided in a gap: it, and a rule deciding it before and after.
type GapOutcome = (usize, RuleId, RuleId);

/// Days on which outcomes decided the day before and the day after are
/// decided by no document.
fn gaps(ctx: &mut Ctx) {
    let epochs = &ctx.p.epochs;
    let covered = |e: &Epoch, o: usize| -> Option<RuleId> {
        ctx.p.outcomes.get(o).and_then(|out| {
            out.rules
                .iter()
                .copied()
                .find(|r| e.rule_active.get(*r as usize).copied().unwrap_or(false))
        })
    };
    // (first uncovered epoch, last) -> outcomes, with the rules before and after.
    let mut runs: BTreeMap<(usize, usize), Vec<GapOutcome>> = BTreeMap::new();
    for o in 0..ctx.p.outcomes.len() {
        let mut i = 1;
        while i + 1 < epochs.len() {
            let Some(before) = epochs.get(i - 1).and_then(|e| covered(e, o)) else {
                i += 1;
                continue;
            };
            if epochs.get(i).and_then(|e| covered(e, o)).is_some() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < epochs.len() && epochs.get(j + 1).and_then(|e| covered(e, o)).is_none() {
                j += 1;
            }
            if let Some(after) = epochs.get(j + 1).and_then(|e| covered(e, o)) {
                runs.entry((i, j)).or_default().push((o, before, after));
            }
            i = j + 1;
        }
    }
    let mut diags = Vec::new();
    for ((i, j), outs) in runs {
        let (Some(first), Some(last)) = (epochs.get(i), epochs.get(j)) else {
            continue;
        };
        let (Some(from), Some(to)) = (first.from, last.to) else {
            continue;
        };
        let Some((_, before, after)) = outs.first().copied() else {
            continue;
        };
        let doc_of = |e: usize, r: RuleId| {
            epochs
                .get(e)
                .and_then(|x| x.rule_document.get(r as usize))
                .copied()
                .unwrap_or(0)
        };
        let (db, da) = (doc_of(i - 1, before), doc_of(j + 1, after));
        let (Some(dbefore), Some(dafter)) = (
            ctx.p.documents.get(db as usize),
            ctx.p.documents.get(da as usize),
        ) else {
            continue;
        };
        let mut names: Vec<String> = outs
            .iter()
            .filter_map(|(o, _, _)| ctx.p.outcomes.get(*o))
            .map(|o| format!("`{}`", o.name))
            .collect();
        let n = names.len();
        let listed = if n > 3 {
            names.truncate(2);
            format!("{} and {} other outcomes", names.join(", "), n - 2)
        } else {
            names.join(", ")
        };
        let period = if from == to {
            format!("on {}", fmt_date(from))
        } else {
            format!("from {} to {}", fmt_date(from), fmt_date(to))
        };
        diags.push(
            Diag::of(Problem::GapInForce {
                period,
                outcomes: listed,
                after: dafter.id.clone(),
                first_day: fmt_date(from),
                before: dbefore.id.clone(),
            })
            .label(
                dbefore.span,
                format!(
                    "`{}` decides it until {}",
                    dbefore.id,
                    fmt_date(from.pred_opt().unwrap_or(from))
                ),
            )
            .with_related(
                Diag::of(Problem::DecidedAgain {
                    id: dafter.id.clone(),
                    from: fmt_date(to.succ_opt().unwrap_or(to)),
                })
                .label(
                    dafter.span,
                    format!("in force from {}", fmt_date(to.succ_opt().unwrap_or(to))),
                ),
            ),
        );
    }
    for d in diags {
        ctx.err(d);
    }
}

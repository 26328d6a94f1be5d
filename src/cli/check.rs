//! `regula check`: every problem of a policy set, and the coverage of the law.
use super::errln;
use super::{checked, print, Exit, Out, PolicyArgs};
use crate::check::coverage;
use crate::diag::Code;
use std::fmt::Write;

/// Up to this many rules, `check` also proves there is no conflict and no
/// dead rule in any case (a few milliseconds for the shipped policies).
const CHEAP_VERIFY_RULES: usize = 300;

/// Arguments of `regula check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
    /// Print the coverage report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `regula check`.
pub fn run(a: CheckArgs, out: &Out) -> Exit {
    let c = match checked(&a.policies) {
        Ok(c) => c,
        Err(diags) => {
            out.diags(&diags, &crate::source::SourceMap::default());
            return Exit::Finding;
        }
    };
    // For a reader, uncovered paragraphs show in the coverage table; a
    // program reading plain or JSON diagnostics gets them as warnings too.
    let in_table = c.program.is_some() && out.format == crate::diag::ErrorFormat::Human;
    let shown: Vec<_> = c
        .diags
        .iter()
        .filter(|d| d.code != Code::UncoveredParagraph || !in_table)
        .cloned()
        .collect();
    out.diags(&shown, &c.sources);
    let mut errors = c.diags.iter().filter(|d| d.is_error()).count();
    let mut warnings = c.diags.len() - errors;
    // The cheap part of `regula verify`: conflicts and dead rules for every
    // case, when the set is small enough to stay fast (docs/verify.md).
    if let Some(p) = c.program.as_ref().filter(|_| errors == 0) {
        if p.rules.len() <= CHEAP_VERIFY_RULES {
            let r = crate::verify::verify_with(p, crate::verify::Scope::CHEAP);
            let found: Vec<_> = r
                .findings
                .iter()
                .map(|f| super::verify::diag(p, None, f, None, false))
                .collect();
            out.diags(&found, &c.sources);
            let e = found.iter().filter(|d| d.is_error()).count();
            errors += e;
            warnings += found.len() - e;
            if !r.undecided.is_empty() {
                errln!(
                    "note: {} question{} left undecided; run `regula verify` for the details",
                    r.undecided.len(),
                    plural(r.undecided.len())
                );
            }
        } else {
            errln!(
                "note: {} rules: conflicts and dead rules are not checked here; run `regula verify`",
                p.rules.len()
            );
        }
    }
    let Some(p) = &c.program else {
        errln!(
            "error: {errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        );
        return Exit::Finding;
    };
    let cov = coverage(p);
    if a.json {
        let j = serde_json::json!({
            "documents": p.documents.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
            "rules": p.rules.len(),
            "outcomes": p.outcomes.len() + 1,
            "facts": p.facts.len(),
            "errors": errors,
            "warnings": warnings,
            "coverage": cov,
            "correspondences": correspondences_json(p),
        });
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&j).unwrap_or_default()
        ));
    } else {
        let mut s = String::new();
        for d in &p.documents {
            let to =
                d.to.map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "…".into());
            let _ = writeln!(
                s,
                "{}  in force {} to {to}",
                d.id,
                d.from.format("%Y-%m-%d")
            );
            if let Some(r) = d.rank {
                let _ = writeln!(s, "  rank {}", r.name());
            }
            if let Some(o) = d.implements {
                let _ = writeln!(s, "  implements {}", p.doc_id(o));
            }
            if d.in_force_name != "in_force" {
                let _ = writeln!(s, "  in force reported as {}", d.in_force_name);
            }
            for (o, from) in &d.replaces {
                let _ = writeln!(
                    s,
                    "  replaces {} from {}",
                    p.doc_id(*o),
                    from.format("%Y-%m-%d")
                );
            }
            for (o, from, rules, params) in &d.amends {
                let mut what: Vec<String> = Vec::new();
                if !rules.is_empty() {
                    what.push(format!("rules {}", rules.join(", ")));
                }
                if !params.is_empty() {
                    what.push(format!("parameters {}", params.join(", ")));
                }
                let _ = writeln!(
                    s,
                    "  amends {} from {}: {}",
                    p.doc_id(*o),
                    from.format("%Y-%m-%d"),
                    what.join("; ")
                );
            }
        }
        let _ = writeln!(
            s,
            "{} rules, {} outcomes, {} facts, {} parameters",
            p.rules.len(),
            p.outcomes.len() + 1,
            p.facts.len(),
            p.params.len()
        );
        let _ = writeln!(s, "\ncoverage of the source text:");
        let mut current = "";
        for r in &cov.rows {
            // Several documents: a heading before each one's paragraphs.
            if p.documents.len() > 1 && r.document != current {
                let _ = writeln!(s, "  {}", r.document);
                current = &r.document;
            }
            let who = if !r.cited_by.is_empty() {
                r.cited_by.join(", ")
            } else if let Some(reason) = &r.not_encoded {
                format!("not encoded: {reason}")
            } else if !r.set_aside.is_empty() {
                "set aside clause by clause".to_string()
            } else {
                "NOT COVERED".to_string()
            };
            let _ = writeln!(s, "  {:<5} {}  {who}", r.paragraph, pad(&r.text, 24));
            if r.not_encoded.is_none() {
                for (clause, reason) in &r.set_aside {
                    let _ = writeln!(s, "          set aside「{clause}」: {reason}");
                }
            }
            for c in &r.uncovered {
                let _ = writeln!(s, "          NOT COVERED「{c}」");
            }
        }
        for (doc, articles) in &cov.missing_articles {
            let list: Vec<String> = articles.iter().map(u32::to_string).collect();
            let _ = writeln!(
                s,
                "\ngaps of the source: `{doc}`'s text lacks article{} {} (absent from the source, not left unencoded)",
                plural(articles.len()),
                list.join(", ")
            );
        }
        correspondences_text(p, &mut s);
        let covered = cov.rows.len() - cov.uncovered();
        let (clauses, clauses_covered) = cov.clauses();
        let _ = writeln!(
            s,
            "\n{clauses_covered}/{clauses} clauses covered, {covered}/{} paragraphs fully; {errors} error{}, {warnings} warning{}",
            cov.rows.len(),
            plural(errors),
            plural(warnings)
        );
        print(&s);
    }
    if errors > 0 {
        Exit::Finding
    } else {
        Exit::Ok
    }
}

/// The declared correspondences and known differences, as notes.
fn correspondences_text(p: &crate::program::Program, s: &mut String) {
    if p.pairs().is_empty() && p.differences().is_empty() {
        return;
    }
    let _ = writeln!(s, "\ncorrespondences with higher documents:");
    for pair in p.pairs() {
        let name = |o| p.outcome(o).map(|x| x.name.as_str()).unwrap_or("");
        let mut line = format!(
            "  note: {} ↔ {}  {}",
            name(pair.outcome),
            name(pair.superior),
            pair.question
        );
        let same = pair_same(p, pair);
        if !same.is_empty() {
            line.push_str(&format!("; same: {}", same.join(", ")));
        }
        if pair.agrees {
            line.push_str("; declared to agree");
        }
        let _ = writeln!(s, "{line}");
    }
    for d in p.differences() {
        let _ = writeln!(
            s,
            "  note: known difference, not paired: {} {} against {} {}: {}",
            p.doc_id(d.document),
            d.cite,
            p.doc_id(d.superior),
            d.superior_cite,
            d.note
        );
    }
}

/// A pair's equivalences as `lower = higher`.
fn pair_same(p: &crate::program::Program, pair: &crate::program::Pair) -> Vec<String> {
    let (Some(a), Some(b)) = (p.outcome(pair.outcome), p.outcome(pair.superior)) else {
        return Vec::new();
    };
    let (crate::program::Type::Enum(ea), crate::program::Type::Enum(eb)) = (a.ty, b.ty) else {
        return Vec::new();
    };
    pair.same
        .iter()
        .map(|(x, y)| format!("{} = {}", p.variant(ea, *x).0, p.variant(eb, *y).0))
        .collect()
}

fn correspondences_json(p: &crate::program::Program) -> serde_json::Value {
    let name = |o| p.outcome(o).map(|x| x.name.clone()).unwrap_or_default();
    serde_json::json!({
        "pairs": p.pairs().iter().map(|pair| serde_json::json!({
            "outcome": name(pair.outcome),
            "superior_outcome": name(pair.superior),
            "question": pair.question,
            "same": pair_same(p, pair),
            "agrees": pair.agrees,
        })).collect::<Vec<_>>(),
        "differences": p.differences().iter().map(|d| serde_json::json!({
            "document": p.doc_id(d.document),
            "cite": d.cite,
            "superior_document": p.doc_id(d.superior),
            "superior_cite": d.superior_cite,
            "note": d.note,
        })).collect::<Vec<_>>(),
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Pads to a display width (CJK characters are two columns).
fn pad(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width * 2 {
            break;
        }
        out.push(c);
        w += cw;
    }
    while w < width * 2 {
        out.push(' ');
        w += 1;
    }
    out
}

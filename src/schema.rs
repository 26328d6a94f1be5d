//! The JSON Schema of a case, generated from a program's fact declarations:
//! nested objects by the facts' dotted names, each fact with its type, its
//! label as `title`, an enum's values with their labels, dates as
//! `format: date`, counts with their lower bound. `regula schema` prints
//! it and `regula serve` serves it at `/v1/schema`.
use crate::program::{Program, Type};
use serde_json::{json, Map, Value as J};

/// The JSON Schema (draft 2020-12) of a case for the program.
pub fn case_schema(p: &Program) -> J {
    let mut root = Map::new();
    root.insert(
        "as_of".into(),
        json!({
            "title": "评估日期",
            "description": "the assessment date; deadlines and validity are judged on it",
            "type": ["string", "null"],
            "format": "date",
        }),
    );
    for f in &p.facts {
        let parts: Vec<&str> = f.name.split('.').collect();
        insert(p, &mut root, &parts, "", fact_schema(p, f));
    }
    let title = p
        .documents
        .first()
        .map(|d| format!("{} 案件", d.id))
        .unwrap_or_else(|| "case".into());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": "A case: every fact is optional, and an absent or null fact is unknown.",
        "type": "object",
        "additionalProperties": false,
        "properties": root,
    })
}

/// Puts a fact's schema at its dotted path, making the objects on the way.
fn insert(p: &Program, at: &mut Map<String, J>, parts: &[&str], prefix: &str, leaf: J) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if rest.is_empty() {
        at.insert(first.to_string(), leaf);
        return;
    }
    let name = if prefix.is_empty() {
        first.to_string()
    } else {
        format!("{prefix}.{first}")
    };
    let slot = at.entry(first.to_string()).or_insert_with(|| {
        let mut o = Map::new();
        if let Some(g) = p.groups.iter().find(|x| x.name == name) {
            o.insert("title".into(), J::from(g.label.clone()));
        }
        o.insert("type".into(), json!(["object", "null"]));
        o.insert("additionalProperties".into(), J::Bool(false));
        o.insert("properties".into(), J::Object(Map::new()));
        J::Object(o)
    });
    // A fact and a group of the same name: the checker refuses it.
    if let Some(props) = slot
        .as_object_mut()
        .and_then(|o| o.get_mut("properties"))
        .and_then(J::as_object_mut)
    {
        insert(p, props, rest, &name, leaf);
    }
}

/// One fact's schema: its type, label and values.
fn fact_schema(p: &Program, f: &crate::program::Fact) -> J {
    let mut s = Map::new();
    s.insert("title".into(), J::from(f.label.clone()));
    match f.ty {
        Type::Bool => {
            s.insert("type".into(), json!(["boolean", "null"]));
        }
        Type::Int => {
            s.insert("type".into(), json!(["integer", "null"]));
            if let Some(min) = f.min {
                s.insert("minimum".into(), J::from(min));
            }
        }
        Type::Date => {
            s.insert("type".into(), json!(["string", "null"]));
            s.insert("format".into(), J::from("date"));
        }
        Type::Enum(e) => {
            let variants = p.enums.get(e as usize).map_or(&[][..], |t| &t.variants);
            let mut one_of: Vec<J> = variants
                .iter()
                .map(|(name, label)| json!({"const": name, "title": label}))
                .collect();
            one_of.push(json!({"type": "null"}));
            s.insert("oneOf".into(), J::Array(one_of));
        }
        _ => {
            s.insert("type".into(), json!(["string", "null"]));
        }
    }
    J::Object(s)
}

//! A generator of random, well-typed policy sets as source text: documents
//! (a base document, optionally a successor that `replaces` it and an
//! amendment that `amends` it), their verbatim source texts whose paragraphs
//! the rules cite and quote exactly, policy files using every construct of
//! the language, and random JSON cases for them.
//!
//! Every choice is drawn from an [`Entropy`]: a seed ([`Seeded`]) for
//! property tests, or arbitrary bytes ([`Bytes`]) for fuzzing.
use crate::load::RawSet;
use std::fmt::Write as _;

/// A source of choices.
pub trait Entropy {
    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u32) -> u32;
}

/// Choices from a 64-bit seed (splitmix64).
#[derive(Clone, Debug)]
pub struct Seeded(u64);

impl Seeded {
    /// A source seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Seeded(seed)
    }
}

impl Entropy for Seeded {
    fn below(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        if n == 0 {
            0
        } else {
            (z % u64::from(n)) as u32
        }
    }
}

/// Choices read from bytes, one byte per choice; once the bytes are
/// exhausted, from a [`Seeded`] source seeded with a hash of them, so that a
/// short fuzzing input still gives a program of every construct while its
/// bytes steer the first choices.
#[derive(Clone, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
    rest: Seeded,
}

impl<'a> Bytes<'a> {
    /// Choices from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        // FNV-1a: a stable hash, whatever the platform.
        let hash = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        Bytes {
            data,
            pos: 0,
            rest: Seeded::new(hash),
        }
    }
}

impl Entropy for Bytes<'_> {
    fn below(&mut self, n: u32) -> u32 {
        if n <= 1 {
            return 0;
        }
        match self.data.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                u32::from(*b) % n
            }
            None => self.rest.below(n),
        }
    }
}

/// A generated policy set: its files, by path.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    /// Path (`a/00-document.policy`, `a/a.zh.txt`) and text.
    pub files: Vec<(String, String)>,
}

impl PolicySet {
    /// A set from files given by path and text.
    pub fn from_files(files: &[(&str, &str)]) -> Self {
        PolicySet {
            files: files
                .iter()
                .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
                .collect(),
        }
    }

    /// The files as the checker reads them.
    pub fn raw(&self) -> RawSet {
        let mut raw = RawSet::default();
        for (name, text) in &self.files {
            if name.ends_with(".policy") {
                raw.policies.push((name.clone(), text.clone()));
            } else {
                raw.others.insert(name.clone(), text.clone());
            }
        }
        raw.policies.sort();
        raw
    }

    /// Every file, for a failure message.
    pub fn listing(&self) -> String {
        let mut s = String::new();
        for (name, text) in &self.files {
            let _ = writeln!(s, "==== {name}\n{text}");
        }
        s
    }
}

/// A generated policy set and cases for it.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// The policy set.
    pub set: PolicySet,
    /// JSON cases, each with an `as_of`.
    pub cases: Vec<String>,
}

/// The value types of the generated vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Date,
    Text,
    Kind,
    Tier,
}

/// A definition's parameter type: a value type or the record `Order`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PTy {
    Val(Ty),
    Order,
}

const TYPES: [Ty; 6] = [Ty::Bool, Ty::Int, Ty::Date, Ty::Text, Ty::Kind, Ty::Tier];

fn type_name(t: Ty) -> &'static str {
    match t {
        Ty::Bool => "bool",
        Ty::Int => "int",
        Ty::Date => "date",
        Ty::Text => "text",
        Ty::Kind => "Kind",
        Ty::Tier => "Tier",
    }
}

const KIND: [&str; 3] = ["ka", "kb", "kc"];
const TIER: [&str; 2] = ["low", "high"];
const TEXTS: [&str; 3] = ["甲方", "乙方", ""];
/// Integers: small ones, and large ones whose sums and products overflow.
const INTS: [&str; 12] = [
    "0",
    "1",
    "2",
    "3",
    "7",
    "10",
    "100",
    "9223372036854775807",
    "4611686018427387904",
    "3037000500",
    "768614336404564650",
    "5",
];
/// Dates: month ends for the roundings, leap days, document boundaries,
/// the calendar's last years.
const DATES: [&str; 12] = [
    "2024-01-31",
    "2024-02-29",
    "2023-02-28",
    "2020-01-01",
    "2024-12-31",
    "2025-01-01",
    "2022-07-01",
    "2021-03-31",
    "2023-08-31",
    "9999-12-31",
    "0001-01-01",
    "2026-05-15",
];
/// Dates a case is assessed on: inside, at and just outside every period.
const AS_OF: [&str; 14] = [
    "2019-12-31",
    "2020-01-01",
    "2021-06-15",
    "2022-06-30",
    "2022-07-01",
    "2023-01-01",
    "2023-12-31",
    "2024-12-31",
    "2025-01-01",
    "2026-03-01",
    "2026-12-31",
    "2027-01-01",
    "2027-12-31",
    "2028-01-01",
];

const NUMERALS: [&str; 9] = ["一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A definition's signature.
#[derive(Clone, Debug)]
struct DefSig {
    name: String,
    params: Vec<PTy>,
    ret: Ty,
}

/// What an expression may read.
#[derive(Clone, Debug, Default)]
struct Scope {
    /// Facts (record fields included) by dotted name.
    facts: Vec<(String, Ty)>,
    /// Record facts of type `Order`.
    records: Vec<String>,
    /// Outcomes readable here.
    outcomes: Vec<(String, Ty)>,
    /// Parameters.
    params: Vec<(String, Ty)>,
    /// Parameters of the definition being written.
    locals: Vec<(String, PTy)>,
    /// Definitions callable here.
    defs: Vec<DefSig>,
}

/// One document being written.
struct Doc {
    id: String,
    dir: &'static str,
    /// Paragraphs per article (article numbers from 1).
    articles: Vec<Vec<String>>,
    header: String,
    body: String,
}

impl Doc {
    fn new(id: &str, dir: &'static str, articles: usize, g: &mut Gen) -> Doc {
        let mut arts = Vec::new();
        for a in 1..=articles {
            let n = 2 + g.below(2) as usize;
            let paras = (1..=n)
                .map(|p| {
                    let phrase = [
                        "符合规定条件的，依照本款处理",
                        "未按照规定办理的，由主管部门责令改正",
                        "期限届满前提出申请的，应当予以受理",
                        "当事人另有约定的，从其约定",
                    ][g.below(4) as usize];
                    format!("{dir}文第{a}条第{p}款：{phrase}，并自决定之日起执行。")
                })
                .collect();
            arts.push(paras);
        }
        Doc {
            id: id.to_string(),
            dir,
            articles: arts,
            header: String::new(),
            body: String::new(),
        }
    }

    /// A citation of a random paragraph, quoting part of it exactly (at
    /// times with blanks, which the check ignores).
    fn cite(&self, g: &mut Gen) -> String {
        let a = g.below(self.articles.len() as u32) as usize;
        let paras = self.articles.get(a).cloned().unwrap_or_default();
        let p = g.below(paras.len() as u32) as usize;
        let text = paras.get(p).cloned().unwrap_or_default();
        let quote: String = match g.below(3) {
            0 => text.trim_end_matches('。').to_string(),
            1 => text
                .split('：')
                .nth(1)
                .unwrap_or("")
                .split('，')
                .next()
                .unwrap_or("")
                .to_string(),
            _ => text.split('：').next().unwrap_or("").replace('第', " 第"),
        };
        let quote = if quote.trim().is_empty() {
            text.clone()
        } else {
            quote
        };
        format!("cites {}.{} \"{}\"", a + 1, p + 1, quote.trim())
    }

    fn source_text(&self, in_force_sentence: &str) -> String {
        let mut s = format!("{}\n\n（随机生成的测试文本，并非真实文件。）\n\n", self.id);
        for (a, paras) in self.articles.iter().enumerate() {
            let numeral = NUMERALS.get(a).copied().unwrap_or("九");
            let _ = writeln!(s, "{numeral}、关于第{}部分的问题\n", a + 1);
            for p in paras {
                let _ = writeln!(s, "{p}\n");
            }
        }
        let numeral = NUMERALS.get(self.articles.len()).copied().unwrap_or("九");
        let _ = writeln!(
            s,
            "{numeral}、其他事项\n\n{in_force_sentence}\n\n本{}由主管部门负责解释。\n\n主管部门\n\n2019 年 12 月 1 日",
            self.dir
        );
        s
    }

    /// The article of the in-force sentence.
    fn last_article(&self) -> usize {
        self.articles.len() + 1
    }
}

/// The generator's state: the entropy and counters.
struct Gen<'e> {
    e: &'e mut dyn Entropy,
}

impl Gen<'_> {
    fn below(&mut self, n: u32) -> u32 {
        self.e.below(n)
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u32) -> bool {
        self.below(100) < pct
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        let i = self.below(u32::try_from(xs.len()).unwrap_or(u32::MAX)) as usize;
        xs.get(i)
    }
    fn pick_str(&mut self, xs: &[&str]) -> String {
        self.pick(xs).copied().unwrap_or_default().to_string()
    }

    /// A constant of a type.
    fn constant(&mut self, t: Ty) -> String {
        match t {
            Ty::Bool => self.pick_str(&["true", "false"]),
            Ty::Int => {
                let n = self.pick_str(&INTS);
                if self.chance(15) {
                    format!("(-{n})")
                } else {
                    n
                }
            }
            Ty::Date => self.pick_str(&DATES),
            Ty::Text => format!("\"{}\"", self.pick_str(&TEXTS)),
            Ty::Kind => {
                let v = self.pick_str(&KIND);
                if self.chance(30) {
                    format!("Kind.{v}")
                } else {
                    v
                }
            }
            Ty::Tier => {
                let v = self.pick_str(&TIER);
                if self.chance(30) {
                    format!("Tier.{v}")
                } else {
                    v
                }
            }
        }
    }

    /// A leaf of a type: a constant or a name readable in the scope.
    /// A decimal literal: a percentage, a fraction, a negative one.
    fn decimal(&mut self) -> String {
        self.pick_str(&["10%", "0.5", "2.25", "(-(1.5))", "100%", "0.333", "12.5%"])
    }

    fn leaf(&mut self, t: Ty, sc: &Scope) -> String {
        let mut names: Vec<String> = Vec::new();
        names.extend(sc.facts.iter().filter(|f| f.1 == t).map(|f| f.0.clone()));
        names.extend(sc.params.iter().filter(|f| f.1 == t).map(|f| f.0.clone()));
        names.extend(sc.outcomes.iter().filter(|f| f.1 == t).map(|f| f.0.clone()));
        for (n, pt) in &sc.locals {
            match pt {
                PTy::Val(x) if *x == t => {
                    // Locals are favoured: a definition should use its arguments.
                    names.push(n.clone());
                    names.push(n.clone());
                }
                PTy::Order => match t {
                    Ty::Bool => names.push(format!("{n}.issued")),
                    Ty::Date => names.push(format!("{n}.deadline")),
                    Ty::Int => names.push(format!("{n}.count")),
                    _ => {}
                },
                _ => {}
            }
        }
        if t == Ty::Date && self.chance(15) {
            return "as_of".into();
        }
        if names.is_empty() || self.chance(35) {
            return self.constant(t);
        }
        self.pick(&names).cloned().unwrap_or_else(|| "true".into())
    }

    /// An expression of a type, at most `depth` operators deep; compound
    /// operands are parenthesised.
    fn expr(&mut self, t: Ty, depth: u32, sc: &Scope) -> String {
        if depth == 0 || self.chance(30) {
            return self.leaf(t, sc);
        }
        let d = depth - 1;
        // A call of a definition returning the type.
        let callable: Vec<DefSig> = sc.defs.iter().filter(|x| x.ret == t).cloned().collect();
        if !callable.is_empty() && self.chance(20) {
            if let Some(def) = self.pick(&callable).cloned() {
                return self.call(&def, d, sc);
            }
        }
        if self.chance(12) {
            let c = self.expr(Ty::Bool, d, sc);
            let a = self.expr(t, d, sc);
            let b = self.expr(t, d, sc);
            return format!("(if {c} then {a} else {b})");
        }
        match t {
            Ty::Bool => match self.below(9) {
                0 => format!("(not {})", self.expr(Ty::Bool, d, sc)),
                1 => format!(
                    "({} and {})",
                    self.expr(Ty::Bool, d, sc),
                    self.expr(Ty::Bool, d, sc)
                ),
                2 => format!(
                    "({} or {})",
                    self.expr(Ty::Bool, d, sc),
                    self.expr(Ty::Bool, d, sc)
                ),
                // An int against a decimal, compared exactly.
                3 if self.chance(30) => {
                    let dec = self.decimal();
                    let op = self.pick_str(&["<", "<=", ">", ">=", "=", "!="]);
                    format!(
                        "({} {op} {} * {dec})",
                        self.expr(Ty::Int, d, sc),
                        self.expr(Ty::Int, d, sc)
                    )
                }
                3 | 4 => {
                    let ot = *self.pick(&[Ty::Int, Ty::Date]).unwrap_or(&Ty::Int);
                    let op = self.pick_str(&["<", "<=", ">", ">=", "=", "!="]);
                    format!("({} {op} {})", self.expr(ot, d, sc), self.expr(ot, d, sc))
                }
                5 => {
                    let ot = *self.pick(&TYPES).unwrap_or(&Ty::Bool);
                    let op = self.pick_str(&["=", "!="]);
                    format!("({} {op} {})", self.expr(ot, d, sc), self.expr(ot, d, sc))
                }
                6 | 7 => {
                    let ot = *self
                        .pick(&[Ty::Kind, Ty::Tier, Ty::Int, Ty::Text])
                        .unwrap_or(&Ty::Kind);
                    let n = 1 + self.below(3);
                    let items: Vec<String> = (0..n)
                        .map(|_| {
                            // Set elements are constants; no parenthesised negatives.
                            let c = self.constant(ot);
                            c.trim_start_matches("(-").trim_end_matches(')').to_string()
                        })
                        .collect();
                    let op = self.pick_str(&["in", "not in"]);
                    format!("({} {op} {{{}}})", self.expr(ot, d, sc), items.join(", "))
                }
                _ => self.leaf(Ty::Bool, sc),
            },
            Ty::Int => match self.below(8) {
                0 => format!(
                    "({} + {})",
                    self.expr(Ty::Int, d, sc),
                    self.expr(Ty::Int, d, sc)
                ),
                1 => format!(
                    "({} - {})",
                    self.expr(Ty::Int, d, sc),
                    self.expr(Ty::Int, d, sc)
                ),
                2 | 3 => {
                    format!(
                        "({} * {})",
                        self.expr(Ty::Int, d, sc),
                        self.expr(Ty::Int, d, sc)
                    )
                }
                4 => format!("(-({}))", self.expr(Ty::Int, d, sc)),
                5 => format!(
                    "({} - {})",
                    self.expr(Ty::Date, d, sc),
                    self.expr(Ty::Date, d, sc)
                ),
                // An exact decimal rounded back to an integer: products,
                // quotients (by zero too) and negatives.
                6 => {
                    let dec = self.decimal();
                    let r = self.pick_str(&["up", "down"]);
                    format!(
                        "((({} * {dec}) / ({} - {dec})) round {r})",
                        self.expr(Ty::Int, d, sc),
                        self.expr(Ty::Int, d, sc)
                    )
                }
                _ => self.leaf(Ty::Int, sc),
            },
            Ty::Date => {
                let base = self.expr(Ty::Date, d, sc);
                let n = self.expr(Ty::Int, d, sc);
                let op = self.pick_str(&["+", "-"]);
                match self.below(3) {
                    0 => {
                        let unit = self.pick_str(&["days", "day"]);
                        if op == "+" && self.chance(30) {
                            // A duration may come first in a sum.
                            format!("(({n}) {unit} + {base})")
                        } else {
                            format!("({base} {op} ({n}) {unit})")
                        }
                    }
                    1 => {
                        let unit = self.pick_str(&["months", "month", "years", "year"]);
                        let r = self.pick_str(&["up", "down"]);
                        if op == "+" && self.chance(30) {
                            format!("(({n}) {unit} round {r} + {base})")
                        } else {
                            format!("({base} {op} ({n}) {unit} round {r})")
                        }
                    }
                    _ => self.leaf(Ty::Date, sc),
                }
            }
            Ty::Text | Ty::Kind | Ty::Tier => self.leaf(t, sc),
        }
    }

    /// A call of a definition with arguments of its parameter types.
    fn call(&mut self, def: &DefSig, depth: u32, sc: &Scope) -> String {
        let args: Vec<String> = def
            .params
            .iter()
            .map(|pt| match pt {
                PTy::Val(t) => self.expr(*t, depth, sc),
                PTy::Order => {
                    let mut rs: Vec<String> = sc.records.clone();
                    rs.extend(
                        sc.locals
                            .iter()
                            .filter(|(_, p)| *p == PTy::Order)
                            .map(|(n, _)| n.clone()),
                    );
                    self.pick(&rs).cloned().unwrap_or_else(|| "ord0".into())
                }
            })
            .collect();
        format!("{}({})", def.name, args.join(", "))
    }
}

/// A rule being written, before it is printed.
struct RuleDraft {
    name: String,
    outcome: usize,
    /// Position in the global order of rule names: a rule may only be an
    /// exception to rules before it, so exceptions never form a cycle.
    rank: usize,
}

/// Generates a policy set and cases for it.
pub fn generate(e: &mut dyn Entropy) -> Generated {
    let mut g = Gen { e };
    let mut sc = Scope::default();

    // ---- vocabulary, shared by every document (declared in the base one).
    let mut vocab = String::new();
    vocab.push_str(
        "enum Kind \"种类\" { ka \"甲类\"  kb \"乙类\"  kc \"丙类\" }\n\
         enum Tier \"等级\" { low \"低\"  high \"高\" }\n\
         record Order \"整改指令\" {\n  issued : bool \"已责令整改\"\n  deadline : date \"整改期限\"\n  count : int >= 0 \"次数\"\n}\n\n",
    );
    let mut fact_decls: Vec<(String, String)> = Vec::new(); // name, JSON kind
    for t in TYPES {
        let n = 1 + g.below(2);
        for k in 0..n {
            let name = match (t, k) {
                (Ty::Int, 1) => "grp.count".to_string(),
                _ => format!("f_{}{k}", type_name(t).to_lowercase()),
            };
            let bound = if name == "grp.count" { " >= 0" } else { "" };
            let _ = writeln!(
                vocab,
                "fact {name} : {}{bound} \"事实{name}\"",
                type_name(t)
            );
            sc.facts.push((name.clone(), t));
            fact_decls.push((
                name.clone(),
                if bound.is_empty() {
                    type_name(t).to_string()
                } else {
                    "count".into()
                },
            ));
        }
    }
    let records = 1 + g.below(2);
    for k in 0..records {
        let name = format!("ord{k}");
        let _ = writeln!(vocab, "fact {name} : Order \"指令{k}\"");
        sc.records.push(name.clone());
        sc.facts.push((format!("{name}.issued"), Ty::Bool));
        sc.facts.push((format!("{name}.deadline"), Ty::Date));
        sc.facts.push((format!("{name}.count"), Ty::Int));
        fact_decls.push((format!("{name}.issued"), "bool".into()));
        fact_decls.push((format!("{name}.deadline"), "date".into()));
        fact_decls.push((format!("{name}.count"), "count".into()));
    }
    vocab.push('\n');

    // ---- documents.
    let mut a = Doc::new("随机文件A", "a", 3, &mut g);
    let with_amendment = g.chance(50);
    let with_successor = g.chance(60);
    let mut c = Doc::new("随机文件C（修正）", "c", 2, &mut g);
    let mut b = Doc::new("随机文件B（继任）", "b", 2, &mut g);

    // ---- parameters (values may change on a date).
    let mut params_text = String::new();
    let nparams = 1 + g.below(3);
    for k in 0..nparams {
        let t = *g
            .pick(&[Ty::Int, Ty::Date, Ty::Bool, Ty::Kind])
            .unwrap_or(&Ty::Int);
        let name = format!("p{k}");
        let first = param_const(&mut g, t);
        let mut line = format!("parameter {name} : {} \"参数{k}\" = {first}", type_name(t));
        if g.chance(50) {
            let second = param_const(&mut g, t);
            let from = g.pick_str(&["2023-01-01", "2021-06-15", "2025-01-01"]);
            let _ = write!(line, ", {second} from {from}");
        }
        if g.chance(70) {
            let _ = write!(line, "\n  {}", a.cite(&mut g));
        }
        let _ = writeln!(params_text, "{line}\n");
        sc.params.push((name, t));
    }

    // ---- definitions: later ones may call earlier ones; some arguments unused.
    let mut defs_text = String::new();
    let ndefs = 1 + g.below(4);
    for k in 0..ndefs {
        let ret = *g.pick(&TYPES).unwrap_or(&Ty::Bool);
        let np = g.below(4);
        let params: Vec<PTy> = (0..np)
            .map(|_| {
                if g.chance(20) {
                    PTy::Order
                } else {
                    PTy::Val(*g.pick(&TYPES).unwrap_or(&Ty::Int))
                }
            })
            .collect();
        let name = format!("def{k}");
        let mut inner = sc.clone();
        inner.locals = params
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("x{i}"), *p))
            .collect();
        // At times a body that ignores its arguments entirely.
        if g.chance(25) {
            inner.locals.clear();
        }
        let body = g.expr(ret, 2, &inner);
        let plist: Vec<String> = params
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                PTy::Val(t) => format!("x{i}: {}", type_name(*t)),
                PTy::Order => format!("x{i}: Order"),
            })
            .collect();
        let label = if g.chance(70) {
            format!(" \"定义{k}\"")
        } else {
            String::new()
        };
        let _ = writeln!(
            defs_text,
            "define {name}({}) : {}{label} =\n  {body}\n",
            plist.join(", "),
            type_name(ret)
        );
        sc.defs.push(DefSig { name, params, ret });
    }

    // ---- outcomes: each reads only outcomes declared before it.
    let nout = 2 + g.below(5) as usize;
    let mut outcomes: Vec<(String, Ty)> = Vec::new();
    let mut outcome_text = String::new();
    for k in 0..nout {
        let t = *g.pick(&TYPES).unwrap_or(&Ty::Bool);
        let name = if k % 2 == 0 {
            format!("out{k}")
        } else {
            format!("res.o{k}")
        };
        let mut line = format!("outcome {name} : {} \"结论{k}\"", type_name(t));
        if g.chance(30) {
            let mut dsc = sc.clone();
            dsc.outcomes.clear();
            let d = g.expr(t, 2, &dsc);
            let _ = write!(line, "\n  default {d}");
        }
        let _ = writeln!(outcome_text, "{line}\n");
        outcomes.push((name, t));
    }

    // ---- rules of the base document.
    let mut drafts: Vec<RuleDraft> = Vec::new();
    let mut rank = 0;
    for (i, _) in outcomes.iter().enumerate() {
        let n = 1 + g.below(4);
        for k in 0..n {
            drafts.push(RuleDraft {
                name: format!("r{i}_{k}"),
                outcome: i,
                rank,
            });
            rank += 1;
        }
    }
    let mut a_rules = String::new();
    for r in &drafts {
        let text = rule_text(&mut g, &a, r, &drafts, &outcomes, &sc);
        a_rules.push_str(&text);
    }

    // ---- the amendment: replaces or repeals some base rules, adds its own.
    let mut c_listed: Vec<String> = Vec::new();
    if with_amendment {
        let k = 1 + g.below(2);
        for _ in 0..k {
            if let Some(r) = g.pick(&drafts) {
                if !c_listed.contains(&r.name) {
                    c_listed.push(r.name.clone());
                }
            }
        }
        let mut body = String::new();
        for name in &c_listed {
            // Some listed rules are redeclared (replaced), the others repealed.
            if g.chance(70) {
                if let Some(orig) = drafts.iter().find(|d| d.name == *name) {
                    body.push_str(&rule_text(&mut g, &c, orig, &drafts, &outcomes, &sc));
                }
            }
        }
        if g.chance(60) {
            let o = g.below(outcomes.len() as u32) as usize;
            let d = RuleDraft {
                name: "rc_new".into(),
                outcome: o,
                rank,
            };
            body.push_str(&rule_text(&mut g, &c, &d, &drafts, &outcomes, &sc));
        }
        let mut plisted = Vec::new();
        if g.chance(40) {
            if let Some((pname, pt)) = g.pick(&sc.params).cloned() {
                let v = param_const(&mut g, pt);
                let _ = writeln!(
                    body,
                    "parameter {pname} : {} \"参数修正\" = {v}\n",
                    type_name(pt)
                );
                plisted.push(pname);
            }
        }
        let from = g.pick_str(&["2022-07-01", "2023-01-01"]);
        let to = if g.chance(50) { "" } else { " to 2026-12-31" };
        let mut amends = format!(
            "  amends \"{}\" from {from} rules {}",
            a.id,
            c_listed.join(", ")
        );
        if !plisted.is_empty() {
            let _ = write!(amends, " parameters {}", plisted.join(", "));
        }
        c.header = format!(
            "document \"{}\"\n  issuer \"主管部门\"\n  issued 2022-06-01\n  source \"c.zh.txt\"\n  in force from 2022-07-01{to}\n{amends}\n",
            c.id
        );
        c.body = body;
    }

    // ---- the successor: replaces the base, redeclares some rules, adds its own.
    let (a_to, b_from) = match g.below(3) {
        0 => (" to 2024-12-31", "2025-01-01"),
        1 => (" to 2026-06-30", "2025-01-01"),
        _ => ("", "2025-01-01"),
    };
    let a_to = if with_successor {
        a_to
    } else {
        match g.below(2) {
            0 => " to 2026-12-31",
            _ => "",
        }
    };
    if with_successor {
        let mut body = String::new();
        let k = g.below(3);
        let mut redeclared: Vec<String> = Vec::new();
        for _ in 0..k {
            if let Some(orig) = g.pick(&drafts) {
                if redeclared.contains(&orig.name) {
                    continue;
                }
                redeclared.push(orig.name.clone());
                body.push_str(&rule_text(&mut g, &b, orig, &drafts, &outcomes, &sc));
            }
        }
        let k = g.below(3);
        for j in 0..k {
            let o = g.below(outcomes.len() as u32) as usize;
            let d = RuleDraft {
                name: format!("rb_new{j}"),
                outcome: o,
                rank: rank + 1 + j as usize,
            };
            body.push_str(&rule_text(&mut g, &b, &d, &drafts, &outcomes, &sc));
        }
        if g.chance(50) {
            if let Some((pname, pt)) = g.pick(&sc.params).cloned() {
                let v = param_const(&mut g, pt);
                let _ = writeln!(
                    body,
                    "parameter {pname} : {} \"参数（继任）\" = {v}\n  {}\n",
                    type_name(pt),
                    b.cite(&mut g)
                );
            }
        }
        if g.chance(30) {
            let _ = writeln!(body, "not encoded 1.1 \"已由其他规定处理\"\n");
        }
        b.header = format!(
            "document \"{}\"\n  issuer \"主管部门\"\n  issued 2024-11-20\n  source \"b.zh.txt\"\n  in force from {b_from} to 2027-12-31\n    cites {}.1 \"本文件自{b_from}起施行\"\n  replaces \"{}\" from {b_from}\n",
            b.id,
            b.last_article(),
            a.id
        );
        b.body = body;
    }
    let a_cites = if g.chance(70) {
        format!(
            "\n    cites {}.1 \"本文件自2020-01-01起施行\"",
            a.last_article()
        )
    } else {
        String::new()
    };
    a.header = format!(
        "// A randomly generated policy set (regula::testing::gen).\n\ndocument \"{}\"\n  issuer \"主管部门\"\n  issued 2019-12-01\n  source \"a.zh.txt\"\n  in force from 2020-01-01{a_to}{a_cites}\n",
        a.id
    );
    a.body = format!("{vocab}{params_text}{defs_text}{outcome_text}{a_rules}");

    let mut set = PolicySet::default();
    set.files
        .push(("a/00-document.policy".into(), a.header.clone()));
    set.files.push(("a/10-rules.policy".into(), a.body.clone()));
    set.files.push((
        "a/a.zh.txt".into(),
        a.source_text("本文件自2020-01-01起施行。"),
    ));
    if with_amendment {
        set.files
            .push(("c/00-document.policy".into(), c.header.clone()));
        set.files.push(("c/10-rules.policy".into(), c.body.clone()));
        set.files.push((
            "c/c.zh.txt".into(),
            c.source_text("本决定自2022-07-01起施行。"),
        ));
    }
    if with_successor {
        set.files
            .push(("b/00-document.policy".into(), b.header.clone()));
        set.files.push(("b/10-rules.policy".into(), b.body.clone()));
        set.files.push((
            "b/b.zh.txt".into(),
            b.source_text(&format!("本文件自{b_from}起施行。")),
        ));
    }

    // ---- cases.
    let ncases = 3 + g.below(4);
    let cases = (0..ncases).map(|_| case(&mut g, &fact_decls)).collect();
    Generated { set, cases }
}

/// A constant for a parameter: a literal (no negatives, no expressions).
fn param_const(g: &mut Gen, t: Ty) -> String {
    match t {
        Ty::Int => g.pick_str(&["1", "2", "5", "9223372036854775807", "0"]),
        other => {
            let c = g.constant(other);
            c.trim_start_matches("(-").trim_end_matches(')').to_string()
        }
    }
}

/// The text of a rule: citation, exceptions (to rules of the same outcome
/// earlier in the order), condition and value.
fn rule_text(
    g: &mut Gen,
    doc: &Doc,
    r: &RuleDraft,
    drafts: &[RuleDraft],
    outcomes: &[(String, Ty)],
    sc: &Scope,
) -> String {
    let (oname, t) = outcomes.get(r.outcome).cloned().unwrap_or_default_pair();
    let mut rsc = sc.clone();
    rsc.outcomes = outcomes.iter().take(r.outcome).cloned().collect();
    let mut s = format!("rule {}\n  {}\n", r.name, doc.cite(g));
    let earlier: Vec<&RuleDraft> = drafts
        .iter()
        .filter(|d| d.outcome == r.outcome && d.rank < r.rank)
        .collect();
    if !earlier.is_empty() && g.chance(45) {
        let n = 1 + g.below(2);
        let mut names: Vec<String> = Vec::new();
        for _ in 0..n {
            if let Some(d) = g.pick(&earlier) {
                if !names.contains(&d.name) {
                    names.push(d.name.clone());
                }
            }
        }
        let _ = writeln!(s, "  exception to {}", names.join(", "));
    }
    if g.chance(80) {
        let c = g.expr(Ty::Bool, 3, &rsc);
        let _ = writeln!(s, "  when {c}");
    }
    // Constants often, so that rules agree or conflict.
    let v = if g.chance(50) {
        g.constant(t)
    } else {
        g.expr(t, 2, &rsc)
    };
    let _ = writeln!(s, "  then {oname} = {v}\n");
    s
}

trait PairDefault {
    fn unwrap_or_default_pair(self) -> (String, Ty);
}

impl PairDefault for Option<(String, Ty)> {
    fn unwrap_or_default_pair(self) -> (String, Ty) {
        self.unwrap_or_else(|| (String::new(), Ty::Bool))
    }
}

/// A random case: each fact absent, `null` or a value (boundary dates and
/// large integers included), with an assessment date.
fn case(g: &mut Gen, facts: &[(String, String)]) -> String {
    let mut root = serde_json::Map::new();
    let as_of = g.pick_str(&AS_OF);
    root.insert("as_of".into(), serde_json::Value::from(as_of));
    for (name, kind) in facts {
        let v = match g.below(10) {
            0 | 1 => continue,
            2 => serde_json::Value::Null,
            _ => match kind.as_str() {
                "bool" => serde_json::Value::from(g.chance(50)),
                "int" => {
                    let n: i64 = *g
                        .pick(&[
                            0,
                            1,
                            2,
                            -3,
                            10,
                            100,
                            i64::MAX,
                            i64::MIN + 1,
                            4_611_686_018_427_387_904,
                            3_037_000_500,
                        ])
                        .unwrap_or(&0);
                    serde_json::Value::from(n)
                }
                "count" => {
                    serde_json::Value::from(*g.pick(&[0i64, 1, 2, 7, i64::MAX]).unwrap_or(&0))
                }
                "date" => serde_json::Value::from(g.pick_str(&[
                    "2024-01-31",
                    "2024-02-29",
                    "2020-01-01",
                    "2024-12-31",
                    "2025-01-01",
                    "2023-03-31",
                    "9999-12-31",
                    "0001-01-01",
                ])),
                "text" => serde_json::Value::from(g.pick_str(&TEXTS)),
                "Kind" => serde_json::Value::from(g.pick_str(&KIND)),
                "Tier" => serde_json::Value::from(g.pick_str(&TIER)),
                _ => serde_json::Value::Null,
            },
        };
        // Dotted names nest: `ord0.issued` is `{"ord0": {"issued": …}}`.
        match name.split_once('.') {
            None => {
                root.insert(name.clone(), v);
            }
            Some((group, field)) => {
                let entry = root
                    .entry(group.to_string())
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                if let serde_json::Value::Object(inner) = entry {
                    inner.insert(field.to_string(), v);
                }
            }
        }
    }
    serde_json::Value::Object(root).to_string()
}

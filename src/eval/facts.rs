//! The sets of unknown facts the walk gathers: which facts, if a case
//! stated them, could decide an unknown outcome.
//!
//! The walk ([`super::machine`]) says what is gathered and when; a
//! [`FactSet`] only holds it. Two holders give the same sets: [`Stack`], a
//! stack of fact ids for a program of any size, and [`Mask`], a bit per
//! fact for programs of up to `64 × W` facts, where joining two sets is a
//! few word operations and a set comes out in name order without sorting.
//! An evaluation uses the narrowest that fits; tests compare all three
//! (`Holder` in the parent module).
//!
//! Cost: the stack's operations are linear in the facts moved; the mask's
//! are O(W), and listing an outcome's facts is linear in their number.
use super::Evaluation;
use crate::program::{FactId, OutcomeId, Program};
use std::fmt::Debug;

/// A holder of the walk's fact sets.
///
/// The walk brackets every expression with [`FactSet::mark`] and
/// [`FactSet::settle`]; the facts added in between are those under the
/// expression. A rule's condition and value keep theirs ([`FactSet::keep`])
/// until the outcome's missing facts are gathered from them.
pub(crate) trait FactSet: Default {
    /// Where an expression's facts begin.
    type Mark: Copy;
    /// The facts under one rule's condition or value, kept for gathering.
    type Kept: Copy + Default + Debug;
    /// Prepares for a case of a program.
    fn reset(&mut self, p: &Program);
    /// Before an outcome: no rule of it has kept facts yet.
    fn begin(&mut self);
    /// Before an expression.
    fn mark(&mut self) -> Self::Mark;
    /// After an expression: keeps the facts added since the mark (its
    /// value is unknown) or drops them.
    fn settle(&mut self, m: Self::Mark, keep: bool);
    /// An unknown fact.
    fn fact(&mut self, p: &Program, f: FactId);
    /// The missing facts of an unknown outcome that was read.
    fn outcome(&mut self, ev: &Evaluation, o: OutcomeId);
    /// Takes the facts added since the mark out of the walk's, to gather.
    fn keep(&mut self, m: Self::Mark) -> Self::Kept;
    /// An outcome decided without missing facts (known, or in conflict).
    fn none(&mut self, o: OutcomeId);
    /// Gathering an unknown outcome's missing facts: the union of the sets
    /// taken, each fact once, listed in `out` from `start` on (as taken;
    /// [`FactSet::list`] finishes the list).
    fn take(&mut self, k: Self::Kept, out: &mut Vec<FactId>);
    /// Finishes outcome `o`'s list, which starts at `start` in `out`: its
    /// facts by name. `by_rank` lists the program's facts by name.
    fn list(
        &mut self,
        p: &Program,
        by_rank: &[FactId],
        o: OutcomeId,
        start: usize,
        out: &mut Vec<FactId>,
    );
}

/// Fact ids on a stack: any number of facts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stack {
    /// The unknown facts under the expressions being evaluated.
    miss: Vec<FactId>,
    /// The facts kept for the outcome being decided.
    found: Vec<FactId>,
    /// Per fact: seen while gathering (a bit set).
    seen: Vec<u64>,
}

impl FactSet for Stack {
    type Mark = usize;
    /// A range of `found`: start and length.
    type Kept = (u32, u32);

    fn reset(&mut self, p: &Program) {
        self.miss.clear();
        self.found.clear();
        let words = p.facts.len().div_ceil(64);
        // Cleared after each gathering; an evaluation error may stop one.
        self.seen.clear();
        self.seen.resize(words, 0);
    }

    fn begin(&mut self) {
        self.found.clear();
    }

    #[inline(always)]
    fn mark(&mut self) -> usize {
        self.miss.len()
    }

    #[inline(always)]
    fn settle(&mut self, m: usize, keep: bool) {
        if !keep {
            self.miss.truncate(m);
        }
    }

    #[inline(always)]
    fn fact(&mut self, _: &Program, f: FactId) {
        self.miss.push(f);
    }

    fn outcome(&mut self, ev: &Evaluation, o: OutcomeId) {
        self.miss.extend_from_slice(ev.missing(o));
    }

    fn keep(&mut self, m: usize) -> (u32, u32) {
        let start = self.found.len();
        self.found
            .extend_from_slice(self.miss.get(m..).unwrap_or_default());
        self.miss.truncate(m);
        let n = self.found.len() - start;
        (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(n).unwrap_or(0),
        )
    }

    fn none(&mut self, _: OutcomeId) {}

    fn take(&mut self, (a, n): (u32, u32), out: &mut Vec<FactId>) {
        let from = a as usize;
        for &f in self.found.get(from..from + n as usize).unwrap_or(&[]) {
            let (w, b) = (f as usize / 64, 1u64 << (f % 64));
            if let Some(word) = self.seen.get_mut(w) {
                if *word & b == 0 {
                    *word |= b;
                    out.push(f);
                }
            }
        }
    }

    fn list(
        &mut self,
        p: &Program,
        _: &[FactId],
        _: OutcomeId,
        start: usize,
        out: &mut Vec<FactId>,
    ) {
        let found = out.get_mut(start..).unwrap_or_default();
        for &f in found.iter() {
            if let Some(word) = self.seen.get_mut(f as usize / 64) {
                *word = 0;
            }
        }
        // By name, so that reports do not depend on the order of declarations.
        found.sort_unstable_by_key(|f| p.fact_rank.get(*f as usize).copied());
    }
}

/// A bit per fact, the bit of its place in the order of the facts' names:
/// programs of up to `64 × W` facts.
#[derive(Clone, Debug)]
pub(crate) struct Mask<const W: usize> {
    /// The unknown facts under the expression being evaluated.
    acc: Bits<W>,
    /// The missing facts of the outcome being gathered.
    all: Bits<W>,
    /// Per outcome: its missing facts.
    outcomes: Vec<Bits<W>>,
}

impl<const W: usize> Mask<W> {
    /// The most facts a mask holds.
    pub const FACTS: usize = 64 * W;
}

impl<const W: usize> Default for Mask<W> {
    fn default() -> Self {
        Mask {
            acc: Bits::default(),
            all: Bits::default(),
            outcomes: Vec::new(),
        }
    }
}

/// A set of facts' places in name order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bits<const W: usize>([u64; W]);

impl<const W: usize> Default for Bits<W> {
    fn default() -> Self {
        Bits([0; W])
    }
}

impl<const W: usize> Bits<W> {
    #[inline(always)]
    fn join(&mut self, other: Bits<W>) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }
}

impl<const W: usize> FactSet for Mask<W> {
    type Mark = Bits<W>;
    type Kept = Bits<W>;

    fn reset(&mut self, p: &Program) {
        assert!(
            p.facts.len() <= Self::FACTS,
            "a mask holds the facts of programs of up to {} facts",
            Self::FACTS
        );
        self.acc = Bits::default();
        self.all = Bits::default();
        // Each outcome's set is written when it is decided, before it is read.
        if self.outcomes.len() != p.outcomes.len() {
            self.outcomes.clear();
            self.outcomes.resize(p.outcomes.len(), Bits::default());
        }
    }

    #[inline(always)]
    fn begin(&mut self) {}

    #[inline(always)]
    fn mark(&mut self) -> Bits<W> {
        std::mem::take(&mut self.acc)
    }

    #[inline(always)]
    fn settle(&mut self, m: Bits<W>, keep: bool) {
        if keep {
            self.acc.join(m);
        } else {
            self.acc = m;
        }
    }

    #[inline(always)]
    fn fact(&mut self, p: &Program, f: FactId) {
        let place = *p
            .fact_rank
            .get(f as usize)
            .expect("every fact has a place in name order") as usize;
        if let Some(word) = self.acc.0.get_mut(place / 64) {
            *word |= 1 << (place % 64);
        }
    }

    #[inline(always)]
    fn outcome(&mut self, _: &Evaluation, o: OutcomeId) {
        let set = *self
            .outcomes
            .get(o as usize)
            .expect("outcome ids index tables sized for the program");
        self.acc.join(set);
    }

    #[inline(always)]
    fn keep(&mut self, m: Bits<W>) -> Bits<W> {
        std::mem::replace(&mut self.acc, m)
    }

    #[inline(always)]
    fn none(&mut self, o: OutcomeId) {
        if let Some(slot) = self.outcomes.get_mut(o as usize) {
            *slot = Bits::default();
        }
    }

    #[inline(always)]
    fn take(&mut self, k: Bits<W>, _: &mut Vec<FactId>) {
        self.all.join(k);
    }

    fn list(
        &mut self,
        _: &Program,
        by_rank: &[FactId],
        o: OutcomeId,
        _: usize,
        out: &mut Vec<FactId>,
    ) {
        let all = std::mem::take(&mut self.all);
        if let Some(slot) = self.outcomes.get_mut(o as usize) {
            *slot = all;
        }
        for (w, mut word) in all.0.into_iter().enumerate() {
            while word != 0 {
                let place = w * 64 + word.trailing_zeros() as usize;
                word &= word - 1;
                out.push(
                    *by_rank
                        .get(place)
                        .expect("a place in name order is one of the program's facts"),
                );
            }
        }
    }
}

/// A holder and, per rule of the outcome being decided, the facts kept
/// under its condition and under its value.
#[derive(Clone, Debug, Default)]
pub(crate) struct Held<M: FactSet> {
    pub set: M,
    pub kept: Vec<(M::Kept, M::Kept)>,
}

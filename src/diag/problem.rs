//! Every problem regula reports, with the data that describes it. A problem
//! yields its kind (`Code`: stable code, severity, group), its one-line
//! message and its help: the words of every diagnostic are written here
//! once, and the places that find a problem only say which and where.
//!
//! A `did you mean` is data (`suggestion`), found by the caller with
//! [`super::suggest`]; the fallback advice when nothing is close is written
//! here.

use super::record::{shorten, CaseProblem, TestProblem};
use super::Code;

/// One problem, with what the message and help need.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    // ---- syntax ----
    /// The parser expected something else.
    Expected {
        /// What was expected, in words (`` `)` or an operator ``).
        list: String,
        /// What was found, in words.
        found: String,
        /// The advice that fits.
        hint: SyntaxHint,
    },
    /// pest's own nesting limit.
    FileTooDeep,
    /// More than `levels` nested levels, found before parsing.
    NestedTooDeep {
        /// The limit.
        levels: usize,
    },
    /// An expression the checker cannot descend into.
    ExpressionTooDeep,
    /// A chain of more than `terms` terms.
    ChainTooLong {
        /// The limit.
        terms: usize,
    },
    /// A construct the lowering could not read (a bug).
    Malformed {
        /// Which construct.
        what: String,
    },
    /// A header clause given twice.
    DuplicateClause {
        /// The clause, in words.
        clause: String,
    },
    /// A paragraph number that does not fit.
    BadParagraph {
        /// As written.
        text: String,
    },
    /// A string without its closing quote.
    UnterminatedString,
    /// A date without two-digit month and day.
    DateDigits {
        /// As written.
        text: String,
        /// The date written properly.
        proper: String,
    },
    /// A date not in the calendar.
    NotADate {
        /// As written.
        text: String,
    },
    /// An integer literal out of range.
    NumberTooLarge {
        /// As written.
        text: String,
    },
    /// A decimal literal beyond the decimals' range or precision.
    DecimalTooLarge {
        /// As written.
        text: String,
    },
    /// A decimal where integers are written.
    NotAnInteger {
        /// As written.
        text: String,
    },
    /// Digits run into letters.
    NotANumber {
        /// As written.
        text: String,
        /// Its leading digits.
        lead: String,
    },

    // ---- types ----
    /// An expression of the wrong type in a place that wants one.
    TypeMismatch {
        /// The place, in words (`a rule's condition`).
        place: String,
        /// The type wanted.
        want: String,
        /// The type found.
        got: String,
    },
    /// A definition's body disagrees with its declared type.
    BodyType {
        /// The definition.
        def: String,
        /// Declared.
        want: String,
        /// Found.
        got: String,
    },
    /// A set's element of the wrong type.
    SetElement {
        /// The tested value's type.
        want: String,
        /// The element's type.
        got: String,
    },
    /// `in` on a type without membership.
    NoMembership {
        /// The type.
        ty: String,
    },
    /// `if` with branches of two types.
    IfBranches {
        /// The first branch's type.
        a: String,
        /// The second's.
        b: String,
    },
    /// An operand of the wrong type.
    Operand {
        /// The operator or construct, in words.
        what: String,
        /// Wanted.
        want: String,
        /// Found.
        got: String,
    },
    /// A comparison of two types.
    CompareTypes {
        /// Left.
        a: String,
        /// Right.
        b: String,
    },
    /// An ordering of a type without order.
    Unordered {
        /// The operator.
        op: String,
        /// The type.
        ty: String,
    },
    /// A comparison of values that cannot be compared.
    Uncomparable {
        /// The type.
        ty: String,
    },
    /// Arithmetic on types it does not apply to.
    Arithmetic {
        /// The operator.
        op: String,
        /// Left type.
        a: String,
        /// Right type.
        b: String,
        /// A date and an int: a duration was meant.
        date_and_int: bool,
    },
    /// A call's argument of the wrong type.
    Argument {
        /// The parameter.
        param: String,
        /// The definition.
        def: String,
        /// Wanted.
        want: String,
        /// Found.
        got: String,
    },
    /// A rule concludes a value of the wrong type.
    RuleValue {
        /// The rule.
        rule: String,
        /// The outcome.
        outcome: String,
        /// The outcome's type.
        want: String,
        /// The value's type.
        got: String,
    },
    /// A set element that is not a constant.
    SetNotConstant,
    /// A definition that calls itself.
    RecursiveDefinition {
        /// The definition.
        def: String,
        /// The others of the cycle, in order (empty: it calls itself directly).
        through: Vec<String>,
    },
    /// Months added without a rounding.
    AmbiguousDateStep {
        /// `month` or `months`.
        word: String,
        /// The amount as written.
        amount: String,
    },
    /// A call that grows too large once definitions are inlined.
    ExpansionTooLarge {
        /// The definition called.
        def: String,
        /// The limit of parts.
        parts: usize,
        /// The limit of levels.
        levels: usize,
    },
    /// A call with the wrong number of arguments.
    WrongArity {
        /// The definition.
        def: String,
        /// Its parameters, `name: type`.
        params: Vec<String>,
        /// How many were given.
        given: usize,
    },
    /// A record field that is a record.
    NestedRecord,
    /// An outcome of a record type.
    RecordOutcome,
    /// An enum without values.
    EmptyEnum {
        /// The enum.
        name: String,
    },
    /// A parameter's value that is not a constant.
    ParamNotConstant,
    /// A parameter's dated values out of order.
    ParamDates,

    // ---- names ----
    /// A name declared twice.
    Duplicate {
        /// Its kind (`fact`, `rule`, …).
        what: String,
        /// The name.
        name: String,
    },
    /// A document's in-force outcome whose name is taken.
    InForceNameTaken {
        /// The name.
        name: String,
    },
    /// A definition's parameter named twice.
    DuplicateParameter {
        /// The name.
        name: String,
    },
    /// A type named as a built-in.
    ReservedType {
        /// The name.
        name: String,
    },
    /// A fact named `as_of`.
    ReservedAsOf,
    /// A type not declared.
    UnknownType {
        /// The name.
        name: String,
        /// The closest type.
        suggestion: Option<String>,
    },
    /// A fact whose name is another fact's prefix.
    FactPrefix {
        /// The shorter fact.
        name: String,
        /// The longer one.
        other: String,
    },
    /// A bare enum value that several enums have.
    AmbiguousEnumValue {
        /// The value.
        value: String,
        /// The enums that have it.
        enums: Vec<String>,
    },
    /// A record fact's field that the record does not have.
    UnknownGroupField {
        /// The record fact.
        group: String,
        /// The field written.
        field: String,
        /// The record type.
        record: String,
        /// Its fields.
        fields: Vec<String>,
        /// The closest field.
        suggestion: Option<String>,
    },
    /// A name declared nowhere.
    UnknownName {
        /// `name`, or `fact or outcome` for a dotted one.
        what: String,
        /// The name.
        name: String,
        /// The closest name.
        suggestion: Option<String>,
    },
    /// An enum value the enum does not have.
    UnknownEnumValue {
        /// The value written.
        value: String,
        /// The enum.
        enum_name: String,
        /// Its values.
        values: Vec<String>,
        /// The closest value.
        suggestion: Option<String>,
    },
    /// A field read from a value that is not a record.
    NotARecord {
        /// The value's name.
        name: String,
        /// Its type.
        ty: String,
    },
    /// A field a record type does not have.
    UnknownRecordField {
        /// The record type.
        record: String,
        /// The field written.
        field: String,
        /// The closest field.
        suggestion: Option<String>,
    },
    /// A path with more parts than a record has levels.
    TooManyParts {
        /// The path.
        path: String,
    },
    /// A call of a definition declared nowhere.
    UnknownDefinition {
        /// The name.
        name: String,
        /// The closest definition.
        suggestion: Option<String>,
    },
    /// A rule concluding an outcome declared nowhere.
    UnknownOutcome {
        /// The name.
        name: String,
        /// The name is a fact's.
        is_fact: bool,
        /// The closest outcome.
        suggestion: Option<String>,
    },
    /// An outcome asked for on the command line that does not exist.
    NoSuchOutcome {
        /// The name.
        name: String,
        /// The closest outcome.
        suggestion: Option<String>,
    },
    /// `exception to` a rule declared nowhere.
    UnknownRule {
        /// The name.
        name: String,
        /// The closest rule.
        suggestion: Option<String>,
    },
    /// A document named that the set does not have.
    UnknownDocument {
        /// The identifier.
        name: String,
        /// The closest identifier.
        suggestion: Option<String>,
    },

    // ---- documents ----
    /// Two headers in one directory.
    TwoDocuments,
    /// A document identifier declared twice.
    DuplicateDocument {
        /// The identifier.
        id: String,
    },
    /// A header without its in-force date.
    NoInForce {
        /// The document.
        id: String,
    },
    /// An in-force period that ends before it starts.
    EmptyPeriod,
    /// A source file not beside the header.
    SourceNotFound {
        /// The file named.
        file: String,
        /// The closest file there.
        suggestion: Option<String>,
    },
    /// A header without its source text.
    NoSource {
        /// The document.
        id: String,
    },
    /// A file whose declarations belong to no document.
    NoDocument {
        /// The file.
        file: String,
    },
    /// A policy set without any header.
    NoDocuments,
    /// A citation of a paragraph the source does not have.
    UnknownParagraph {
        /// What cites (`rule `x``).
        what: String,
        /// The paragraph cited.
        key: String,
        /// The source file.
        source: String,
        /// The paragraphs of the cited article (empty: the article is missing).
        in_article: Vec<String>,
        /// The article cited.
        article: u32,
        /// The last article of the source.
        last_article: u32,
    },
    /// `not encoded` naming a paragraph the source does not have.
    UnknownNotEncoded {
        /// The paragraph.
        key: String,
    },
    /// A citation without a quote.
    EmptyQuote {
        /// What cites.
        what: String,
        /// The paragraph.
        key: String,
    },
    /// A quote not in its paragraph.
    QuoteMismatch {
        /// The paragraph.
        key: String,
        /// The advice that fits.
        hint: QuoteHint,
    },
    /// `not encoded` without a reason.
    NoReason,
    /// A paragraph marked `not encoded` that rules cite.
    EncodedAnyway {
        /// The paragraph.
        key: String,
    },
    /// A paragraph that nothing cites.
    UncoveredParagraph {
        /// The paragraph.
        key: String,
        /// The document.
        doc: String,
        /// Its opening words.
        opening: String,
    },
    /// Clauses of a cited paragraph that are neither quoted nor set aside.
    UncoveredClauses {
        /// How many.
        count: usize,
        /// The paragraph's clauses.
        clauses: usize,
        /// The paragraph.
        key: String,
        /// The document.
        doc: String,
        /// The first of them.
        first: String,
    },
    /// A rank that is no rank of law.
    UnknownRank {
        /// As written.
        name: String,
        /// The ranks.
        ranks: Vec<String>,
        /// The closest.
        suggestion: Option<String>,
    },
    /// A document that implements itself.
    SelfImplements,
    /// A document implementing one that does not rank above it.
    ImplementsLower {
        /// Its rank.
        mine: String,
        /// The document named.
        target: String,
        /// That document's rank.
        theirs: String,
    },
    /// An outcome of a correspondence declared nowhere.
    UnknownPairedOutcome {
        /// The name.
        name: String,
        /// The closest outcome.
        suggestion: Option<String>,
    },
    /// An enum value of a correspondence that its enum does not have.
    UnknownPairedValue {
        /// The value.
        value: String,
        /// The enum.
        enum_name: String,
        /// Its values.
        values: Vec<String>,
        /// The closest.
        suggestion: Option<String>,
    },
    /// A correspondence in a document that implements none.
    ImplementsNothing {
        /// The document.
        id: String,
    },
    /// An outcome of a correspondence decided by another document.
    PairedElsewhere {
        /// The outcome.
        outcome: String,
        /// Who decides it, in words.
        by: String,
        /// Which side it should be on, in words.
        role: String,
        /// That document.
        document: String,
    },
    /// `same … as …` on outcomes that are not enums.
    SameNotEnums,
    /// A correspondence between two types.
    PairedTypes {
        /// The lower outcome's type.
        a: String,
        /// The superior's.
        b: String,
    },
    /// A `differs` note naming a paragraph its document does not have.
    UnknownNotedParagraph {
        /// The document.
        document: String,
        /// The paragraph.
        key: String,
    },
    /// A document that replaces itself.
    ReplacementCycle {
        /// The document.
        id: String,
    },
    /// An amendment whose date falls outside the documents' periods.
    AmendmentNeverApplies {
        /// The amendment.
        id: String,
        /// The amended document.
        target: String,
        /// The amendment's date.
        from: String,
        /// The document whose period ends first.
        ends: String,
        /// The last day both are in force.
        until: String,
    },
    /// An amendment of an amendment.
    AmendsAmendment {
        /// The amendment.
        id: String,
        /// The amended amendment.
        target: String,
        /// The document that one amends.
        base: String,
    },
    /// An amendment listing a provision its target does not have.
    DanglingAmendment {
        /// The amendment.
        id: String,
        /// `rule` or `parameter`.
        what: String,
        /// The name listed.
        name: String,
        /// The amended document.
        target: String,
        /// The closest name there.
        suggestion: Option<String>,
    },
    /// An amendment redeclaring a provision it does not list.
    UnlistedAmendment {
        /// `rule` or `parameter`.
        what: String,
        /// The name.
        name: String,
        /// The amendment.
        id: String,
        /// The amended document.
        target: String,
        /// The clause to list it in (`rules`, `parameters`).
        clause: String,
    },
    /// Two unrelated documents set one parameter on one day.
    OverlappingParameter {
        /// The first document.
        a: String,
        /// The second.
        b: String,
        /// The parameter.
        name: String,
        /// The day.
        date: String,
    },
    /// Two unrelated documents decide one outcome on one day.
    OverlappingOutcome {
        /// The first document.
        a: String,
        /// The second.
        b: String,
        /// The outcome.
        outcome: String,
        /// The day.
        date: String,
    },
    /// A parameter of two types across versions.
    ParameterType {
        /// The parameter.
        name: String,
        /// Its type elsewhere.
        want: String,
        /// Its type here.
        got: String,
    },
    /// Days on which no document decides outcomes decided around them.
    GapInForce {
        /// `on D` or `from D1 to D2`.
        period: String,
        /// The outcomes, listed.
        outcomes: String,
        /// The document after the gap.
        after: String,
        /// Its first day.
        first_day: String,
        /// The document before the gap.
        before: String,
    },

    // ---- structure ----
    /// Outcomes that depend on each other.
    OutcomeCycle {
        /// The outcomes, in order of the cycle.
        outcomes: Vec<String>,
    },
    /// An outcome nothing decides.
    NoRule {
        /// The outcome.
        outcome: String,
    },
    /// A declared fact nothing reads.
    UnusedFact {
        /// The fact.
        fact: String,
    },
    /// A default that reads outcomes.
    DefaultReadsOutcome,
    /// An exception to a rule of another outcome.
    ExceptionOtherOutcome {
        /// The rule.
        rule: String,
        /// Its outcome.
        mine: String,
        /// The rule excepted.
        target: String,
        /// That rule's outcome.
        theirs: String,
    },
    /// A rule excepting itself.
    SelfException {
        /// The rule.
        rule: String,
    },
    /// Rules excepting each other in a cycle.
    ExceptionCycle {
        /// The rules.
        rules: Vec<String>,
    },

    // ---- loading ----
    /// `--policies` names nothing readable.
    PoliciesNotFound {
        /// The path.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A directory without policy files.
    EmptyPolicies {
        /// The directory.
        path: String,
        /// Other files it holds.
        others: Vec<String>,
    },
    /// Too many policy files.
    TooManyFiles {
        /// The limit.
        limit: usize,
    },
    /// Directories nested too deep.
    TooDeepDirectory {
        /// The directory.
        path: String,
        /// The limit.
        limit: usize,
        /// While formatting (the advice differs).
        formatting: bool,
    },
    /// A symbolic link loop.
    SymlinkLoop {
        /// The directory.
        path: String,
    },
    /// A directory that cannot be read.
    UnreadableDirectory {
        /// The directory.
        path: String,
        /// The reason, if known.
        reason: Option<String>,
    },
    /// A directory entry that cannot be read.
    UnreadableEntry {
        /// The entry.
        path: String,
        /// The reason.
        reason: String,
    },
    /// A file that cannot be read.
    UnreadableFile {
        /// The file.
        path: String,
        /// The reason.
        reason: String,
    },
    /// A policy file that is not UTF-8 text within the size limit.
    UnreadablePolicy {
        /// The file.
        path: String,
        /// The reason.
        reason: String,
        /// The size limit.
        limit: u64,
    },
    /// A policy file larger than the limit.
    FileTooLarge {
        /// The file.
        path: String,
        /// Its size, or `more than N` for what was read of a stream.
        size: String,
        /// The limit.
        limit: u64,
    },
    /// A file that is not UTF-8.
    InvalidUtf8 {
        /// The file.
        path: String,
        /// The line of the first bad byte.
        line: usize,
        /// Its offset.
        at: usize,
    },
    /// A line longer than the limit.
    LineTooLong {
        /// The file.
        path: String,
        /// The line.
        line: usize,
        /// The limit.
        limit: usize,
    },
    /// More declarations than the limit.
    TooManyDeclarations {
        /// How many.
        total: usize,
        /// The limit.
        limit: usize,
    },

    // ---- commands ----
    /// A path that does not exist.
    NotFound {
        /// The path.
        path: String,
    },
    /// A file that cannot be written.
    Unwritable {
        /// The file.
        path: String,
        /// The reason.
        reason: String,
    },
    /// Batch input or output that cannot be opened.
    Io {
        /// What was being done.
        what: String,
        /// The reason.
        reason: String,
        /// Reading (else writing).
        reading: bool,
    },
    /// A finding of `regula verify`.
    Finding {
        /// Its kind.
        code: Code,
        /// The outcome.
        outcome: String,
        /// What was found.
        what: String,
        /// Where the counterexample is, or the case itself.
        counterexample: Option<String>,
        /// The condition under which two versions differ.
        condition: Vec<String>,
        /// More alternatives than listed.
        truncated: bool,
    },
    /// The counterexamples' directory cannot be written.
    CounterexamplesUnwritable {
        /// The directory.
        dir: String,
        /// The reason.
        reason: String,
    },
    /// A file that writes keywords in both forms.
    MixedKeywords {
        /// The file's form (its first keyword's), in words.
        form: String,
        /// The keyword of the other form, as written.
        written: String,
        /// The other form, in words.
        other: String,
        /// The keyword in the file's form.
        want: String,
        /// The file's form as `regula fmt --keywords` names it.
        code: String,
    },
    /// A request the server refuses before evaluation.
    Refused(Refusal),
    /// `--timeout` that is no time to wait.
    BadTimeout {
        /// As given.
        given: String,
    },
    /// The server cannot listen.
    CannotServe {
        /// The address.
        addr: String,
        /// The reason.
        reason: String,
    },
    /// A build without embedded policies asked for them.
    NoEmbeddedPolicies,
    /// Batch output that is its input.
    OutputIsInput {
        /// The output, in words.
        output: String,
    },
    /// Standard output could not be written.
    OutputLost {
        /// The reason.
        reason: String,
    },
    /// A file in a policy tree that is not a regular file.
    NotRegularFile {
        /// The path.
        path: String,
    },
    /// A usage error of the command line.
    Usage {
        /// clap's message.
        message: String,
        /// clap's usage line.
        usage: Option<String>,
    },
    /// `--policies` before a subcommand that takes none.
    PoliciesNotApplicable {
        /// The subcommand.
        command: String,
        /// What to do instead.
        hint: String,
    },
    /// A directory given where a file of JSON lines is read.
    BatchDirectory {
        /// The path.
        path: String,
    },
    /// A test that cannot be read.
    BadTest {
        /// What is wrong with it.
        reason: String,
    },
    /// No tests where tests were looked for.
    NoTests,
    /// No test matches `--run`.
    NoTestMatches {
        /// The pattern.
        pattern: String,
    },
    /// A test's file that cannot be used: its case, its expectations, or
    /// a file that is not part of a test.
    InvalidExpectation {
        /// The file, as shown.
        file: String,
        /// The key within it (empty for the whole file).
        path: String,
        /// What is wrong.
        problem: TestProblem,
    },
    /// A test's snapshot that cannot be written or removed.
    SnapshotWrite {
        /// The reason.
        reason: String,
    },
    /// Snapshots would change while CI is set.
    SnapshotsInCi {
        /// The flag given.
        flag: String,
    },
    /// `--watch` on the embedded policies.
    WatchNeedsFiles,
    /// Files cannot be watched.
    WatchUnavailable {
        /// The reason.
        reason: String,
    },
    /// A path cannot be watched.
    WatchPath {
        /// The path.
        path: String,
        /// The reason.
        reason: String,
    },

    // ---- cases ----
    /// A case that cannot be used.
    InvalidCase {
        /// The file, as shown.
        file: String,
        /// The key within it (empty for the whole case).
        path: String,
        /// What is wrong.
        problem: CaseProblem,
    },
    /// Evaluation failed (overflow, a date out of range).
    Evaluation {
        /// On which date, for a timeline.
        on: Option<String>,
        /// The fault.
        fault: String,
    },
    /// Evaluation of a named case failed (in `diff`).
    CaseEvaluation {
        /// The case.
        case: String,
        /// The fault.
        fault: String,
    },
    /// Rules conflict on outcomes of a case.
    Conflict {
        /// The outcomes.
        outcomes: Vec<String>,
        /// The case file, for the explain command suggested.
        case: String,
    },
    /// Rules conflict on the outcome explained.
    ConflictExplained {
        /// The outcome.
        outcome: String,
    },

    // ---- notes on other places (related diagnostics) ----
    /// "first declared here", for a duplicate document or parameter type.
    FirstDeclared(Code),
    /// The document an amendment amends.
    AmendedDocument {
        /// Its identifier.
        id: String,
    },
    /// The in-force period of the amended document.
    InForcePeriod {
        /// Its identifier.
        id: String,
        /// The period, in words.
        period: String,
    },
    /// The amended amendment.
    IsAnAmendment {
        /// Its identifier.
        id: String,
    },
    /// The amendment clause that does not list a name.
    AmendmentClause,
    /// Where the other document sets the parameter.
    SetsItHere {
        /// The document.
        id: String,
    },
    /// Where the other document decides the outcome.
    DecidesItHere {
        /// The document.
        id: String,
        /// The outcome.
        outcome: String,
    },
    /// Where an outcome is decided again after a gap.
    DecidedAgain {
        /// The document.
        id: String,
        /// From when.
        from: String,
    },
    /// A source text from which no citable paragraph is read.
    SourceWithoutParagraphs {
        /// The file named.
        file: String,
    },
}

/// Why the server refuses a request before evaluating it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// `derivations` is not a level.
    Detail(String),
    /// `at` is not a date.
    At(super::DateProblem),
    /// A query parameter the route does not take.
    Parameter {
        /// The parameter.
        name: String,
        /// The route's parameters.
        known: Vec<String>,
        /// The closest of them.
        suggestion: Option<String>,
    },
    /// A content type that is not a case format.
    MediaType(String),
    /// The body could not be read.
    Body(String),
    /// The body is over the limit.
    TooLarge(usize),
    /// No such route.
    NoRoute {
        /// The method.
        method: String,
        /// The path.
        path: String,
    },
    /// The route does not answer the method.
    Method {
        /// The path.
        path: String,
        /// The method.
        method: String,
    },
    /// The concurrency limit is reached.
    Overloaded(usize),
    /// Not answered within the timeout, in seconds as written.
    Timeout(String),
}

impl Refusal {
    fn message(&self) -> String {
        match self {
            Refusal::Detail(v) => format!("query parameter `derivations` is `{v}`"),
            Refusal::At(e) => format!("query parameter `at`: {e}"),
            Refusal::Parameter { name, .. } => format!("unknown query parameter `{name}`"),
            Refusal::MediaType(t) => format!("content type `{t}` is not a case format"),
            Refusal::Body(e) => format!("the request body could not be read: {e}"),
            Refusal::TooLarge(limit) => {
                format!("the request body is over {limit} bytes, the limit")
            }
            Refusal::NoRoute { method, path } => format!("no route `{method} {path}`"),
            Refusal::Method { path, method } => format!("`{path}` does not answer `{method}`"),
            Refusal::Overloaded(n) => {
                format!("the server is answering {n} requests, its limit; this one was refused")
            }
            Refusal::Timeout(s) => format!("the request was not answered within {s} s"),
        }
    }
    fn help(&self) -> String {
        match self {
            Refusal::Detail(_) => "use `none`, `cites` or `full`".into(),
            Refusal::At(_) => "give the assessment date as YYYY-MM-DD".into(),
            Refusal::Parameter {
                known, suggestion, ..
            } => mean(suggestion, || {
                format!("the parameters are {}", ticked(known))
            }),
            Refusal::MediaType(_) => {
                "send `content-type: application/json` (or `application/yaml`, `application/toml`)"
                    .into()
            }
            Refusal::Body(_) => "send the case again".into(),
            Refusal::TooLarge(_) => {
                "a case describes one dispatch relationship; send many with /v1/batch".into()
            }
            Refusal::NoRoute { .. } => "GET /openapi.json lists the routes".into(),
            Refusal::Method { .. } => "GET /openapi.json lists each route's method".into(),
            Refusal::Overloaded(_) => "retry shortly, or raise `--concurrency`".into(),
            Refusal::Timeout(_) => "send the whole body promptly, or raise `--timeout`".into(),
        }
    }
}

/// The advice after a syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyntaxHint {
    /// A blank the language does not separate words with.
    Blank(char),
    /// A reserved word where a name belongs.
    Reserved(String),
    /// A misspelt declaration keyword.
    Keyword(String),
    /// A declaration was expected.
    Declaration,
    /// Conditions joined without `and`/`or` before `then`.
    Then,
    /// A rule without its citation.
    Cites,
    /// An expression was expected.
    Expression,
    /// A name without its type.
    NameType,
    /// An unclosed `(`.
    CloseParen,
    /// Values or fields outside braces.
    Braces,
    /// A value without `=`.
    Equals,
    /// A rule's clauses out of place.
    RuleShape,
    /// A paragraph number was expected.
    Paragraph,
    /// A number was expected.
    Number,
    /// A name was expected.
    Name,
    /// A label or quote without double quotes.
    Quoted,
    /// A type was expected.
    Type,
    /// Anything else.
    Reference,
}

/// The advice after a quote that is not in its paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuoteHint {
    /// The words are in other paragraphs.
    Elsewhere(Vec<String>),
    /// The paragraph ends where the quote goes on.
    EndsAfter(String),
    /// Where the quote departs: the words that agree and what follows them.
    Reads {
        /// The opening that agrees.
        head: String,
        /// What the paragraph says next.
        next: String,
    },
    /// Nothing agrees: the paragraph's opening.
    Begins(String),
}

pub(super) fn ticked(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn mean(suggestion: &Option<String>, fallback: impl FnOnce() -> String) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback(),
    }
}

/// A record's problem with its file and, within it, its key path.
pub(crate) fn placed(file: &str, path: &str, message: &str) -> String {
    if path.is_empty() {
        format!("`{file}`: {message}")
    } else {
        format!("`{file}` at `{path}`: {message}")
    }
}

const SPLIT: &str = "split the expression with a `define` or an intermediate outcome";
const ROUND: &str =
    "a decimal becomes an integer only by an explicit rounding: `(…) round down` or `(…) round up`";

impl Problem {
    /// Its kind: stable code, severity and group.
    pub fn code(&self) -> Code {
        use Problem as P;
        match self {
            P::Expected { .. } | P::Malformed { .. } => Code::Syntax,
            P::FileTooDeep | P::NestedTooDeep { .. } | P::ExpressionTooDeep => Code::TooDeep,
            P::ChainTooLong { .. } => Code::TooLong,
            P::DuplicateClause { .. } => Code::DuplicateClause,
            P::BadParagraph { .. } => Code::BadParagraph,
            P::UnterminatedString => Code::UnterminatedString,
            P::DateDigits { .. } | P::NotADate { .. } => Code::BadDate,
            P::NumberTooLarge { .. } | P::NotAnInteger { .. } | P::NotANumber { .. } => {
                Code::BadNumber
            }
            P::TypeMismatch { .. }
            | P::BodyType { .. }
            | P::SetElement { .. }
            | P::NoMembership { .. }
            | P::IfBranches { .. }
            | P::Operand { .. }
            | P::CompareTypes { .. }
            | P::Unordered { .. }
            | P::Uncomparable { .. }
            | P::Arithmetic { .. }
            | P::Argument { .. }
            | P::RuleValue { .. } => Code::TypeMismatch,
            P::SetNotConstant => Code::SetNotConstant,
            P::RecursiveDefinition { .. } => Code::RecursiveDefinition,
            P::AmbiguousDateStep { .. } => Code::AmbiguousDateStep,
            P::ExpansionTooLarge { .. } => Code::ExpansionTooLarge,
            P::WrongArity { .. } => Code::WrongArity,
            P::NestedRecord => Code::NestedRecord,
            P::RecordOutcome => Code::RecordOutcome,
            P::EmptyEnum { .. } => Code::EmptyEnum,
            P::ParamNotConstant => Code::ParamNotConstant,
            P::ParamDates => Code::ParamDates,
            P::Duplicate { .. } | P::DuplicateParameter { .. } | P::InForceNameTaken { .. } => {
                Code::Duplicate
            }
            P::DecimalTooLarge { .. } => Code::BadNumber,
            P::ReservedType { .. } => Code::ReservedType,
            P::ReservedAsOf => Code::ReservedName,
            P::UnknownType { .. } => Code::UnknownType,
            P::FactPrefix { .. } => Code::FactPrefix,
            P::AmbiguousEnumValue { .. } => Code::AmbiguousEnumValue,
            P::UnknownGroupField { .. } | P::UnknownRecordField { .. } | P::TooManyParts { .. } => {
                Code::UnknownField
            }
            P::UnknownName { .. } => Code::UnknownName,
            P::UnknownEnumValue { .. } => Code::UnknownEnumValue,
            P::NotARecord { .. } => Code::NotARecord,
            P::UnknownDefinition { .. } => Code::UnknownDefinition,
            P::UnknownOutcome { .. } | P::NoSuchOutcome { .. } => Code::UnknownOutcome,
            P::UnknownRule { .. } => Code::UnknownRule,
            P::UnknownDocument { .. } => Code::UnknownDocument,
            P::TwoDocuments => Code::TwoDocuments,
            P::DuplicateDocument { .. } => Code::DuplicateDocument,
            P::NoInForce { .. } => Code::NoInForce,
            P::EmptyPeriod => Code::EmptyPeriod,
            P::SourceNotFound { .. } => Code::SourceNotFound,
            P::SourceWithoutParagraphs { .. } => Code::SourceWithoutParagraphs,
            P::NoSource { .. } => Code::NoSource,
            P::NoDocument { .. } | P::NoDocuments => Code::NoDocument,
            P::UnknownParagraph { .. } | P::UnknownNotEncoded { .. } => Code::UnknownParagraph,
            P::EmptyQuote { .. } => Code::EmptyQuote,
            P::QuoteMismatch { .. } => Code::QuoteMismatch,
            P::NoReason => Code::NoReason,
            P::EncodedAnyway { .. } => Code::EncodedAnyway,
            P::UncoveredParagraph { .. } | P::UncoveredClauses { .. } => Code::UncoveredParagraph,
            P::ReplacementCycle { .. } => Code::ReplacementCycle,
            P::UnknownRank { .. } => Code::UnknownRank,
            P::SelfImplements | P::ImplementsLower { .. } => Code::BadImplements,
            P::UnknownPairedOutcome { .. } => Code::UnknownOutcome,
            P::UnknownPairedValue { .. } => Code::UnknownEnumValue,
            P::ImplementsNothing { .. }
            | P::PairedElsewhere { .. }
            | P::SameNotEnums
            | P::PairedTypes { .. } => Code::BadCorrespondence,
            P::UnknownNotedParagraph { .. } => Code::UnknownParagraph,
            P::AmendmentNeverApplies { .. } | P::InForcePeriod { .. } => {
                Code::AmendmentNeverApplies
            }
            P::AmendsAmendment { .. } | P::IsAnAmendment { .. } => Code::AmendsAmendment,
            P::DanglingAmendment { .. } | P::AmendedDocument { .. } => Code::DanglingAmendment,
            P::UnlistedAmendment { .. } | P::AmendmentClause => Code::UnlistedAmendment,
            P::OverlappingParameter { .. }
            | P::OverlappingOutcome { .. }
            | P::SetsItHere { .. }
            | P::DecidesItHere { .. } => Code::OverlappingDocuments,
            P::ParameterType { .. } => Code::ParameterType,
            P::GapInForce { .. } | P::DecidedAgain { .. } => Code::GapInForce,
            P::OutcomeCycle { .. } => Code::OutcomeCycle,
            P::NoRule { .. } => Code::NoRule,
            P::UnusedFact { .. } => Code::UnusedFact,
            P::DefaultReadsOutcome => Code::DefaultReadsOutcome,
            P::ExceptionOtherOutcome { .. } => Code::ExceptionOtherOutcome,
            P::SelfException { .. } | P::ExceptionCycle { .. } => Code::ExceptionCycle,
            P::PoliciesNotFound { .. } => Code::PoliciesNotFound,
            P::EmptyPolicies { .. } => Code::EmptyPolicies,
            P::TooManyFiles { .. } => Code::TooManyFiles,
            P::TooDeepDirectory { .. } => Code::TooDeepDirectory,
            P::SymlinkLoop { .. } => Code::SymlinkLoop,
            P::UnreadableDirectory { .. }
            | P::UnreadableEntry { .. }
            | P::UnreadableFile { .. }
            | P::UnreadablePolicy { .. } => Code::Unreadable,
            P::FileTooLarge { .. } => Code::FileTooLarge,
            P::InvalidUtf8 { .. } => Code::InvalidUtf8,
            P::LineTooLong { .. } => Code::LineTooLong,
            P::TooManyDeclarations { .. } => Code::TooManyDeclarations,
            P::NotFound { .. } => Code::NotFound,
            P::Unwritable { .. } => Code::Unwritable,
            P::Io { .. }
            | P::BatchDirectory { .. }
            | P::OutputIsInput { .. }
            | P::OutputLost { .. } => Code::Io,
            P::NotRegularFile { .. } => Code::Unreadable,
            P::Refused(_) | P::BadTimeout { .. } => Code::BadRequest,
            P::CannotServe { .. } | P::CounterexamplesUnwritable { .. } => Code::Io,
            P::Finding { code, .. } => *code,
            P::MixedKeywords { .. } => Code::MixedKeywords,
            P::NoEmbeddedPolicies => Code::EmptyPolicies,
            P::Usage { .. } | P::PoliciesNotApplicable { .. } => Code::Usage,
            P::BadTest { .. }
            | P::InvalidExpectation { .. }
            | P::SnapshotsInCi { .. }
            | P::WatchNeedsFiles => Code::BadTest,
            P::NoTests | P::NoTestMatches { .. } => Code::NoTests,
            P::SnapshotWrite { .. } | P::WatchUnavailable { .. } | P::WatchPath { .. } => Code::Io,
            P::InvalidCase { .. } => Code::InvalidCase,
            P::Evaluation { .. } | P::CaseEvaluation { .. } => Code::Evaluation,
            P::Conflict { .. } | P::ConflictExplained { .. } => Code::Conflict,
            P::FirstDeclared(code) => *code,
        }
    }

    /// The one-line message: lowercase, user input in backticks.
    pub fn message(&self) -> String {
        use Problem as P;
        match self {
            P::Expected { list, found, .. } => format!("expected {list}, found {found}"),
            P::FileTooDeep => "the file is nested too deeply to read".into(),
            P::NestedTooDeep { levels } => {
                format!("expression nested more than {levels} levels deep")
            }
            P::ExpressionTooDeep => "expression nested too deeply to check".into(),
            P::ChainTooLong { terms } => format!("expression joins more than {terms} terms"),
            P::Malformed { what } => format!("malformed {what}"),
            P::DuplicateClause { clause } => format!("the document header gives {clause} twice"),
            P::BadParagraph { text } => format!("`{text}` is not a paragraph number"),
            P::UnterminatedString => "unterminated string".into(),
            P::DateDigits { text, .. } => format!("`{text}` is not written as YYYY-MM-DD"),
            P::NotADate { text } => format!("`{text}` is not a calendar date"),
            P::NumberTooLarge { text } => format!("number `{text}` is too large"),
            P::NotAnInteger { text } => format!("`{text}` is not an integer"),
            P::NotANumber { text, .. } => format!("`{text}` is not a number"),
            P::TypeMismatch { place, want, got } => {
                format!("{place} must be a {want}, found a {got}")
            }
            P::BodyType { def, want, got } => {
                format!("definition `{def}` is declared {want} but its body is a {got}")
            }
            P::SetElement { want, got } => format!("a set tested against a {want} holds a {got}"),
            P::NoMembership { ty } => format!("cannot test a {ty} for membership"),
            P::IfBranches { a, b } => format!("the branches of `if` differ: {a} and {b}"),
            P::Operand { what, want, got } => format!("{what} needs a {want}, found a {got}"),
            P::CompareTypes { a, b } => format!("cannot compare a {a} with a {b}"),
            P::Unordered { op, ty } => format!("`{op}` orders numbers and dates, not {ty} values"),
            P::Uncomparable { ty } => format!("cannot compare {ty} values"),
            P::Arithmetic { op, a, b, .. } => format!("cannot apply `{op}` to a {a} and a {b}"),
            P::Argument {
                param,
                def,
                want,
                got,
            } => format!("argument `{param}` of `{def}` must be a {want}, found a {got}"),
            P::RuleValue {
                rule,
                outcome,
                want,
                got,
            } => format!("rule `{rule}` concludes a {got} for outcome `{outcome}`, which is a {want}"),
            P::SetNotConstant => "a set may hold only constant values".into(),
            P::RecursiveDefinition { def, through } => {
                if through.is_empty() {
                    format!("definition `{def}` calls itself")
                } else {
                    format!(
                        "definition `{def}` calls itself through {}",
                        ticked(through)
                    )
                }
            }
            P::AmbiguousDateStep { word, .. } => format!("adding {word} needs a rounding"),
            P::ExpansionTooLarge { def, .. } => {
                format!("`{def}` grows too large once its definitions are expanded")
            }
            P::WrongArity { def, params, given } => format!(
                "`{def}` takes {} argument{}, given {given}",
                params.len(),
                if params.len() == 1 { "" } else { "s" }
            ),
            P::NestedRecord => "a record field cannot be a record".into(),
            P::RecordOutcome => "an outcome cannot be a record".into(),
            P::EmptyEnum { name } => format!("enum `{name}` has no values"),
            P::ParamNotConstant => "a parameter's value must be a constant".into(),
            P::ParamDates => "a parameter's dated values must be in ascending order".into(),
            P::Duplicate { what, name } => format!("{what} `{name}` is declared twice"),
            P::DuplicateParameter { name } => format!("parameter `{name}` is declared twice"),
            P::InForceNameTaken { name } => format!(
                "`{name}` reports a document in force and is declared as a fact or outcome too"
            ),
            P::DecimalTooLarge { text } => format!("number `{text}` is too large"),
            P::ReservedType { name } => format!("`{name}` is a built-in type"),
            P::ReservedAsOf => "`as_of` is the assessment date and cannot be a fact".into(),
            P::UnknownType { name, .. } => format!("unknown type `{name}`"),
            P::FactPrefix { name, other } => {
                format!("fact `{name}` is also the prefix of fact `{other}`")
            }
            P::AmbiguousEnumValue { value, enums } => {
                format!("`{value}` is a value of several enums: {}", ticked(enums))
            }
            P::UnknownGroupField { group, field, .. } => {
                format!("`{group}` has no field `{field}`")
            }
            P::UnknownName { what, name, .. } => format!("unknown {what} `{name}`"),
            P::UnknownEnumValue {
                value, enum_name, ..
            } => format!("`{value}` is not a value of enum `{enum_name}`"),
            P::NotARecord { name, ty } => format!("`{name}` is a {ty}, which has no fields"),
            P::UnknownRecordField { record, field, .. } => {
                format!("record `{record}` has no field `{field}`")
            }
            P::TooManyParts { path } => format!("`{path}` has no such field"),
            P::UnknownDefinition { name, .. } => format!("unknown definition `{name}`"),
            P::UnknownOutcome { name, .. } => format!("unknown outcome `{name}`"),
            P::NoSuchOutcome { name, .. } => format!("no outcome `{name}`"),
            P::UnknownRule { name, .. } => format!("exception to unknown rule `{name}`"),
            P::UnknownDocument { name, .. } => format!("no document `{name}` in the policy set"),
            P::TwoDocuments => "two document headers in one directory".into(),
            P::DuplicateDocument { id } => format!("document `{id}` is declared twice"),
            P::NoInForce { id } => {
                format!("document `{id}` does not say when it comes into force")
            }
            P::EmptyPeriod => "the in-force period ends before it starts".into(),
            P::SourceNotFound { file, .. } => {
                format!("source text `{file}` not found beside the header")
            }
            P::NoSource { id } => format!("document `{id}` names no source text"),
            P::SourceWithoutParagraphs { file } => {
                format!("no citable paragraph read from source text `{file}`")
            }
            P::NoDocument { file } => format!("`{file}` belongs to no document"),
            P::NoDocuments => "the policy set has no document header".into(),
            P::UnknownParagraph {
                what, key, source, ..
            } => format!("{what} cites {key}, which `{source}` does not have"),
            P::UnknownNotEncoded { key } => {
                format!("`not encoded` names {key}, which the source text does not have")
            }
            P::EmptyQuote { what, key } => format!("{what} cites {key} without quoting it"),
            P::QuoteMismatch { key, .. } => format!("the quote is not in paragraph {key}"),
            P::NoReason => "`not encoded` needs a reason".into(),
            P::EncodedAnyway { key } => {
                format!("{key} is marked `not encoded` but rules cite it")
            }
            P::UncoveredParagraph { key, doc, opening } => {
                format!("paragraph {key} of `{doc}` is cited by no rule: {opening}…")
            }
            P::UncoveredClauses {
                count,
                clauses,
                key,
                doc,
                first,
            } => format!(
                "{count} of {clauses} clauses of paragraph {key} of `{doc}` are neither quoted nor set aside: {first}"
            ),
            P::UnknownRank { name, .. } => format!("`{name}` is not a rank of law"),
            P::SelfImplements => "a document cannot implement itself".into(),
            P::ImplementsLower {
                mine,
                target,
                theirs,
            } => format!(
                "a {mine} cannot implement `{target}`, a {theirs} that does not rank above it"
            ),
            P::UnknownPairedOutcome { name, .. } => format!("unknown outcome `{name}`"),
            P::UnknownPairedValue {
                value, enum_name, ..
            } => format!("`{value}` is not a value of `{enum_name}`"),
            P::ImplementsNothing { id } => {
                format!("`{id}` implements no document, so nothing corresponds to it")
            }
            P::PairedElsewhere {
                outcome,
                by,
                role,
                document,
            } => format!("`{outcome}` is decided by {by}, not by {role} (`{document}`)"),
            P::SameNotEnums => {
                "`same … as …` pairs enum values; these outcomes are not enums".into()
            }
            P::PairedTypes { a, b } => format!("a {a} cannot answer the same question as a {b}"),
            P::UnknownNotedParagraph { document, key } => {
                format!("`{document}` has no paragraph {key}")
            }
            P::ReplacementCycle { id } => {
                format!("document `{id}` replaces itself through its successors")
            }
            P::AmendmentNeverApplies {
                id,
                target,
                from,
                ends,
                until,
            } => format!(
                "`{id}` amends `{target}` from {from}, but `{ends}` is in force only until {until}"
            ),
            P::AmendsAmendment { id, target, .. } => {
                format!("`{id}` amends `{target}`, which is itself an amendment")
            }
            P::DanglingAmendment {
                id,
                what,
                name,
                target,
                ..
            } => format!("`{id}` amends {what} `{name}`, which `{target}` does not have"),
            P::UnlistedAmendment {
                what,
                name,
                id,
                target,
                ..
            } => format!(
                "{what} `{name}` of `{id}` has the name of a {what} of `{target}` that the amendment does not list"
            ),
            P::OverlappingParameter { a, b, name, date } => {
                format!("documents `{a}` and `{b}` both set parameter `{name}` on {date}")
            }
            P::OverlappingOutcome {
                a,
                b,
                outcome,
                date,
            } => format!("documents `{a}` and `{b}` both decide `{outcome}` on {date}"),
            P::ParameterType { name, want, got } => {
                format!("parameter `{name}` is a {want} elsewhere but a {got} here")
            }
            P::GapInForce {
                period, outcomes, ..
            } => format!(
                "{period} no document decides {outcomes}, decided the day before and the day after"
            ),
            P::OutcomeCycle { outcomes } => match outcomes.as_slice() {
                [one] => format!("outcome `{one}` depends on itself"),
                _ => format!(
                    "outcomes {} depend on each other",
                    outcomes
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            },
            P::NoRule { outcome } => {
                format!("no rule concludes outcome `{outcome}` and it has no default")
            }
            P::UnusedFact { fact } => format!("fact `{fact}` is declared but no rule reads it"),
            P::DefaultReadsOutcome => "an outcome's default cannot read outcomes".into(),
            P::ExceptionOtherOutcome {
                rule,
                mine,
                target,
                theirs,
            } => format!(
                "rule `{rule}` concludes `{mine}` but is an exception to `{target}`, which concludes `{theirs}`"
            ),
            P::SelfException { rule } => format!("rule `{rule}` is an exception to itself"),
            P::ExceptionCycle { rules } => {
                format!("rules {} are exceptions to each other", ticked(rules))
            }
            P::PoliciesNotFound { path, reason } => {
                format!("cannot read policy directory `{path}`: {reason}")
            }
            P::EmptyPolicies { path, .. } => format!("`{path}` holds no `.policy` files"),
            P::TooManyFiles { limit } => {
                format!("the policy set holds more than {limit} policy files")
            }
            P::TooDeepDirectory { path, limit, .. } => {
                format!("`{path}` is nested more than {limit} directories deep")
            }
            P::SymlinkLoop { path } => format!("`{path}` leads back into a directory already read"),
            P::UnreadableDirectory { path, reason } => match reason {
                Some(r) => format!("cannot read directory `{path}`: {r}"),
                None => format!("cannot read directory `{path}`"),
            },
            P::UnreadableEntry { path, reason } | P::UnreadableFile { path, reason } => {
                format!("cannot read `{path}`: {reason}")
            }
            P::UnreadablePolicy { path, reason, .. } => {
                format!("cannot read `{path}` as a UTF-8 policy file: {reason}")
            }
            P::FileTooLarge { path, size, limit } => format!(
                "`{path}` is {size} bytes, more than the {limit} bytes (1 MiB) a file of a policy set may have"
            ),
            P::InvalidUtf8 { path, line, at } => {
                format!("`{path}` is not valid UTF-8 (line {line}, byte {at})")
            }
            P::LineTooLong { path, line, limit } => {
                format!("line {line} of `{path}` is longer than {limit} bytes")
            }
            P::TooManyDeclarations { total, limit } => format!(
                "the policy set has {total} declarations; at most {limit} are allowed"
            ),
            P::NotFound { path } => format!("cannot read `{path}`: no such file or directory"),
            P::Unwritable { path, reason } => format!("cannot write `{path}`: {reason}"),
            P::Io { what, reason, .. } => format!("{what}: {reason}"),
            P::OutputIsInput { output } => format!(
                "{output} is the input: writing the reports there would destroy the cases"
            ),
            P::OutputLost { reason } => format!("cannot write the output: {reason}"),
            P::NotRegularFile { path } => format!("`{path}` is not a regular file"),
            P::Refused(r) => r.message(),
            P::BadTimeout { given } => format!("--timeout {given} is not a time to wait"),
            P::CannotServe { addr, reason } => format!("cannot serve on {addr}: {reason}"),
            P::Finding { outcome, what, .. } => format!("{outcome}: {what}"),
            P::MixedKeywords {
                form,
                written,
                other,
                want,
                ..
            } => format!(
                "this file writes its keywords in {form}, but `{written}` is the {other} form of `{want}`"
            ),
            P::CounterexamplesUnwritable { dir, reason } => {
                format!("cannot write counterexamples to {dir}: {reason}")
            }
            P::NoEmbeddedPolicies => "no policies: this build has no embedded policies".into(),
            P::Usage { message, .. } => message.clone(),
            P::PoliciesNotApplicable { command, .. } => {
                format!("`--policies` does not apply to `regula {command}`")
            }
            P::BatchDirectory { path } => {
                format!("`{path}` is a directory, not a file of JSON lines")
            }
            P::BadTest { reason } => reason.clone(),
            P::NoTests => "no tests found".into(),
            P::NoTestMatches { pattern } => format!("no test matches `--run {pattern}`"),
            P::InvalidExpectation {
                file,
                path,
                problem,
            } => placed(file, path, &problem.message()),
            P::SnapshotWrite { reason } => reason.clone(),
            P::SnapshotsInCi { flag } => {
                format!("{flag} changes snapshots, but CI is set: nothing was written")
            }
            P::WatchNeedsFiles => "--watch needs files on disk to watch".into(),
            P::WatchUnavailable { reason } => format!("cannot watch files: {reason}"),
            P::WatchPath { path, reason } => format!("cannot watch `{path}`: {reason}"),
            P::InvalidCase {
                file,
                path,
                problem,
            } => placed(file, &shorten(path), &problem.message()),
            P::Evaluation { on, fault } => match on {
                Some(d) => format!("evaluation on {d} failed: {fault}"),
                None => format!("evaluation failed: {fault}"),
            },
            P::CaseEvaluation { case, fault } => {
                format!("evaluation of `{case}` failed: {fault}")
            }
            P::Conflict { outcomes, .. } => {
                format!("rules conflict on {}; no value was chosen", ticked(outcomes))
            }
            P::ConflictExplained { outcome } => {
                format!("rules conflict on `{outcome}`; no value was chosen")
            }
            P::FirstDeclared(_) => "first declared here".into(),
            P::AmendedDocument { id } => format!("the amended document `{id}`"),
            P::InForcePeriod { id, period } => format!("`{id}` is in force {period}"),
            P::IsAnAmendment { id } => format!("`{id}` is an amendment"),
            P::AmendmentClause => "the amendment clause".into(),
            P::SetsItHere { id } => format!("`{id}` sets it here"),
            P::DecidesItHere { id, outcome } => format!("`{id}` decides `{outcome}` here"),
            P::DecidedAgain { id, from } => format!("`{id}` decides it again from {from}"),
        }
    }

    /// The text that replaces the primary place when the problem suggests
    /// one (its help's `did you mean`): what an editor offers as a fix.
    pub fn replacement(&self) -> Option<String> {
        use Problem as P;
        match self {
            P::UnknownGroupField {
                group,
                suggestion: Some(f),
                ..
            } => Some(format!("{group}.{f}")),
            P::Expected {
                hint: SyntaxHint::Keyword(k),
                ..
            } => Some(k.clone()),
            P::UnknownOutcome { is_fact: true, .. } => None,
            P::UnknownType { suggestion, .. }
            | P::UnknownName { suggestion, .. }
            | P::UnknownEnumValue { suggestion, .. }
            | P::UnknownRecordField { suggestion, .. }
            | P::UnknownDefinition { suggestion, .. }
            | P::UnknownOutcome { suggestion, .. }
            | P::NoSuchOutcome { suggestion, .. }
            | P::UnknownRule { suggestion, .. }
            | P::UnknownDocument { suggestion, .. }
            | P::SourceNotFound { suggestion, .. }
            | P::UnknownRank { suggestion, .. }
            | P::UnknownPairedOutcome { suggestion, .. }
            | P::UnknownPairedValue { suggestion, .. }
            | P::DanglingAmendment { suggestion, .. } => suggestion.clone(),
            _ => None,
        }
    }

    /// The advice, if any.
    pub fn help(&self) -> Option<String> {
        use Problem as P;
        Some(match self {
            P::Expected { hint, .. } => hint.text(),
            P::FileTooDeep | P::NestedTooDeep { .. } | P::ExpressionTooDeep => SPLIT.into(),
            P::ChainTooLong { .. } => {
                "split it with a `define` or an intermediate outcome".into()
            }
            P::Malformed { .. } => {
                "this construct could not be read; please report it with the file".into()
            }
            P::DuplicateClause { .. } => {
                "remove one of them: a header states each clause once".into()
            }
            P::BadParagraph { .. } => "cite a paragraph as article.paragraph, e.g. `4.2`, or an item as article.paragraph.item, e.g. `12.1.3`".into(),
            P::UnterminatedString => "add `\"` at the end; a string cannot span lines".into(),
            P::DateDigits { proper, .. } => format!("write `{proper}`"),
            P::NotADate { .. } => {
                "dates are written YYYY-MM-DD and must exist in the calendar".into()
            }
            P::NumberTooLarge { .. } => {
                format!("integers range from {} to {}", i64::MIN, i64::MAX)
            }
            P::NotAnInteger { .. } => {
                "an integer is expected here; decimals (`0.5`, `10%`) are values of type `decimal`"
                    .into()
            }
            P::NotANumber { lead, .. } => format!(
                "a number is digits only; to use a unit write a space: `{lead} days`"
            ),
            P::TypeMismatch { want, got, .. } if want == "int" && got == "decimal" => {
                ROUND.into()
            }
            P::TypeMismatch { want, .. } => format!("write an expression of type {want} here"),
            P::BodyType { .. } => "make the body and the declared type agree".into(),
            P::SetElement { want, .. } => format!("every element must be a {want}"),
            P::NoMembership { .. } => {
                "membership applies to enums, ints, dates, text and bools".into()
            }
            P::IfBranches { .. } => "both branches must have the same type".into(),
            P::Operand { want, .. } => format!("use a {want} here"),
            P::CompareTypes { .. } => "both sides of a comparison must have the same type".into(),
            P::Unordered { .. } => "use `=` or `!=` to compare these values".into(),
            P::Uncomparable { .. } => "compare the fields or dates instead".into(),
            P::Arithmetic { date_and_int, .. } => {
                if *date_and_int {
                    "add a duration to a date: `d + 30 days`".into()
                } else {
                    "arithmetic works on numbers (ints and decimals), a date and a duration (`d + 30 days`), or two dates (`d1 - d2`, in days)".into()
                }
            }
            P::Argument { want, .. } => format!("pass a {want}"),
            P::RuleValue { want, got, .. } if want == "int" && got == "decimal" => ROUND.into(),
            P::RuleValue { want, .. } => {
                format!("conclude a {want} value, or change the outcome's type")
            }
            P::SetNotConstant => {
                "list enum values or literals; compare with `=` for anything else".into()
            }
            P::RecursiveDefinition { .. } => {
                "definitions cannot recurse; write the repeated step out, or use an outcome".into()
            }
            P::AmbiguousDateStep { word, amount } => format!(
                "write `{amount} {word} round down` (to the month's last day) or `round up` (to the next month's first day)"
            ),
            P::ExpansionTooLarge { parts, levels, .. } => format!(
                "definitions are copied into each call; more than {parts} parts or {levels} levels come out of this one: call fewer definitions inside each other"
            ),
            P::WrongArity { def, params, .. } => {
                format!("call it as `{def}({})`", params.join(", "))
            }
            P::NestedRecord => "declare the inner fields directly in this record".into(),
            P::RecordOutcome => "declare one outcome per field".into(),
            P::EmptyEnum { .. } => "list its values with their labels inside the braces".into(),
            P::ParamNotConstant => {
                "write a literal such as `1`, `true` or an enum value".into()
            }
            P::ParamDates => "list the values oldest first".into(),
            P::Duplicate { what, .. } => {
                format!("rename one of them or remove the repeated {what}")
            }
            P::DuplicateParameter { .. } => "give each parameter its own name".into(),
            P::InForceNameTaken { .. } => {
                "give the in-force outcome another name with `as`, or rename the declaration"
                    .into()
            }
            P::DecimalTooLarge { .. } => "a decimal has at most 18 digits".into(),
            P::ReservedType { .. } => "choose another name for the type".into(),
            P::ReservedAsOf => "every case states `as_of`; refer to it as `as_of`".into(),
            P::UnknownType { suggestion, .. } => mean(suggestion, || {
                "the types are bool, int, date, text and the declared enums and records".into()
            }),
            P::FactPrefix { name, .. } => format!("rename `{name}`, e.g. to `{name}_value`"),
            P::AmbiguousEnumValue { value, enums } => format!(
                "qualify it with its enum, e.g. `{}.{value}`",
                enums.first().map(String::as_str).unwrap_or_default()
            ),
            P::UnknownGroupField {
                group,
                record,
                fields,
                suggestion,
                ..
            } => match suggestion {
                Some(f) => format!("did you mean `{group}.{f}`?"),
                None => format!("the fields of `{record}` are `{}`", fields.join("`, `")),
            },
            P::UnknownName { suggestion, .. } => mean(suggestion, || {
                "declare it as a fact, outcome or parameter".into()
            }),
            P::UnknownEnumValue {
                enum_name,
                values,
                suggestion,
                ..
            } => mean(suggestion, || {
                format!("the values of `{enum_name}` are {}", ticked(values))
            }),
            P::NotARecord { .. } => "only record values have fields".into(),
            P::UnknownRecordField { suggestion, .. } => {
                mean(suggestion, || "use a field of the record".into())
            }
            P::TooManyParts { .. } => "a record's field is read as `param.field`".into(),
            P::UnknownDefinition { suggestion, .. } => {
                mean(suggestion, || "declare it with `define`".into())
            }
            P::UnknownOutcome {
                name,
                is_fact,
                suggestion,
            } => {
                if *is_fact {
                    format!("`{name}` is a fact; a rule concludes an outcome")
                } else {
                    mean(suggestion, || "declare it with `outcome`".into())
                }
            }
            P::NoSuchOutcome { suggestion, .. } => mean(suggestion, || {
                "run `regula eval` to list the outcomes".into()
            }),
            P::UnknownRule { suggestion, .. } => mean(suggestion, || {
                "name a rule declared in the policy set".into()
            }),
            P::UnknownDocument { suggestion, .. } => mean(suggestion, || {
                "name a document of this policy set by its identifier".into()
            }),
            P::TwoDocuments => "a directory holds one document; put the other document in a directory of its own".into(),
            P::DuplicateDocument { .. } => "give each document its own identifier, or pass only one copy of it with --policies".into(),
            P::NoInForce { .. } => {
                "add `in force from YYYY-MM-DD to YYYY-MM-DD` to the header".into()
            }
            P::EmptyPeriod => "swap the dates, or correct the one mistyped".into(),
            P::SourceNotFound { suggestion, .. } => mean(suggestion, || {
                "keep a verbatim copy of the regulation text (.txt) beside the header file".into()
            }),
            P::NoSource { .. } => {
                "add `source \"file.txt\"`: the verbatim text its rules cite".into()
            }
            P::SourceWithoutParagraphs { .. } => {
                "write the text in its own shape: provisions `一、…` (each paragraph a block after its heading, or the provision on its heading line), or articles `第一条　…` with one paragraph or item per block".into()
            }
            P::NoDocument { .. } => {
                "put the file in the directory of the document header it belongs to".into()
            }
            P::NoDocuments => "add a file with `document \"…\"`, its issuer, its in-force period and its source text".into(),
            P::UnknownParagraph {
                in_article,
                article,
                last_article,
                ..
            } => {
                if in_article.is_empty() {
                    format!("the source text has articles 1 to {last_article}")
                } else {
                    format!("article {article} has {}", in_article.join(", "))
                }
            }
            P::UnknownNotEncoded { .. } => "name a paragraph of the source text".into(),
            P::EmptyQuote { .. } => {
                "quote the sentence of the paragraph that the rule encodes".into()
            }
            P::QuoteMismatch { key, hint } => match hint {
                QuoteHint::Elsewhere(keys) => {
                    format!("these words are in {}: cite that paragraph", keys.join(", "))
                }
                QuoteHint::EndsAfter(head) => format!("{key} ends after `{head}`"),
                QuoteHint::Reads { head, next } => format!(
                    "{key} reads `{head}{next}…`: quote its words exactly (whitespace aside)"
                ),
                QuoteHint::Begins(text) => format!(
                    "quote the words of {key} exactly (whitespace aside); it begins `{text}…`"
                ),
            },
            P::NoReason => {
                "say why the paragraph is deliberately left without rules".into()
            }
            P::EncodedAnyway { .. } => "remove the `not encoded` line, or name the clause it sets aside: `not encoded 4.1 \"clause\" because \"reason\"`".into(),
            P::UncoveredParagraph { key, .. } | P::UncoveredClauses { key, .. } => format!(
                "quote it in a rule citing {key}, or write `not encoded {key} \"clause\" because \"reason\"`"
            ),
            P::UnknownRank {
                ranks, suggestion, ..
            } => mean(suggestion, || format!("a rank is one of {}", ranks.join("、"))),
            P::SelfImplements => "name the higher document this one implements".into(),
            P::ImplementsLower { .. } => {
                "a document implements one of higher rank; correct the rank of either".into()
            }
            P::UnknownPairedOutcome { suggestion, .. } => mean(suggestion, || {
                "name an outcome declared with `outcome`".into()
            }),
            P::UnknownPairedValue {
                enum_name,
                values,
                suggestion,
                ..
            } => mean(suggestion, || {
                format!("`{enum_name}` has {}", values.join(", "))
            }),
            P::ImplementsNothing { .. } => {
                "name the higher document in the header: `implements \"…\"`".into()
            }
            P::PairedElsewhere { .. } => "a correspondence pairs an outcome of this document with one of the document it implements".into(),
            P::SameNotEnums => {
                "remove the `same` clause: values of the same type compare directly".into()
            }
            P::PairedTypes { .. } => {
                "pair outcomes of the same type, or two enums with `same … as …`".into()
            }
            P::UnknownNotedParagraph { .. } => {
                "name a paragraph of that document's source text".into()
            }
            P::ReplacementCycle { .. } => "a successor replaces an older document; remove the `replaces` clause of the older one".into(),
            P::AmendmentNeverApplies { .. } => {
                "check the `amends … from` date against both documents' in-force periods".into()
            }
            P::AmendsAmendment { base, .. } => format!(
                "amend `{base}` directly, naming the provisions as they are called there"
            ),
            P::DanglingAmendment {
                what,
                target,
                suggestion,
                ..
            } => mean(suggestion, || format!("name a {what} that `{target}` declares")),
            P::UnlistedAmendment { name, clause, .. } => format!(
                "to replace it, add `{name}` to `{clause}` in the `amends` clause; otherwise rename it"
            ),
            P::OverlappingParameter { a, b, .. } => format!(
                "if `{b}` succeeds `{a}`, add `replaces \"{a}\" from YYYY-MM-DD` to its header; otherwise make their in-force periods disjoint"
            ),
            P::OverlappingOutcome { a, b, .. } => format!(
                "if `{b}` succeeds `{a}`, add `replaces \"{a}\" from YYYY-MM-DD` to its header; if it changes some of its rules, use `amends \"{a}\" from YYYY-MM-DD rules …`; otherwise make their in-force periods disjoint"
            ),
            P::ParameterType { want, .. } => {
                format!("every version of a parameter has one type: declare it as {want}")
            }
            P::GapInForce {
                after,
                first_day,
                before,
                ..
            } => format!(
                "if the gap is not intended, make `{after}` come into force on {first_day} or extend the period of `{before}`"
            ),
            P::OutcomeCycle { .. } => {
                "an outcome cannot be decided from itself; read the facts it depends on instead"
                    .into()
            }
            P::NoRule { .. } => {
                "write a rule that concludes it, give it a `default`, or remove it".into()
            }
            P::UnusedFact { .. } => "read it in a rule, or remove the declaration".into(),
            P::DefaultReadsOutcome => "write a rule for the case instead".into(),
            P::ExceptionOtherOutcome { .. } => {
                "an exception must conclude the same outcome as the rule it overrides".into()
            }
            P::SelfException { .. } => {
                "an exception names the general rule it overrides".into()
            }
            P::ExceptionCycle { .. } => {
                "exceptions form a hierarchy: remove the `exception to` of the general rule"
                    .into()
            }
            P::PoliciesNotFound { .. } => "pass an existing directory with --policies, or leave it out to use the embedded policies".into(),
            P::EmptyPolicies { others, .. } => {
                if others.is_empty() {
                    "a policy set is a directory of `.policy` files; check the path".into()
                } else {
                    format!(
                        "it holds only other files (`{}`); a policy set is a directory of `.policy` files",
                        others.join("`, `")
                    )
                }
            }
            P::TooManyFiles { .. } => "point --policies at the directory of one policy set".into(),
            P::TooDeepDirectory { formatting, .. } => {
                if *formatting {
                    "name the policy directories themselves, or check for a symbolic link that loops".into()
                } else {
                    "a symbolic link may point back at a parent directory".into()
                }
            }
            P::SymlinkLoop { .. } => "remove the symbolic link that loops".into(),
            P::UnreadableDirectory { .. } => {
                "check that the directory exists and that you may read it".into()
            }
            P::UnreadableEntry { .. } => {
                "a symbolic link may point at itself or at nothing".into()
            }
            P::UnreadableFile { .. } => {
                "check that the file exists and that you may read it".into()
            }
            P::UnreadablePolicy { limit, .. } => {
                format!("a policy file is UTF-8 text of at most {limit} bytes")
            }
            P::FileTooLarge { .. } => {
                "split the provisions over several files of at most 1 MiB each".into()
            }
            P::InvalidUtf8 { .. } => "save the file as UTF-8".into(),
            P::LineTooLong { .. } => "break the line; expressions may span lines".into(),
            P::TooManyDeclarations { .. } => {
                "a policy set encodes one family of documents; split unrelated ones".into()
            }
            P::NotFound { .. } => "pass policy files or directories that hold them".into(),
            P::Unwritable { .. } => {
                "make the file writable, or run `regula fmt --check` to only list it".into()
            }
            P::Io { reading, .. } => {
                if *reading {
                    "check the path and that you may read the file".into()
                } else {
                    "check the disk space and the path of the output".into()
                }
            }
            P::OutputIsInput { .. } => "write the reports to another file".into(),
            P::OutputLost { .. } => {
                "check the disk space and where standard output goes".into()
            }
            P::NotRegularFile { .. } => {
                "a policy set is a directory of policy and text files".into()
            }
            P::Refused(r) => r.help(),
            P::BadTimeout { .. } => "give seconds, more than 0 and at most 86400".into(),
            P::CannotServe { .. } => {
                "choose another address with --addr (port 0 picks a free one)".into()
            }
            P::NoEmbeddedPolicies => "pass --policies DIR".into(),
            P::MixedKeywords { want, code, .. } => format!(
                "one file uses one form: write `{want}` here, or convert the whole file with `regula fmt --keywords {code}`"
            ),
            P::CounterexamplesUnwritable { .. } => {
                "give a directory that can be created and written".into()
            }
            P::Finding {
                code,
                counterexample,
                condition,
                truncated,
                ..
            } => {
                let mut help = counterexample.clone().unwrap_or_default();
                if !condition.is_empty() {
                    help.push_str(&format!(
                        "{}they differ when: {}{}",
                        if help.is_empty() { "" } else { "; " },
                        condition.join(" | or | "),
                        if *truncated { " | or …" } else { "" }
                    ));
                }
                match code {
                    Code::ConflictingRules => help.push_str(
                        "; make one rule an exception to the other, or narrow a condition",
                    ),
                    Code::DeadRule => {
                        help.push_str("remove the rule, or correct its condition or its exceptions")
                    }
                    Code::DeadException => help.push_str(
                        "the exception's condition excludes its base's: correct one of them",
                    ),
                    _ => {}
                }
                return (!help.is_empty()).then_some(help);
            }
            P::Usage { usage, .. } => {
                return usage
                    .as_ref()
                    .map(|u| format!("{u}; run with --help for more"))
            }
            P::PoliciesNotApplicable { hint, .. } => hint.clone(),
            P::BatchDirectory { .. } => {
                "name one file holding one case (a JSON object) per line".into()
            }
            P::BadTest { .. } => {
                "a test is a case `NAME.json` with its expectations `NAME.expected.json` beside it"
                    .into()
            }
            P::NoTests => "a test is a case `NAME.json` in a `tests/` folder beside the policies; `regula test` writes its expectations as `NAME.expected.json.new`".into(),
            P::NoTestMatches { .. } => {
                "the pattern is a regular expression matched against each case file's path".into()
            }
            P::InvalidExpectation { problem, .. } => return problem.help(),
            P::SnapshotWrite { .. } => "check the folder's permissions and free space".into(),
            P::SnapshotsInCi { .. } => {
                "review and accept snapshots on your own machine, and commit them".into()
            }
            P::WatchNeedsFiles => {
                "pass --policies DIR (and test paths), not the embedded policies".into()
            }
            P::WatchUnavailable { .. } => {
                "the system's limit of watched files may be reached".into()
            }
            P::WatchPath { .. } => "check the path".into(),
            P::InvalidCase { problem, .. } => return problem.help(),
            P::Evaluation { .. } => "the case's values overflow what this expression can compute; check the facts".into(),
            P::CaseEvaluation { .. } => {
                "the case's values overflow what an expression can compute; check the facts".into()
            }
            P::Conflict { outcomes, case } => format!(
                "two rules apply to this case and conclude different values; run `regula explain {case} {}` for both derivations, and make one an exception to the other if the regulation says which prevails",
                outcomes.first().map(String::as_str).unwrap_or_default()
            ),
            P::ConflictExplained { .. } => {
                "make one rule an exception to the other if the regulation says which prevails"
                    .into()
            }
            P::FirstDeclared(_)
            | P::AmendedDocument { .. }
            | P::InForcePeriod { .. }
            | P::IsAnAmendment { .. }
            | P::AmendmentClause
            | P::SetsItHere { .. }
            | P::DecidesItHere { .. }
            | P::DecidedAgain { .. } => return None,
        })
    }
}

impl SyntaxHint {
    fn text(&self) -> String {
        use SyntaxHint as H;
        match self {
            H::Reserved(word) => format!(
                "`{word}` is a reserved word and cannot be used as a name; choose another name"
            ),
            H::Keyword(k) => format!("did you mean `{k}`?"),
            H::Blank(c) => format!(
                "U+{:04X} is not a blank of the language: separate words with spaces, tabs or the ideographic space U+3000, and delete invisible characters",
                u32::from(*c)
            ),
            H::Declaration => {
                "each declaration starts with a keyword such as `rule`, `fact` or `outcome`".into()
            }
            H::Then => "a condition is followed by `then outcome = value`; join conditions with `and` or `or`".into(),
            H::Cites => {
                "every rule cites the paragraph it encodes: `cites 4.2 \"quoted words\"`".into()
            }
            H::Expression => {
                "write a value, a name, a call or a parenthesised expression here".into()
            }
            H::NameType => "a name is followed by its type: `name : type`, e.g. `fact injury.occurred : bool \"…\"`".into(),
            H::CloseParen => "close every `(` that is opened".into(),
            H::Braces => "list the values or fields inside braces: `enum Party \"当事方\" { host \"用工单位\" }`".into(),
            H::Equals => "a parameter or a definition gives its value after `=`".into(),
            H::RuleShape => "a rule reads `rule name cites 4.2 \"…\"`, then optionally `exception to other_rule` and `when condition`, then `then outcome = value`".into(),
            H::Paragraph => {
                "cite a paragraph as article.paragraph: `cites 4.2 \"quoted words\"`".into()
            }
            H::Number => "write a whole number such as `0`".into(),
            H::Name => "write a name: letters, digits and `_`, dotted for facts and outcomes (`wage_arrears.fund_case`)".into(),
            H::Quoted => {
                "labels and quotes are written in double quotes: `\"劳务派遣单位\"`".into()
            }
            H::Type => {
                "the types are bool, int, date, text and the declared enums and records".into()
            }
            H::Reference => {
                "the declarations and their clauses are described in the language reference"
                    .into()
            }
        }
    }
}

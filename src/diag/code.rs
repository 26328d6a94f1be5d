//! The kinds of problem regula reports: one enum, from which every
//! diagnostic takes its stable code, its severity and its group.
//! Generated from the README's table of codes; keep the two in step
//! (a test compares them).

/// A kind of problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// `regula::ambiguous-date-step`: months without a rounding.
    AmbiguousDateStep,
    /// `regula::ambiguous-enum-value`.
    AmbiguousEnumValue,
    /// `regula::amendment-never-applies`: its date falls outside the documents' periods.
    AmendmentNeverApplies,
    /// `regula::amends-amendment`.
    AmendsAmendment,
    /// `regula::bad-date`: e.g. 2025-02-30.
    BadDate,
    /// `regula::bad-correspondence`.
    BadCorrespondence,
    /// `regula::bad-implements`.
    BadImplements,
    /// `regula::bad-number`.
    BadNumber,
    /// `regula::bad-paragraph`.
    BadParagraph,
    /// `regula::bad-request`: serve: a request refused before evaluation.
    BadRequest,
    /// `regula::bad-test`.
    BadTest,
    /// `regula::conflict`.
    Conflict,
    /// `regula::dangling-amendment`.
    DanglingAmendment,
    /// `regula::default-reads-outcome`.
    DefaultReadsOutcome,
    /// `regula::duplicate`.
    Duplicate,
    /// `regula::duplicate-clause`: a header clause given twice.
    DuplicateClause,
    /// `regula::duplicate-document`.
    DuplicateDocument,
    /// `regula::empty-enum`.
    EmptyEnum,
    /// `regula::empty-period`.
    EmptyPeriod,
    /// `regula::empty-policies`.
    EmptyPolicies,
    /// `regula::empty-quote`.
    EmptyQuote,
    /// `regula::encoded-anyway`.
    EncodedAnyway,
    /// `regula::evaluation`: checked arithmetic overflowed.
    Evaluation,
    /// `regula::exception-cycle`.
    ExceptionCycle,
    /// `regula::exception-other-outcome`.
    ExceptionOtherOutcome,
    /// `regula::expansion-too-large`.
    ExpansionTooLarge,
    /// `regula::fact-prefix`.
    FactPrefix,
    /// `regula::file-too-large`.
    FileTooLarge,
    /// `regula::gap-in-force`.
    GapInForce,
    /// `regula::invalid-case`: unknown key with the nearest known key, wrong type, impossible date, value outside an enum, negative count, duplicate key, no `as_of`.
    InvalidCase,
    /// `regula::invalid-utf8`.
    InvalidUtf8,
    /// `regula::io`: batch: input or output cannot be opened.
    Io,
    /// `regula::line-too-long`.
    LineTooLong,
    /// `regula::mixed-keywords`: English and Chinese keywords in one file.
    MixedKeywords,
    /// `regula::nested-record`.
    NestedRecord,
    /// `regula::no-document`.
    NoDocument,
    /// `regula::no-in-force`.
    NoInForce,
    /// `regula::no-reason`.
    NoReason,
    /// `regula::no-rule`.
    NoRule,
    /// `regula::no-source`.
    NoSource,
    /// `regula::no-tests`: test.
    NoTests,
    /// `regula::not-a-record`.
    NotARecord,
    /// `regula::not-found`.
    NotFound,
    /// `regula::outcome-cycle`.
    OutcomeCycle,
    /// `regula::overlapping-documents`.
    OverlappingDocuments,
    /// `regula::param-dates`.
    ParamDates,
    /// `regula::param-not-constant`.
    ParamNotConstant,
    /// `regula::parameter-type`.
    ParameterType,
    /// `regula::policies-not-found`.
    PoliciesNotFound,
    /// `regula::quote-mismatch`: whitespace-insensitive.
    QuoteMismatch,
    /// `regula::record-outcome`.
    RecordOutcome,
    /// `regula::recursive-definition`.
    RecursiveDefinition,
    /// `regula::replacement-cycle`.
    ReplacementCycle,
    /// `regula::reserved-name`.
    ReservedName,
    /// `regula::reserved-type`.
    ReservedType,
    /// `regula::set-not-constant`.
    SetNotConstant,
    /// `regula::source-not-found`.
    SourceNotFound,
    /// `regula::source-without-paragraphs`.
    SourceWithoutParagraphs,
    /// `regula::symlink-loop`.
    SymlinkLoop,
    /// `regula::syntax`: what was expected, in words.
    Syntax,
    /// `regula::too-deep`: over 64 nested levels.
    TooDeep,
    /// `regula::too-deep-directory`.
    TooDeepDirectory,
    /// `regula::too-long`: over 128 terms in one chain.
    TooLong,
    /// `regula::too-many-declarations`.
    TooManyDeclarations,
    /// `regula::too-many-files`.
    TooManyFiles,
    /// `regula::two-documents`.
    TwoDocuments,
    /// `regula::type-mismatch`.
    TypeMismatch,
    /// `regula::uncovered-paragraph`.
    UncoveredParagraph,
    /// `regula::unknown-definition`.
    UnknownDefinition,
    /// `regula::unknown-document`: each with "did you mean".
    UnknownDocument,
    /// `regula::unknown-enum-value`.
    UnknownEnumValue,
    /// `regula::unknown-rank`.
    UnknownRank,
    /// `regula::unknown-field`.
    UnknownField,
    /// `regula::unknown-name`.
    UnknownName,
    /// `regula::unknown-outcome`.
    UnknownOutcome,
    /// `regula::unknown-paragraph`.
    UnknownParagraph,
    /// `regula::unknown-rule`.
    UnknownRule,
    /// `regula::unknown-type`.
    UnknownType,
    /// `regula::unlisted-amendment`.
    UnlistedAmendment,
    /// `regula::unreadable`.
    Unreadable,
    /// `regula::unterminated-string`.
    UnterminatedString,
    /// `regula::unused-fact`.
    UnusedFact,
    /// `regula::unwritable`: fmt.
    Unwritable,
    /// `regula::usage`: the command line itself is wrong.
    Usage,
    /// `regula::conflicting-rules`: verify: two rules in effect with different values in some case.
    ConflictingRules,
    /// `regula::dead-exception`: verify: an exception that never overrides its base.
    DeadException,
    /// `regula::dead-rule`: verify: a rule that decides in no case.
    DeadRule,
    /// `regula::verify-gap`: verify: every fact known and yet undecided.
    VerifyGap,
    /// `regula::versions-differ`: verify: two versions or dates differ on some case.
    VersionsDiffer,
    /// `regula::wrong-arity`.
    WrongArity,
}

impl Code {
    /// Every kind, in the order of their codes.
    pub const ALL: [Code; 90] = [
        Code::AmbiguousDateStep,
        Code::AmbiguousEnumValue,
        Code::AmendmentNeverApplies,
        Code::AmendsAmendment,
        Code::BadDate,
        Code::BadCorrespondence,
        Code::BadImplements,
        Code::BadNumber,
        Code::BadParagraph,
        Code::BadRequest,
        Code::BadTest,
        Code::Conflict,
        Code::DanglingAmendment,
        Code::DefaultReadsOutcome,
        Code::Duplicate,
        Code::DuplicateClause,
        Code::DuplicateDocument,
        Code::EmptyEnum,
        Code::EmptyPeriod,
        Code::EmptyPolicies,
        Code::EmptyQuote,
        Code::EncodedAnyway,
        Code::Evaluation,
        Code::ExceptionCycle,
        Code::ExceptionOtherOutcome,
        Code::ExpansionTooLarge,
        Code::FactPrefix,
        Code::FileTooLarge,
        Code::GapInForce,
        Code::InvalidCase,
        Code::InvalidUtf8,
        Code::Io,
        Code::LineTooLong,
        Code::MixedKeywords,
        Code::NestedRecord,
        Code::NoDocument,
        Code::NoInForce,
        Code::NoReason,
        Code::NoRule,
        Code::NoSource,
        Code::NoTests,
        Code::NotARecord,
        Code::NotFound,
        Code::OutcomeCycle,
        Code::OverlappingDocuments,
        Code::ParamDates,
        Code::ParamNotConstant,
        Code::ParameterType,
        Code::PoliciesNotFound,
        Code::QuoteMismatch,
        Code::RecordOutcome,
        Code::RecursiveDefinition,
        Code::ReplacementCycle,
        Code::ReservedName,
        Code::ReservedType,
        Code::SetNotConstant,
        Code::SourceNotFound,
        Code::SourceWithoutParagraphs,
        Code::SymlinkLoop,
        Code::Syntax,
        Code::TooDeep,
        Code::TooDeepDirectory,
        Code::TooLong,
        Code::TooManyDeclarations,
        Code::TooManyFiles,
        Code::TwoDocuments,
        Code::TypeMismatch,
        Code::UncoveredParagraph,
        Code::UnknownDefinition,
        Code::UnknownDocument,
        Code::UnknownEnumValue,
        Code::UnknownRank,
        Code::UnknownField,
        Code::UnknownName,
        Code::UnknownOutcome,
        Code::UnknownParagraph,
        Code::UnknownRule,
        Code::UnknownType,
        Code::UnlistedAmendment,
        Code::Unreadable,
        Code::UnterminatedString,
        Code::UnusedFact,
        Code::Unwritable,
        Code::Usage,
        Code::ConflictingRules,
        Code::DeadException,
        Code::DeadRule,
        Code::VerifyGap,
        Code::VersionsDiffer,
        Code::WrongArity,
    ];

    /// The stable code, `regula::…`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::AmbiguousDateStep => "regula::ambiguous-date-step",
            Code::AmbiguousEnumValue => "regula::ambiguous-enum-value",
            Code::AmendmentNeverApplies => "regula::amendment-never-applies",
            Code::AmendsAmendment => "regula::amends-amendment",
            Code::BadDate => "regula::bad-date",
            Code::BadCorrespondence => "regula::bad-correspondence",
            Code::BadImplements => "regula::bad-implements",
            Code::BadNumber => "regula::bad-number",
            Code::BadParagraph => "regula::bad-paragraph",
            Code::BadRequest => "regula::bad-request",
            Code::BadTest => "regula::bad-test",
            Code::Conflict => "regula::conflict",
            Code::DanglingAmendment => "regula::dangling-amendment",
            Code::DefaultReadsOutcome => "regula::default-reads-outcome",
            Code::Duplicate => "regula::duplicate",
            Code::DuplicateClause => "regula::duplicate-clause",
            Code::DuplicateDocument => "regula::duplicate-document",
            Code::EmptyEnum => "regula::empty-enum",
            Code::EmptyPeriod => "regula::empty-period",
            Code::EmptyPolicies => "regula::empty-policies",
            Code::EmptyQuote => "regula::empty-quote",
            Code::EncodedAnyway => "regula::encoded-anyway",
            Code::Evaluation => "regula::evaluation",
            Code::ExceptionCycle => "regula::exception-cycle",
            Code::ExceptionOtherOutcome => "regula::exception-other-outcome",
            Code::ExpansionTooLarge => "regula::expansion-too-large",
            Code::FactPrefix => "regula::fact-prefix",
            Code::FileTooLarge => "regula::file-too-large",
            Code::GapInForce => "regula::gap-in-force",
            Code::InvalidCase => "regula::invalid-case",
            Code::InvalidUtf8 => "regula::invalid-utf8",
            Code::Io => "regula::io",
            Code::LineTooLong => "regula::line-too-long",
            Code::MixedKeywords => "regula::mixed-keywords",
            Code::NestedRecord => "regula::nested-record",
            Code::NoDocument => "regula::no-document",
            Code::NoInForce => "regula::no-in-force",
            Code::NoReason => "regula::no-reason",
            Code::NoRule => "regula::no-rule",
            Code::NoSource => "regula::no-source",
            Code::NoTests => "regula::no-tests",
            Code::NotARecord => "regula::not-a-record",
            Code::NotFound => "regula::not-found",
            Code::OutcomeCycle => "regula::outcome-cycle",
            Code::OverlappingDocuments => "regula::overlapping-documents",
            Code::ParamDates => "regula::param-dates",
            Code::ParamNotConstant => "regula::param-not-constant",
            Code::ParameterType => "regula::parameter-type",
            Code::PoliciesNotFound => "regula::policies-not-found",
            Code::QuoteMismatch => "regula::quote-mismatch",
            Code::RecordOutcome => "regula::record-outcome",
            Code::RecursiveDefinition => "regula::recursive-definition",
            Code::ReplacementCycle => "regula::replacement-cycle",
            Code::ReservedName => "regula::reserved-name",
            Code::ReservedType => "regula::reserved-type",
            Code::SetNotConstant => "regula::set-not-constant",
            Code::SourceNotFound => "regula::source-not-found",
            Code::SourceWithoutParagraphs => "regula::source-without-paragraphs",
            Code::SymlinkLoop => "regula::symlink-loop",
            Code::Syntax => "regula::syntax",
            Code::TooDeep => "regula::too-deep",
            Code::TooDeepDirectory => "regula::too-deep-directory",
            Code::TooLong => "regula::too-long",
            Code::TooManyDeclarations => "regula::too-many-declarations",
            Code::TooManyFiles => "regula::too-many-files",
            Code::TwoDocuments => "regula::two-documents",
            Code::TypeMismatch => "regula::type-mismatch",
            Code::UncoveredParagraph => "regula::uncovered-paragraph",
            Code::UnknownDefinition => "regula::unknown-definition",
            Code::UnknownDocument => "regula::unknown-document",
            Code::UnknownEnumValue => "regula::unknown-enum-value",
            Code::UnknownRank => "regula::unknown-rank",
            Code::UnknownField => "regula::unknown-field",
            Code::UnknownName => "regula::unknown-name",
            Code::UnknownOutcome => "regula::unknown-outcome",
            Code::UnknownParagraph => "regula::unknown-paragraph",
            Code::UnknownRule => "regula::unknown-rule",
            Code::UnknownType => "regula::unknown-type",
            Code::UnlistedAmendment => "regula::unlisted-amendment",
            Code::Unreadable => "regula::unreadable",
            Code::UnterminatedString => "regula::unterminated-string",
            Code::UnusedFact => "regula::unused-fact",
            Code::Unwritable => "regula::unwritable",
            Code::Usage => "regula::usage",
            Code::ConflictingRules => "regula::conflicting-rules",
            Code::DeadException => "regula::dead-exception",
            Code::DeadRule => "regula::dead-rule",
            Code::VerifyGap => "regula::verify-gap",
            Code::VersionsDiffer => "regula::versions-differ",
            Code::WrongArity => "regula::wrong-arity",
        }
    }

    /// Whether it stops the policy set or case from being used.
    pub fn severity(self) -> super::Severity {
        match self {
            Code::AmendmentNeverApplies
            | Code::EncodedAnyway
            | Code::GapInForce
            | Code::UncoveredParagraph
            | Code::UnusedFact
            | Code::DeadRule
            | Code::DeadException => super::Severity::Warning,
            _ => super::Severity::Error,
        }
    }

    /// The group the README lists it in.
    pub fn group(self) -> &'static str {
        match self {
            Code::AmbiguousDateStep
            | Code::EmptyEnum
            | Code::ExpansionTooLarge
            | Code::NestedRecord
            | Code::NotARecord
            | Code::ParamDates
            | Code::ParamNotConstant
            | Code::RecordOutcome
            | Code::RecursiveDefinition
            | Code::SetNotConstant
            | Code::TypeMismatch
            | Code::WrongArity => "types",
            Code::AmbiguousEnumValue
            | Code::Duplicate
            | Code::FactPrefix
            | Code::ReservedName
            | Code::ReservedType
            | Code::UnknownDefinition
            | Code::UnknownDocument
            | Code::UnknownEnumValue
            | Code::UnknownField
            | Code::UnknownName
            | Code::UnknownOutcome
            | Code::UnknownRule
            | Code::UnknownType => "names",
            Code::AmendmentNeverApplies
            | Code::EncodedAnyway
            | Code::GapInForce
            | Code::UncoveredParagraph
            | Code::UnusedFact => "warnings (exit 0)",
            Code::AmendsAmendment
            | Code::DanglingAmendment
            | Code::DuplicateDocument
            | Code::EmptyPeriod
            | Code::EmptyQuote
            | Code::NoDocument
            | Code::NoInForce
            | Code::NoReason
            | Code::NoSource
            | Code::OverlappingDocuments
            | Code::ParameterType
            | Code::QuoteMismatch
            | Code::ReplacementCycle
            | Code::SourceNotFound
            | Code::SourceWithoutParagraphs
            | Code::TwoDocuments
            | Code::UnknownParagraph
            | Code::UnlistedAmendment
            | Code::UnknownRank
            | Code::BadImplements
            | Code::BadCorrespondence => "documents",
            Code::BadDate
            | Code::BadNumber
            | Code::BadParagraph
            | Code::DuplicateClause
            | Code::MixedKeywords
            | Code::Syntax
            | Code::TooDeep
            | Code::TooLong
            | Code::UnterminatedString => "syntax",
            Code::BadRequest
            | Code::BadTest
            | Code::Io
            | Code::NoTests
            | Code::NotFound
            | Code::Unwritable
            | Code::Usage => "commands",
            Code::Conflict | Code::Evaluation | Code::InvalidCase => "cases",
            Code::ConflictingRules
            | Code::DeadException
            | Code::DeadRule
            | Code::VerifyGap
            | Code::VersionsDiffer => "verify",
            Code::DefaultReadsOutcome
            | Code::ExceptionCycle
            | Code::ExceptionOtherOutcome
            | Code::NoRule
            | Code::OutcomeCycle => "structure",
            Code::EmptyPolicies
            | Code::FileTooLarge
            | Code::LineTooLong
            | Code::PoliciesNotFound
            | Code::InvalidUtf8
            | Code::SymlinkLoop
            | Code::TooDeepDirectory
            | Code::TooManyDeclarations
            | Code::TooManyFiles
            | Code::Unreadable => "loading",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

# The provisions of the case vocabulary in Rego v1, for the benchmark's
# comparison with regula (evaluated with the regorus crate). Kleene logic is
# spelt out: "?" is an unknown value, "-" a provision that does not reach the
# case; both are reported as null. Values only: no missing facts, no cites.
package regula

U := "?"

NA := "-"

fact(path) := v if {
	v := object.get(input, path, null)
	v != null
} else := U

k_not(x) := false if {
	x == true
} else := true if {
	x == false
} else := x

k_and(a, b) := false if {
	a == false
} else := false if {
	b == false
} else := true if {
	a == true
	b == true
} else := U if {
	a == U
} else := U if {
	b == U
} else := NA

k_cmp(op, a, b) := U if {
	a == U
} else := U if {
	b == U
} else := NA if {
	a == NA
} else := NA if {
	b == NA
} else := r if {
	op == "<"
	r := a < b
} else := r if {
	op == "<="
	r := a <= b
} else := r if {
	op == ">"
	r := a > b
} else := r if {
	op == "="
	r := a == b
}

applies(x) if x == true

maybe(x) if x == U

no(x) if {
	not applies(x)
	not maybe(x)
}

# One rule: `when c then v`.
rule(c, v) := v if {
	applies(c)
} else := U if {
	maybe(c)
} else := NA

# A general rule and its exception.
with_exception(gc, gv, xc, xv) := xv if {
	applies(xc)
} else := NA if {
	no(gc)
	no(xc)
} else := gv if {
	applies(gc)
	no(xc)
} else := U

penalty_due(o) := v if {
	late := k_cmp(">", input.as_of, fact([o, "deadline"]))
	in_time := k_and(fact([o, "rectified"]), k_cmp("<=", fact([o, "rectified_on"]), fact([o, "deadline"])))
	v := k_and(k_and(fact([o, "issued"]), late), k_not(in_time))
}

in_force if {
	input.as_of >= "2024-01-01"
	input.as_of <= "2028-12-31"
}

lapsed := U if {
	fact(["agency", "licence_status"]) == U
} else := false if {
	fact(["agency", "licence_status"]) == "valid"
} else := true

may_continue := rule(lapsed, k_and(
	k_and(
		fact(["contract", "lawfully_concluded"]),
		k_cmp("<", fact(["contract", "concluded_on"]), fact(["agency", "licence_lapsed_on"])),
	),
	k_cmp("<=", input.as_of, fact(["contract", "dispatch_period_ends"])),
))

equal_pay_violation := k_not(fact(["host", "same_pay_method"]))

auxiliary_violation := k_not(k_and(
	k_and(fact(["host", "auxiliary", "discussed"]), fact(["host", "auxiliary", "plan_proposed"])),
	k_and(fact(["host", "auxiliary", "consulted"]), fact(["host", "auxiliary", "publicised"])),
))

occurred := fact(["injury", "occurred"])

out_of_town := k_not(fact(["agency", "registered_in_shanghai"]))

no_branch := k_not(fact(["agency", "has_shanghai_branch"]))

host_case := k_and(out_of_town, no_branch)

agency_or_branch := "agency" if {
	fact(["agency", "registered_in_shanghai"]) == true
} else := "agency_branch" if {
	fact(["agency", "registered_in_shanghai"]) == false
} else := U

applicant := with_exception(occurred, agency_or_branch, k_and(k_and(occurred, out_of_town), no_branch), "host")

district := fact(["agency", "registration_district"]) if {
	applicant == "agency"
} else := fact(["agency", "branch_registration_district"]) if {
	applicant == "agency_branch"
} else := fact(["host", "registration_district"]) if {
	applicant == "host"
} else := U if {
	applicant == U
} else := NA

ended := k_and(k_and(occurred, fact(["injury", "returned_to_agency"])), fact(["injury", "employment_ended"]))

fund := k_and(fact(["wage_arrears", "fund_case"]), fact(["wage_arrears", "facts_established"]))

advance := false if {
	n := fact(["wage_arrears", "previous_advances"])
	n != U
	n >= 1
} else := fund if {
	fact(["wage_arrears", "previous_advances"]) != U
} else := false if {
	# No advance outside the fund's cases, whatever the count.
	fund == false
} else := U

converted := fact(["outsourcing", "converted_from_dispatch"])

nominal := U if {
	fact(["outsourcing", "nominal_form"]) == U
} else := true if {
	fact(["outsourcing", "nominal_form"]) in {"contracting", "outsourcing"}
} else := false

raw := {
	"licence.contracts_may_continue": may_continue,
	"licence.continue_until": rule(may_continue, fact(["contract", "dispatch_period_ends"])),
	"equal_pay.violation": equal_pay_violation,
	"equal_pay.order_required": k_and(equal_pay_violation, k_not(fact(["equal_pay_order", "issued"]))),
	"equal_pay.penalty_due": penalty_due("equal_pay_order"),
	"auxiliary.violation": auxiliary_violation,
	"auxiliary.order_required": k_and(auxiliary_violation, k_not(fact(["auxiliary_order", "issued"]))),
	"auxiliary.penalty_due": penalty_due("auxiliary_order"),
	"injury.applicant": applicant,
	"injury.application_district": district,
	"injury.agency_jointly_liable": rule(occurred, true),
	"injury.host_settles_disability_subsidy": rule(occurred, fact(["injury", "returned_to_agency"])),
	"injury.medical_subsidy_payer": rule(ended, "injury_fund"),
	"injury.disability_subsidy_payer": rule(ended, "agency"),
	"social_insurance.pay_in_shanghai": rule(out_of_town, true),
	"social_insurance.filer": with_exception(out_of_town, "agency_branch", host_case, "host"),
	"social_insurance.filing_kind": with_exception(out_of_town, "recruitment_filing", host_case, "employment_filing"),
	"social_insurance.payer": with_exception(out_of_town, "agency_branch", host_case, "host"),
	"social_insurance.host_pays_first": rule(out_of_town, k_and(
		k_and(no_branch, k_not(fact(["host", "paid_social_insurance_in_shanghai"]))),
		fact(["dispute", "worker_claims_benefits_from_host"]),
	)),
	"wage_arrears.advance_permitted": advance,
	"outsourcing.must_adjust_management": converted,
	"outsourcing.adjustment_outstanding": k_and(converted, k_not(fact(["outsourcing", "management_adjusted"]))),
	"outsourcing.treated_as_dispatch": k_and(nominal, fact(["outsourcing", "used_in_dispatch_form"])),
}

shown(x) := null if {
	x == U
} else := null if {
	x == NA
} else := x

outcomes := o if {
	in_force
	o := object.union({k: shown(v) | some k, v in raw}, {"in_force": true})
} else := object.union({k: null | some k, _ in raw}, {"in_force": false})

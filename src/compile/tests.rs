//! The planner's pure core, on its output: what falls back, what is bound, and the SQL
//! shape of directives and cursors (answers themselves are compared with the executor's
//! in `tests/api/compiled.rs`).

use async_graphql::Name;
use async_graphql::parser::parse_query;

use super::args::decode_after;
use super::describe::Order;
use super::plan::{Fallback, Param, Plan, Source, plan};
use crate::graphql::pagination::encode_cursor;
use crate::loaders::page::{PageCursor, SortValue};

fn planned(query: &str) -> Result<Plan, Fallback> {
    plan(&parse_query(query).expect("parses"), None)
}

const AURORA: &str = "00000000-0000-4000-8000-000000000201";

#[test]
fn literal_directives_are_decided_at_plan_time_and_an_emptied_object_is_null() {
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ name @skip(if: true) slug @include(if: true) }} }}"
    ))
    .unwrap();
    assert!(!plan.sql.contains("\"name\""), "{}", plan.sql);
    assert!(plan.sql.contains("\"slug\""), "{}", plan.sql);
    assert_eq!(plan.params, vec![Param::Scope]);

    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ name @skip(if: true) }} }}"
    ))
    .unwrap();
    assert!(
        plan.sql.contains("(SELECT 'null' FROM brands"),
        "{}",
        plan.sql
    );
    let plan = planned("{ __typename @include(if: false) }").unwrap();
    assert_eq!(plan.sql, "SELECT 'null'");
}

#[test]
fn variable_directives_bind_one_flag_per_variable() {
    let plan = planned(
        "query($s: Boolean!) { brand(id: \"00000000-0000-4000-8000-000000000201\") @skip(if: $s) { name } brands { totalCount @include(if: $s) } }",
    )
    .unwrap();
    assert_eq!(plan.params, vec![Param::Scope, Param::Flag(Name::new("s"))]);
    assert!(plan.sql.contains("NOT $2::boolean"), "{}", plan.sql);
    assert!(plan.sql.contains("array_to_string"), "{}", plan.sql);
    // The executor's validation does not see a variable in a directive on `__typename`.
    assert!(planned("query($s: Boolean!) { __typename @skip(if: $s) }").is_err());
}

#[test]
fn what_the_planner_cannot_prove_falls_back() {
    for query in [
        "{ __typename @deprecated }",
        "query($s: Boolean = true) { __typename @skip(if: $s) }",
        "{ brands(first: 1) { totalCount } brands(first: 2) { totalCount } }",
        "{ brands { edges { node { name @skip(if: true) } } } brands { edges { node { slug } } } }",
        "{ brands(after: \"garbage\") { totalCount } }",
        "{ brands(filter: { nameContains: $x }) { totalCount } }",
        "{ brands(orderBy: SOMETHING) { totalCount } }",
        "query($id: ID!) { brand(id: $id) { contentItems(filter: { scheduledFrom: \"2026-01-01T00:00:00Z\" }) { totalCount } } }",
    ] {
        assert!(planned(query).is_err(), "{query} was planned");
    }
}

#[test]
fn a_key_selected_twice_is_merged() {
    let plan =
        planned("{ brands { totalCount totalCount edges { cursor } edges { node { name } } } }")
            .unwrap();
    assert_eq!(
        plan.sql.matches("\"totalCount\"").count(),
        1,
        "{}",
        plan.sql
    );
    assert_eq!(plan.sql.matches("\"edges\"").count(), 1, "{}", plan.sql);
}

#[test]
fn after_cursors_are_bound_and_checked_as_the_executor_checks_them() {
    let plan =
        planned("query($a: String) { brands(after: $a, orderBy: CREATED_AT_DESC) { totalCount } }")
            .unwrap();
    assert_eq!(
        plan.params[1..],
        [
            Param::CursorValue(
                Source::Variable(Name::new("a")),
                Order::BRANDS_NEWEST_FIRST,
                None
            ),
            Param::CursorId(
                Source::Variable(Name::new("a")),
                Order::BRANDS_NEWEST_FIRST,
                None
            ),
        ]
    );
    assert!(plan.sql.contains("$2::timestamptz"), "{}", plan.sql);

    let at = chrono::DateTime::parse_from_rfc3339("2026-12-06T22:38:24.123450Z").unwrap();
    let cursor = encode_cursor(&PageCursor {
        sort: "created_at".into(),
        value: at.into(),
        id: uuid::Uuid::nil(),
    });
    assert!(decode_after(&Order::NEWEST_FIRST, &cursor).is_some());
    assert!(decode_after(&Order::OLDEST_FIRST, &cursor).is_some());
    assert!(decode_after(&Order::RECENTLY_CHANGED_FIRST, &cursor).is_none());
    assert!(decode_after(&Order::BRANDS_NEWEST_FIRST, &cursor).is_none());
    assert!(decode_after(&Order::NEWEST_FIRST, "nope").is_none());
}

#[test]
fn node_reads_each_described_kind_through_its_brands_visibility() {
    let plan = planned(
        "query($id: ID!) { node(id: $id) { id ... on Brand { name } ... on Lead { email } } }",
    )
    .unwrap();
    assert_eq!(
        plan.params[1..],
        [
            Param::NodeUuid(Name::new("id")),
            Param::NodeKind(Name::new("id"))
        ]
    );
    for kind in ["'Brand'", "'ContentItem'", "'MediaAsset'", "'PostApproval'"] {
        assert!(
            plan.sql.contains(&format!("WHEN {kind} THEN")),
            "{}",
            plan.sql
        );
    }
    // Every kind reaches its rows through the visibility fragment.
    assert_eq!(
        plan.sql.matches("archived_at IS NULL").count(),
        4,
        "{}",
        plan.sql
    );
    assert!(!plan.sql.contains("email"), "{}", plan.sql);

    let lead = crate::graphql::ids::encode(crate::graphql::ids::NodeKind::Lead, uuid::Uuid::nil());
    assert!(planned(&format!("{{ node(id: \"{}\") {{ id }} }}", lead.0)).is_err());
}

#[test]
fn a_leads_personal_data_is_read_through_the_role_scope_of_its_brand() {
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ leads(first: 2) {{ nodes {{ name email phone }} }} campaigns {{ nodes {{ leads {{ nodes {{ email }} }} }} }} }} }}"
    ))
    .unwrap();
    // One parameter for every gated field: the brands where the viewer is a member or more.
    assert_eq!(
        plan.params,
        vec![Param::Scope, Param::RoleScope(crate::auth::Role::Member)]
    );
    assert_eq!(
        plan.sql.matches("= ANY($2::uuid[]) THEN").count(),
        3,
        "{}",
        plan.sql
    );
    // Without a gated field, no role scope is bound.
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ leads {{ nodes {{ name score tags }} }} }} }}"
    ))
    .unwrap();
    assert_eq!(plan.params, vec![Param::Scope]);
}

#[test]
fn marketing_filters_bind_their_values_and_the_rest_falls_back() {
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ leads(filter: {{ minScore: 50, status: QUALIFIED, source: \"web\" }}) {{ totalCount }} campaigns(filter: {{ type: PRODUCT_LAUNCH }}) {{ totalCount }} }} }}"
    ))
    .unwrap();
    assert!(plan.params.contains(&Param::Int(50)), "{:?}", plan.params);
    assert!(plan.params.contains(&Param::Text("qualified".into())));
    assert!(plan.params.contains(&Param::Text("product_launch".into())));
    assert!(plan.sql.contains(".score >= $"), "{}", plan.sql);
    for query in [
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { leads(filter: { tag: \"vip\" }) { totalCount } } }",
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { leads(filter: { minScore: 3000000000 }) { totalCount } } }",
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { campaigns(filter: { startsAfter: \"2026-01-01T00:00:00Z\" }) { totalCount } } }",
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { campaigns { nodes { targetAudience } } } }",
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { campaigns { nodes { budgetRemaining } } } }",
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { leads { nodes { campaign { name } } } } }",
        "{ brand(id: \"00000000-0000-4000-8000-000000000201\") { campaigns { nodes { metrics(from: \"2026-01-01\", to: \"2026-01-02\") { value } } } } }",
    ] {
        assert!(planned(query).is_err(), "{query} was planned");
    }
}

#[test]
fn last_pages_read_backward_and_their_direction_is_known_when_planning() {
    let plan = planned(
        "query($n: Int!, $b: String) { brands(last: $n, before: $b) { pageInfo { hasPreviousPage hasNextPage } edges { cursor } } }",
    )
    .unwrap();
    assert!(
        plan.sql.contains("ORDER BY r1.name DESC, r1.id DESC"),
        "{}",
        plan.sql
    );
    assert!(plan.sql.contains("(r1.name, r1.id) < ("), "{}", plan.sql);
    assert!(plan.sql.contains("ORDER BY r1p.n DESC"), "{}", plan.sql);

    let plan = planned("{ brands(after: \"x\", before: \"y\") { totalCount } }");
    assert!(plan.is_err(), "cursors the executor refuses");
    for query in [
        // The executor refuses both sizes, or (with a variable) may.
        "{ brands(first: 1, last: 1) { totalCount } }",
        "query($n: Int) { brands(first: 1, last: $n) { totalCount } }",
        // A `last` that may be null reads forward: unknown when planning.
        "query($n: Int) { brands(last: $n) { totalCount } }",
        "{ brands(last: 101) { totalCount } }",
    ] {
        assert!(planned(query).is_err(), "{query} was planned");
    }
    assert!(planned("{ brands(first: 2, last: null) { totalCount } }").is_ok());
}

#[test]
fn leads_by_score_page_on_the_score_and_cursors_carry_it() {
    let plan = planned(&format!(
        "query($a: String) {{ brand(id: \"{AURORA}\") {{ leads(orderBy: SCORE_DESC, after: $a) {{ edges {{ cursor }} }} }} }}"
    ))
    .unwrap();
    assert_eq!(
        plan.params[1..],
        [
            Param::CursorValue(
                Source::Variable(Name::new("a")),
                Order::HIGHEST_SCORE_FIRST,
                None
            ),
            Param::CursorId(
                Source::Variable(Name::new("a")),
                Order::HIGHEST_SCORE_FIRST,
                None
            ),
        ]
    );
    assert!(plan.sql.contains("$2::bigint"), "{}", plan.sql);
    assert!(plan.sql.contains(".score DESC"), "{}", plan.sql);
    assert_eq!(plan.every_brand_role, None);

    let score = encode_cursor(&PageCursor {
        sort: "score".into(),
        value: SortValue::Int(40),
        id: uuid::Uuid::nil(),
    });
    assert!(decode_after(&Order::HIGHEST_SCORE_FIRST, &score).is_some());
    assert!(decode_after(&Order::NEWEST_FIRST, &score).is_none());
    // A cursor naming `score` with a timestamp is of no order.
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-06T22:38:24Z").unwrap();
    let mixed = encode_cursor(&PageCursor {
        sort: "score".into(),
        value: at.into(),
        id: uuid::Uuid::nil(),
    });
    assert!(decode_after(&Order::HIGHEST_SCORE_FIRST, &mixed).is_none());
}

#[test]
fn an_admin_only_list_makes_the_plan_answer_only_admins_everywhere() {
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ leadFormKeys {{ key revokedAt }} leadScoringRules {{ name }} }} }}"
    ))
    .unwrap();
    assert_eq!(plan.every_brand_role, Some(crate::auth::Role::Admin));
    assert!(plan.sql.contains("ORDER BY r3.name, r3.id"), "{}", plan.sql);
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ emailContacts {{ nodes {{ email }} }} }} }}"
    ))
    .unwrap();
    assert_eq!(plan.every_brand_role, None);
    assert_eq!(
        plan.params,
        vec![Param::Scope, Param::RoleScope(crate::auth::Role::Member)]
    );
}

#[test]
fn a_campaigns_summary_reads_its_rollup_row_and_the_rest_falls_back() {
    let plan = planned(&format!(
        "{{ brand(id: \"{AURORA}\") {{ campaigns {{ nodes {{ summary {{ leads conversionRate costPerLead }} }} }} }} }}"
    ))
    .unwrap();
    assert!(plan.sql.contains("FROM campaign_rollups"), "{}", plan.sql);
    assert!(plan.sql.contains("trunc(f.x)"), "{}", plan.sql);
    for field in ["budgetUsed", "leadsByStatus { status }"] {
        let query = format!(
            "{{ brand(id: \"{AURORA}\") {{ campaigns {{ nodes {{ summary {{ {field} }} }} }} }} }}"
        );
        assert!(planned(&query).is_err(), "{query} was planned");
    }
}

#[test]
fn filter_fields_from_variables_bind_one_parameter_each_and_null_is_no_condition() {
    let plan = planned(&format!(
        "query($s: AssetStatus, $m: String) {{ brand(id: \"{AURORA}\") {{ mediaAssets(filter: {{ status: $s, mimeType: $m, category: \"images\" }}) {{ totalCount }} }} }}"
    ))
    .unwrap();
    let bound: Vec<_> = plan.params[1..]
        .iter()
        .map(|param| match param {
            Param::FilterValue(name, filter) => (name.to_string(), filter.field().field),
            Param::Text(text) => (text.clone(), "literal"),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        bound,
        [
            ("s".to_string(), "status"),
            ("m".to_string(), "mimeType"),
            ("images".to_string(), "literal"),
        ]
    );
    assert!(
        plan.sql
            .contains("($2::text IS NULL OR r2.status = $2::text)"),
        "{}",
        plan.sql
    );
    assert!(plan.sql.contains("r2.category = $4::text"), "{}", plan.sql);
}

#[test]
fn a_whole_filter_from_a_variable_binds_every_described_field() {
    let plan =
        planned("query($f: BrandFilter) { brands(filter: $f) { totalCount nodes { name } } }")
            .unwrap();
    let fields: Vec<_> = plan.params[1..]
        .iter()
        .map(|param| match param {
            Param::FilterObject(name, filter) => {
                assert_eq!(name.as_str(), "f");
                filter.field().field
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(fields, ["tenantId", "nameContains"]);
    assert!(plan.sql.contains("$2::uuid IS NULL OR"), "{}", plan.sql);
    assert!(plan.sql.contains("ILIKE $3::text"), "{}", plan.sql);
}

#[test]
fn an_order_from_a_variable_plans_every_order_and_picks_one_in_sql() {
    let plan = planned(&format!(
        "query($o: LeadOrder, $a: String) {{ brand(id: \"{AURORA}\") {{ leads(orderBy: $o, after: $a) {{ edges {{ cursor }} }} }} }}"
    ))
    .unwrap();
    assert!(
        matches!(&plan.params[1], Param::OrderChoice(order) if order.name.as_str() == "o"),
        "{:?}",
        plan.params
    );
    assert!(
        plan.sql
            .contains("CASE $2::text WHEN 'CREATED_AT_DESC' THEN"),
        "{}",
        plan.sql
    );
    assert!(plan.sql.contains("WHEN 'SCORE_DESC' THEN"), "{}", plan.sql);
    // Each order's cursor is bound for its own branch only.
    let cursors = plan
        .params
        .iter()
        .filter(|param| matches!(param, Param::CursorValue(_, _, Some(_))))
        .count();
    assert_eq!(cursors, 2);
    // A literal cursor is checked per request against the chosen order.
    assert!(
        planned("query($o: BrandOrder) { brands(orderBy: $o, after: \"garbage\") { totalCount } }")
            .is_ok()
    );
}

#[test]
fn variables_the_plan_cannot_check_fall_back() {
    for query in [
        // Lists, and named types read where the plan does not check them.
        "query($s: [ContentStatus]) { brands { totalCount } }",
        "query($d: DateTime) { brands { totalCount } }",
        // Filters not described, from a variable or not.
        "query($id: ID!, $f: String) { brand(id: $id) { emailContacts(filter: { tag: $f }) { totalCount } } }",
        // `mediaAssets` has no `orderBy`.
        "query($id: ID!, $o: ContentOrder) { brand(id: $id) { mediaAssets(orderBy: $o) { totalCount } } }",
        // A field variable of a type other than the one it is bound as.
        "query($m: Int) { brands(filter: { nameContains: $m }) { totalCount } }",
    ] {
        assert!(planned(query).is_err(), "{query} was planned");
    }
}

/// The block of `kind name { … }` in the checked-in schema, one trimmed line each.
fn schema_block(kind: &str, name: &str) -> Vec<&'static str> {
    let schema = include_str!("../../schema.graphql");
    let start = schema
        .find(&format!("\n{kind} {name} {{"))
        .unwrap_or_else(|| panic!("{kind} {name} is not in schema.graphql"));
    schema[start..]
        .lines()
        .skip(1)
        .take_while(|line| *line != "}")
        .map(str::trim)
        .collect()
}

#[test]
fn the_named_types_variables_may_have_are_checked_as_the_schema_declares_them() {
    use super::named::{NamedCheck, check_of};
    use async_graphql::Value;
    let enum_values = |name: &str| -> Vec<&'static str> {
        schema_block("enum", name)
            .into_iter()
            .filter(|line| line.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .filter(|line| !line.is_empty())
            .collect()
    };
    for name in [
        "AssetStatus",
        "ContentStatus",
        "CampaignStatus",
        "CampaignType",
        "LeadStatus",
        "EmailCampaignStatus",
        "SubscriptionStatus",
        "BrandOrder",
        "ContentOrder",
        "LeadOrder",
    ] {
        let check = check_of(name).unwrap_or_else(|| panic!("{name}"));
        let values = enum_values(name);
        assert!(values.len() >= 2, "{name}: {values:?}");
        for value in values {
            for given in [Value::String(value.into()), Value::Enum(Name::new(value))] {
                assert!(check.accepts(&given), "{name} refuses {value}");
            }
            let lower = Value::String(value.to_lowercase());
            assert!(!check.accepts(&lower), "{name} accepts {lower}");
        }
        assert!(!check.accepts(&Value::from(1)), "{name}");
    }
    for name in [
        "BrandFilter",
        "MediaAssetFilter",
        "ContentItemFilter",
        "CampaignFilter",
        "LeadFilter",
        "EmailCampaignFilter",
        "EmailContactFilter",
    ] {
        let Some(NamedCheck::Filter(fields)) = check_of(name) else {
            panic!("{name}");
        };
        let block = schema_block("input", name);
        for field in fields {
            assert!(
                block
                    .iter()
                    .any(|line| line.starts_with(&format!("{}:", field.field))),
                "{name}.{} is not in the schema",
                field.field
            );
        }
        let unknown: async_graphql::Variables =
            serde_json::from_value(serde_json::json!({ "f": { "notAField": null } })).unwrap();
        assert!(!check_of(name).unwrap().accepts(&unknown["f"]), "{name}");
    }
    assert!(check_of("DateTime").is_none() && check_of("JSON").is_none());
}

fn planned_event(query: &str) -> Result<super::EventPlan, Fallback> {
    super::plan_event(
        &parse_query(query).expect("parses"),
        None,
        crate::graphql::marketing::describe::LEAD_EVENT_ROOTS,
    )
}

#[test]
fn a_lead_subscription_binds_its_event_fields_and_reads_the_lead_in_the_events_brand() {
    let planned = planned_event(
        "subscription($b: ID!) { leadUpdated(brandId: $b) { cursor op lead { name email } } }",
    )
    .unwrap();
    assert_eq!(planned.root.op, "update");
    assert_eq!(
        planned.plan.params,
        vec![
            Param::Scope,
            Param::EventField(0),
            Param::EventField(1),
            Param::RoleScope(crate::auth::Role::Member),
            Param::EventRow,
            Param::EventBrand,
        ]
    );
    let sql = &planned.plan.sql;
    assert!(sql.starts_with("SELECT ('{\"leadUpdated\":' ||"), "{sql}");
    assert!(
        sql.contains("FROM leads r1 WHERE r1.id = $5::uuid AND r1.brand_id = $6::uuid"),
        "{sql}"
    );
    assert!(sql.contains("archived_at IS NULL"), "{sql}");
}

#[test]
fn a_subscription_the_planner_cannot_render_for_a_whole_role_falls_back() {
    for query in [
        // A cursor: the subscriber replays privately.
        "subscription($b: ID!, $a: String) { leadCaptured(brandId: $b, after: $a) { cursor } }",
        // Another stream, or a field of the lead that is not described.
        "subscription($b: ID!) { campaignUpdated(brandId: $b) { cursor } }",
        "subscription($b: ID!) { leadCaptured(brandId: $b) { lead { campaign { name } } } }",
        "subscription($b: ID!) { leadCaptured(brandId: $b) { cursor(x: 1) } }",
        // A query is not a subscription.
        "{ __typename }",
    ] {
        assert!(planned_event(query).is_err(), "{query}");
    }
}

#[test]
fn a_page_fetches_one_row_more_only_when_its_has_page_flag_counts_it() {
    let page = |info: &str| {
        planned(&format!(
            "{{ brand(id: \"{AURORA}\") {{ contentItems(first: 3) {{ edges {{ node {{ title }} }} {info} }} }} }}"
        ))
        .unwrap()
        .sql
    };
    let plain = page("");
    assert!(plain.contains("LIMIT 3)"), "{plain}");
    assert!(!plain.contains("+ 1"), "{plain}");
    // `hasPreviousPage` of a forward page reads the cursor, not the rows past it.
    let previous = page("pageInfo { hasPreviousPage endCursor }");
    assert!(!previous.contains("+ 1"), "{previous}");
    let next = page("pageInfo { hasNextPage }");
    assert!(next.contains("LIMIT 3 + 1)"), "{next}");
    assert!(
        next.contains("CASE WHEN r2.n <= 3 THEN"),
        "no JSON for the extra row: {next}"
    );
}

//! A brand's analytics as the executor answers them: `analytics(from:, to:, platform:)`
//! (the daily metric rows of a date range, each metric read from its key of `metrics` as
//! `Value::as_f64` reads it) and `analyticsSummary(days:, platform:)` (the daily rollups
//! summed in SQL with the executor's own grouping). Arguments the executor would refuse,
//! a platform or window from a variable, and the JSON fields (`raw`, `metadata`) fall
//! back.

use async_graphql_value::Value;

use super::json;
use super::plan::{Fallback, Param, Planner, Source, fallback};
use super::select::{Member, Selections, object};
use crate::domain::analytics::{Platform, summary_days};
use crate::graphql::ids::NodeKind;
use crate::loaders::analytics::{SUMMED_METRICS, metric_key};

/// Whether `field` of `type_name` is one this module plans.
pub fn plans(type_name: &str, field: &str) -> bool {
    type_name == "Brand" && matches!(field, "analytics" | "analyticsSummary")
}

/// The `platform` argument: a literal the executor accepts, bound as text.
fn platform(planner: &mut Planner<'_>, value: &Value) -> Result<Option<String>, Fallback> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => match Platform::parse(text) {
            Ok(platform) => Ok(Some(planner.param(Param::Text(platform.into_inner())))),
            Err(_) => fallback("a platform the executor refuses"),
        },
        _ => fallback("platform from a variable"),
    }
}

impl<'a> Planner<'a> {
    /// `analytics` or `analyticsSummary` of the brand row aliased `brand`.
    pub(super) fn analytics(
        &mut self,
        member: &Member<'a>,
        brand: &str,
    ) -> Result<String, Fallback> {
        match member.name() {
            "analytics" => self.metric_range(member, brand),
            _ => self.summary(member, brand),
        }
    }

    /// `analytics(from:, to:, platform:)`: the brand's metric rows of the range, oldest
    /// first (then by platform and post), as the executor's loader orders them.
    fn metric_range(&mut self, member: &Member<'a>, brand: &str) -> Result<String, Fallback> {
        let (mut from, mut to, mut platform_sql) = (None, None, None);
        for (name, value) in &member.field.arguments {
            let date = |value: &Value| match value {
                Value::String(text) => Ok(Source::Literal(text.clone())),
                Value::Variable(name) => Ok(Source::Variable(name.clone())),
                _ => fallback("a date the planner cannot read"),
            };
            match name.node.as_str() {
                "from" => from = Some(date(&value.node)?),
                "to" => to = Some(date(&value.node)?),
                "platform" => platform_sql = platform(self, &value.node)?,
                other => return fallback(format!("analytics argument {other}")),
            }
        }
        let (Some(from), Some(to)) = (from, to) else {
            return fallback("analytics without its range");
        };
        if let (Source::Literal(a), Source::Literal(b)) = (&from, &to)
            && super::run::date_range(a, b).is_none()
        {
            return fallback("a range the executor refuses");
        }
        let from_sql = self.param(Param::RangeFrom(from.clone(), to.clone()));
        let to_sql = self.param(Param::RangeTo(from, to));
        let row = self.next_alias();
        let item = self.metric_row(&member.selections, &row)?;
        let platform = platform_sql
            .map(|p| format!(" AND {row}.platform = {p}"))
            .unwrap_or_default();
        Ok(format!(
            "coalesce((SELECT '[' || string_agg(({item})::text, ',' ORDER BY {row}.date, {row}.platform, {row}.post_id) || ']' \
             FROM analytics_metrics {row} WHERE {row}.brand_id = {brand}.id \
             AND {row}.date BETWEEN {from_sql} AND {to_sql}{platform}), '[]')"
        ))
    }

    /// One `AnalyticsMetric` of the row aliased `row`.
    fn metric_row(&mut self, selections: &Selections<'a>, row: &str) -> Result<String, Fallback> {
        let mut members = Vec::new();
        for part in self.members(selections, "AnalyticsMetric")? {
            if !part.is_leaf() {
                return fallback("AnalyticsMetric field with arguments or a selection");
            }
            let value = match part.name() {
                "__typename" => json::name_value("AnalyticsMetric"),
                "id" => json::column(
                    row,
                    "id",
                    super::describe::Render::GlobalId(NodeKind::AnalyticsMetric),
                ),
                "uuid" => json::column(row, "id", super::describe::Render::Uuid),
                "date" => format!("('\"' || to_char({row}.date, 'YYYY-MM-DD') || '\"')"),
                "platform" => json::column(row, "platform", super::describe::Render::Text),
                "postId" => json::column(row, "post_id", super::describe::Render::OptionalText),
                name => match metric_key(name) {
                    // Keys come from the constant lists, never from the request's text.
                    Some(key) => format!(
                        "(CASE jsonb_typeof({row}.metrics -> '{key}') WHEN 'number' THEN {} ELSE 'null' END)",
                        json::float_of_number_text(&format!("({row}.metrics ->> '{key}')"))
                    ),
                    None => return fallback(format!("AnalyticsMetric.{name}")),
                },
            };
            members.push(part.with(value));
        }
        Ok(object(&members))
    }

    /// `analyticsSummary(days:, platform:)`: the brand's rollups of the window summed per
    /// platform and in total in one grouped subquery, as the executor's statement groups
    /// them (no rows: zero sums, no followers, no platforms).
    fn summary(&mut self, member: &Member<'a>, brand: &str) -> Result<String, Fallback> {
        let mut days = 30;
        let mut platform_sql = None;
        for (name, value) in &member.field.arguments {
            match (name.node.as_str(), &value.node) {
                ("days", Value::Number(n)) => {
                    match n.as_i64().and_then(|n| i32::try_from(n).ok()) {
                        Some(n) if summary_days(n).is_ok() => days = n,
                        _ => return fallback("days the executor refuses"),
                    }
                }
                ("platform", value) => platform_sql = platform(self, value)?,
                (other, _) => return fallback(format!("analyticsSummary argument {other}")),
            }
        }
        let g = self.next_alias();
        let mut members = Vec::new();
        for part in self.members(&member.selections, "AnalyticsSummary")? {
            let value = match part.name() {
                "__typename" => json::name_value("AnalyticsSummary"),
                "days" if part.is_leaf() => format!("'{days}'"),
                "totals" if part.field.arguments.is_empty() => {
                    let totals = self.totals(&part.selections, &g)?;
                    let zero = self.totals(&part.selections, "z")?;
                    format!(
                        "coalesce((array_agg(({totals})::text) FILTER (WHERE {g}.is_total = 1))[1], \
                         (SELECT {zero} FROM (SELECT {zeros}, NULL::float8 AS followers, 0::int8 AS row_count) z))",
                        zeros = SUMMED_METRICS
                            .iter()
                            .map(|m| format!("0::float8 AS {m}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
                "byPlatform" if part.field.arguments.is_empty() => {
                    let item = self.platform_totals(&part.selections, &g)?;
                    format!(
                        "coalesce('[' || string_agg(({item})::text, ',' ORDER BY {g}.platform) FILTER (WHERE {g}.is_total = 0) || ']', '[]')"
                    )
                }
                other => return fallback(format!("AnalyticsSummary.{other}")),
            };
            members.push(part.with(value));
        }
        let sums: Vec<String> = SUMMED_METRICS
            .iter()
            .map(|m| format!("coalesce(sum({m}), 0) AS {m}"))
            .collect();
        let platform = platform_sql
            .map(|p| format!(" AND platform = {p}"))
            .unwrap_or_default();
        Ok(format!(
            "(SELECT {} FROM (SELECT platform, grouping(platform) AS is_total, {}, max(followers) AS followers, \
             sum(row_count)::int8 AS row_count FROM analytics_daily_rollups \
             WHERE brand_id = {brand}.id AND date > current_date - {days} AND date <= current_date{platform} \
             GROUP BY GROUPING SETS ((brand_id, platform), (brand_id))) {g} GROUP BY ())",
            object(&members),
            sums.join(", ")
        ))
    }

    /// A `PlatformTotals` of the grouped row aliased `g`.
    fn platform_totals(
        &mut self,
        selections: &Selections<'a>,
        g: &str,
    ) -> Result<String, Fallback> {
        let mut members = Vec::new();
        for part in self.members(selections, "PlatformTotals")? {
            let value = match part.name() {
                "__typename" if part.is_leaf() => json::name_value("PlatformTotals"),
                "platform" if part.is_leaf() => {
                    json::column(g, "platform", super::describe::Render::Text)
                }
                "totals" if part.field.arguments.is_empty() => self.totals(&part.selections, g)?,
                other => return fallback(format!("PlatformTotals.{other}")),
            };
            members.push(part.with(value));
        }
        Ok(object(&members))
    }

    /// A `MetricTotals` of the row aliased `g` (sums, `followers`, `row_count`), with the
    /// executor's ratios (a denominator above zero, else null).
    fn totals(&mut self, selections: &Selections<'a>, g: &str) -> Result<String, Fallback> {
        let ratio = |numerator: &str, denominator: &str| {
            let d = format!("{g}.{denominator}");
            format!(
                "(CASE WHEN {d} > 0 AND {d} <> 'NaN' THEN {} ELSE 'null' END)",
                json::float(&format!("({g}.{numerator} / {d})"))
            )
        };
        let mut members = Vec::new();
        for part in self.members(selections, "MetricTotals")? {
            if !part.is_leaf() {
                return fallback("MetricTotals field with arguments or a selection");
            }
            let value = match part.name() {
                "__typename" => json::name_value("MetricTotals"),
                "followers" => json::float(&format!("{g}.followers")),
                "ctr" => ratio("clicks", "impressions"),
                "engagementRate" => ratio("engagement", "reach"),
                "rows" => format!("{g}.row_count::text"),
                name => match SUMMED_METRICS.iter().find(|m| **m == name) {
                    Some(metric) => json::float(&format!("{g}.{metric}")),
                    None => return fallback(format!("MetricTotals.{name}")),
                },
            };
            members.push(part.with(value));
        }
        Ok(object(&members))
    }
}

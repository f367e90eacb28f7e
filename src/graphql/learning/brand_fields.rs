//! The learning-loop fields of `Brand` (the type only delegates).

use async_graphql::Context;
use uuid::Uuid;

use super::types::{
    AdvisorFeedback, AutoPlan, BrandHistory, CollaborationLog, ContentPackage, StrategyBrief,
};
use crate::domain::learning::feedback::{self, AverageWeight};
use crate::error::ApiResult;
use crate::graphql::connection::{NestedConnection, nested_connection, nested_spec};
use crate::graphql::context::RequestContext;
use crate::graphql::pagination::PageArgs;
use crate::loaders::page::Sort;
use crate::loaders::relations::{
    ActivityFilter, BrandAdvisorFeedback, BrandCollaborationLogs, BrandContentPackages,
    BrandHistoryEntries, BrandStrategyBriefs, PackageFilter,
};

const LATEST_FIRST: Sort = Sort {
    column: "timestamp",
    descending: true,
};

pub async fn strategy_briefs(
    ctx: &Context<'_>,
    brand: Uuid,
    cycle: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<StrategyBrief>> {
    let spec = nested_spec(ctx, cycle, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandStrategyBriefs, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_strategy_briefs(),
        |l| l.brand_strategy_briefs_count(),
        StrategyBrief,
    )
    .await
}

pub async fn content_packages(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: PackageFilter,
    page: PageArgs,
) -> ApiResult<NestedConnection<ContentPackage>> {
    let spec = nested_spec(ctx, filter, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandContentPackages, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_content_packages(),
        |l| l.brand_content_packages_count(),
        ContentPackage,
    )
    .await
}

pub async fn brand_history(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: ActivityFilter,
    page: PageArgs,
) -> ApiResult<NestedConnection<BrandHistory>> {
    let spec = nested_spec(ctx, filter, LATEST_FIRST, page)?;
    nested_connection::<BrandHistoryEntries, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_history(),
        |l| l.brand_history_count(),
        BrandHistory,
    )
    .await
}

pub async fn collaboration_logs(
    ctx: &Context<'_>,
    brand: Uuid,
    filter: ActivityFilter,
    page: PageArgs,
) -> ApiResult<NestedConnection<CollaborationLog>> {
    let spec = nested_spec(ctx, filter, LATEST_FIRST, page)?;
    nested_connection::<BrandCollaborationLogs, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_collaboration_logs(),
        |l| l.brand_collaboration_logs_count(),
        CollaborationLog,
    )
    .await
}

pub async fn advisor_feedback(
    ctx: &Context<'_>,
    brand: Uuid,
    category: Option<String>,
    page: PageArgs,
) -> ApiResult<NestedConnection<AdvisorFeedback>> {
    let spec = nested_spec(ctx, category, Sort::NEWEST_FIRST, page)?;
    nested_connection::<BrandAdvisorFeedback, _>(
        ctx,
        brand,
        spec,
        |l| l.brand_advisor_feedback(),
        |l| l.brand_advisor_feedback_count(),
        AdvisorFeedback,
    )
    .await
}

pub async fn average_weights(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<AverageWeight>> {
    feedback::average_weights(ctx.db()?, brand).await
}

pub async fn auto_plans(ctx: &Context<'_>, brand: Uuid) -> ApiResult<Vec<AutoPlan>> {
    Ok(ctx
        .loaders()?
        .brand_auto_plans()
        .load_one(brand)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(AutoPlan)
        .collect())
}

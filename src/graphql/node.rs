//! `node(id:)`: any object by its global id, if the caller may see its brand.

use async_graphql::{Context, ID, Interface, Object};

use crate::error::ApiResult;
use crate::graphql::approval::PostApproval;
use crate::graphql::asset::MediaAsset;
use crate::graphql::brand::Brand;
use crate::graphql::content::ContentItem;
use crate::graphql::context::RequestContext;
use crate::graphql::ids::{self, NodeKind};
use crate::graphql::publishing::{PlatformConnection, PublishJob};

/// An object with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id."))]
pub enum Node {
    Brand(Brand),
    ContentItem(ContentItem),
    MediaAsset(MediaAsset),
    PostApproval(PostApproval),
    PlatformConnection(PlatformConnection),
    PublishJob(PublishJob),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any brand, content item, media asset, approval, connection or publish job by global id; null when it does not
    /// exist, is not visible to the caller, or is of a kind `node` does not serve.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let (kind, uuid) = ids::decode(&id)?;
        let viewer = ctx.viewer()?;
        viewer.require_authenticated()?;
        let loaders = ctx.loaders()?;
        let (brand_id, node) = match kind {
            NodeKind::Brand => match loaders.brands().load_one(uuid).await? {
                Some(row) => (row.id, Node::Brand(Brand(row))),
                None => return Ok(None),
            },
            NodeKind::ContentItem => match loaders.content_items().load_one(uuid).await? {
                Some(row) => (row.brand_id, Node::ContentItem(ContentItem(row))),
                None => return Ok(None),
            },
            NodeKind::MediaAsset => match loaders.media_assets().load_one(uuid).await? {
                Some(row) => (row.brand_id, Node::MediaAsset(MediaAsset(row))),
                None => return Ok(None),
            },
            NodeKind::PostApproval => match loaders.post_approvals().load_one(uuid).await? {
                Some(row) => (row.brand_id, Node::PostApproval(PostApproval(row))),
                None => return Ok(None),
            },
            NodeKind::PlatformConnection => match loaders.connections().load_one(uuid).await? {
                Some(row) => match row.brand_id {
                    Some(brand) => (brand, Node::PlatformConnection(PlatformConnection(row))),
                    None => return Ok(None),
                },
                None => return Ok(None),
            },
            NodeKind::PublishJob => match loaders.publish_jobs().load_one(uuid).await? {
                Some(row) => match row.brand_id {
                    Some(brand) => (brand, Node::PublishJob(PublishJob(row))),
                    None => return Ok(None),
                },
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let archived = loaders
            .brands()
            .load_one(brand_id)
            .await?
            .is_none_or(|brand| brand.archived_at.is_some());
        Ok((!archived && viewer.can_see(brand_id).await?).then_some(node))
    }
}

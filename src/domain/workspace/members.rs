//! Members and invitations. Only owners and admins manage members; nobody grants or
//! changes a role above their own; the last owner of a brand can be neither removed nor
//! demoted (owner rows are locked while that is checked, so two concurrent demotions
//! cannot both pass). Role changes reach open websockets through the membership events.
//!
//! An invitation is the smallest model that fits: a row naming the brand, the invited
//! user (created from the email if new) and the role; visible and revocable while
//! pending; the invited user accepts it with their own token.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Set, Statement,
};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::domain::access::require_role;
use crate::domain::audit::{self, AuditContext, AuditEntry};
use crate::error::{ApiError, ApiResult};
use entity::{brand_invitations, brand_members};

async fn audit_member(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    brand: Uuid,
    resource: String,
    metadata: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        db,
        ctx,
        AuditEntry {
            brand_id: Some(brand),
            action,
            resource_type: "brand_member",
            resource_id: resource,
            metadata,
        },
    )
    .await
}

/// The caller manages members (admin or owner) and may grant `role`.
async fn require_manager_of_members(
    viewer: &Viewer,
    brand: Uuid,
    role: Option<Role>,
) -> ApiResult<Role> {
    let own = require_role(viewer, brand, Role::Admin).await?;
    if let Some(role) = role
        && role > own
    {
        return Err(ApiError::Forbidden(format!(
            "you cannot grant {} (you are {})",
            role.as_str(),
            own.as_str()
        )));
    }
    Ok(own)
}

/// The brand's owners, locked for this transaction.
async fn lock_owners(db: &impl ConnectionTrait, brand: Uuid) -> ApiResult<Vec<Uuid>> {
    let rows = brand_members::Entity::find()
        .filter(brand_members::Column::BrandId.eq(brand))
        .filter(brand_members::Column::Role.eq("owner"))
        .lock_exclusive()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| m.user_id).collect())
}

async fn membership(
    db: &impl ConnectionTrait,
    brand: Uuid,
    user: Uuid,
) -> ApiResult<brand_members::Model> {
    brand_members::Entity::find()
        .filter(brand_members::Column::BrandId.eq(brand))
        .filter(brand_members::Column::UserId.eq(user))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound("member"))
}

fn role_of(member: &brand_members::Model) -> ApiResult<Role> {
    member
        .role
        .parse()
        .map_err(|_| ApiError::unexpected("role", &member.role))
}

/// Invites `email` to the brand with `role` (admins and above, up to their own role).
pub async fn invite(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    brand: Uuid,
    email: &str,
    role: Role,
) -> ApiResult<brand_invitations::Model> {
    require_manager_of_members(viewer, brand, Some(role)).await?;
    let email = email.trim().to_lowercase();
    let user: Uuid = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO users (email) VALUES ($1)
             ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email RETURNING id",
            [email.clone().into()],
        ))
        .await?
        .ok_or(ApiError::NotFound("user"))?
        .try_get_by_index(0)?;
    let already = brand_members::Entity::find()
        .filter(brand_members::Column::BrandId.eq(brand))
        .filter(brand_members::Column::UserId.eq(user))
        .one(db)
        .await?;
    if already.is_some() {
        return Err(ApiError::Conflict("this person is already a member".into()));
    }
    let invitation = brand_invitations::ActiveModel {
        id: Set(Uuid::new_v4()),
        brand_id: Set(brand),
        user_id: Set(user),
        email: Set(email.clone()),
        role: Set(role.as_str().into()),
        status: Set("pending".into()),
        invited_by: Set(viewer.user_id()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|err| match ApiError::from(err) {
        ApiError::Conflict(_) => {
            ApiError::Conflict("this person already has a pending invitation".into())
        }
        other => other,
    })?;
    audit_member(
        db,
        ctx,
        "member.invite",
        brand,
        user.to_string(),
        json!({ "email": email, "role": role.as_str(), "invitation": invitation.id }),
    )
    .await?;
    Ok(invitation)
}

async fn lock_invitation(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<brand_invitations::Model> {
    crate::domain::brands::lock_row(db, brand_invitations::Entity::find_by_id(id), "invitation")
        .await
}

/// Accepts an invitation addressed to the caller.
pub async fn accept(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<brand_members::Model> {
    viewer.require_authenticated()?;
    let invitation = lock_invitation(db, id).await?;
    if Some(invitation.user_id) != viewer.user_id() {
        return Err(ApiError::NotFound("invitation"));
    }
    if invitation.status != "pending" {
        return Err(ApiError::Conflict(format!(
            "the invitation is {}",
            invitation.status
        )));
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE brand_invitations SET status = 'accepted', decided_at = now() WHERE id = $1",
        [id.into()],
    ))
    .await?;
    let member = brand_members::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(invitation.user_id),
        brand_id: Set(invitation.brand_id),
        role: Set(invitation.role.clone()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit_member(
        db,
        ctx,
        "member.accept",
        invitation.brand_id,
        invitation.user_id.to_string(),
        json!({ "role": invitation.role, "invitation": id }),
    )
    .await?;
    Ok(member)
}

/// Revokes a pending invitation (admins and above).
pub async fn revoke(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    id: Uuid,
) -> ApiResult<brand_invitations::Model> {
    let invitation = lock_invitation(db, id).await?;
    if !viewer.can_see(invitation.brand_id).await? {
        return Err(ApiError::NotFound("invitation"));
    }
    require_manager_of_members(viewer, invitation.brand_id, None).await?;
    if invitation.status != "pending" {
        return Err(ApiError::Conflict(format!(
            "the invitation is {}",
            invitation.status
        )));
    }
    let mut active: brand_invitations::ActiveModel = invitation.clone().into();
    active.status = Set("revoked".into());
    active.decided_at = Set(Some(chrono::Utc::now().fixed_offset()));
    let revoked = active.update(db).await?;
    audit_member(
        db,
        ctx,
        "member.revoke_invitation",
        invitation.brand_id,
        invitation.user_id.to_string(),
        json!({ "invitation": id }),
    )
    .await?;
    Ok(revoked)
}

/// Changes a member's role (admins and above; not for someone above the caller, not to
/// a role above the caller's, never leaving the brand without an owner).
pub async fn update_role(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    brand: Uuid,
    user: Uuid,
    role: Role,
) -> ApiResult<brand_members::Model> {
    let own = require_manager_of_members(viewer, brand, Some(role)).await?;
    let owners = lock_owners(db, brand).await?;
    let member = membership(db, brand, user).await?;
    let before = role_of(&member)?;
    if before > own {
        return Err(ApiError::Forbidden(format!(
            "you cannot change the role of a {} (you are {})",
            before.as_str(),
            own.as_str()
        )));
    }
    if before == Role::Owner && role != Role::Owner && owners.len() <= 1 {
        return Err(ApiError::Conflict(
            "the last owner cannot be demoted; make someone else owner first".into(),
        ));
    }
    let mut active: brand_members::ActiveModel = member.into();
    active.role = Set(role.as_str().into());
    let after = active.update(db).await?;
    audit_member(
        db,
        ctx,
        "member.role",
        brand,
        user.to_string(),
        json!({ "before": { "role": before.as_str() }, "after": { "role": role.as_str() } }),
    )
    .await?;
    Ok(after)
}

/// Removes a member (admins and above, not someone above the caller, not the last
/// owner); `leave` removes the caller.
pub async fn remove(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ctx: &AuditContext,
    brand: Uuid,
    user: Uuid,
    leaving: bool,
) -> ApiResult<Uuid> {
    let own = if leaving {
        require_role(viewer, brand, Role::Viewer).await?
    } else {
        require_manager_of_members(viewer, brand, None).await?
    };
    let owners = lock_owners(db, brand).await?;
    let member = membership(db, brand, user).await?;
    let role = role_of(&member)?;
    if !leaving && role > own {
        return Err(ApiError::Forbidden(format!(
            "you cannot remove a {} (you are {})",
            role.as_str(),
            own.as_str()
        )));
    }
    if role == Role::Owner && owners.len() <= 1 {
        return Err(ApiError::Conflict(
            "the last owner cannot leave or be removed; make someone else owner first".into(),
        ));
    }
    brand_members::Entity::delete_by_id(member.id)
        .exec(db)
        .await?;
    audit_member(
        db,
        ctx,
        if leaving {
            "member.leave"
        } else {
            "member.remove"
        },
        brand,
        user.to_string(),
        json!({ "before": { "role": role.as_str() }, "after": null }),
    )
    .await?;
    Ok(user)
}

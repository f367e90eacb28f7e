//! Brand roles, ordered by what they may do.

use std::str::FromStr;

/// A member's role in one brand. Ordered: `Viewer < Member < Manager < Admin < Owner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
pub enum Role {
    /// Reads everything of the brand.
    Viewer,
    /// Also creates and edits content.
    Member,
    /// Also approves, schedules and manages media assets.
    Manager,
    /// Also manages members and goals.
    Admin,
    /// Everything.
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Manager => "manager",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Self::Viewer),
            "member" => Ok(Self::Member),
            "manager" => Ok(Self::Manager),
            "admin" => Ok(Self::Admin),
            "owner" => Ok(Self::Owner),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Viewer < Role::Member);
        assert!(Role::Member < Role::Manager);
        assert!(Role::Manager < Role::Admin);
        assert!(Role::Admin < Role::Owner);
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [
            Role::Viewer,
            Role::Member,
            Role::Manager,
            Role::Admin,
            Role::Owner,
        ] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}

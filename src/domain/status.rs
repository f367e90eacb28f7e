//! The enumerated statuses of the schema (each mirrors a CHECK constraint), parsed once
//! at the edge so the rest of the code never compares loose strings.

macro_rules! db_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            /// The value stored in the database.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),*
                }
            }

            /// Parses a stored value.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}
pub(crate) use db_enum;

db_enum!(
    /// Where a content item is in its lifecycle.
    ContentStatus {
        /// Being written.
        Draft = "draft",
        /// Submitted, waiting for approval.
        PendingReview = "pending_review",
        /// Approved, not yet scheduled.
        Approved = "approved",
        /// Sent back by a reviewer.
        Rejected = "rejected",
        /// Approved and scheduled for publishing.
        Scheduled = "scheduled",
        /// Live on its platform.
        Published = "published",
    }
);

db_enum!(
    /// The decision of one approval.
    ApprovalStatus {
        /// Waiting for a reviewer.
        Pending = "pending",
        /// Approved.
        Approved = "approved",
        /// Rejected (with a reason).
        Rejected = "rejected",
    }
);

db_enum!(
    /// Whether an asset counts against the quota.
    AssetStatus {
        /// In use; counts against the quota.
        Active = "active",
        /// Kept but not in use; frees its quota.
        Archived = "archived",
        /// Deleted.
        Deleted = "deleted",
    }
);

db_enum!(
    /// The state of one scheduled publication.
    ScheduleStatus {
        /// Waiting for its time.
        Scheduled = "scheduled",
        /// Being published now.
        Publishing = "publishing",
        /// Published.
        Published = "published",
        /// Publishing failed.
        Failed = "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_values() {
        for status in [
            ContentStatus::Draft,
            ContentStatus::PendingReview,
            ContentStatus::Approved,
            ContentStatus::Rejected,
            ContentStatus::Scheduled,
            ContentStatus::Published,
        ] {
            assert_eq!(ContentStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(ApprovalStatus::parse("lost"), None);
    }
}

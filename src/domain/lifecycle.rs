//! The content state machine:
//!
//! ```text
//! draft -> pending_review -> approved -> scheduled -> published
//!                         \-> rejected -> draft
//! ```
//! (`scheduled -> scheduled` reschedules; `draft -> scheduled` is allowed only for
//! content that does not require approval, see [`crate::domain::content::schedule`].)

use super::status::ContentStatus::{self, *};
use crate::error::{ApiError, ApiResult};

/// Whether `from -> to` is a legal step.
pub fn allowed(from: ContentStatus, to: ContentStatus) -> bool {
    matches!(
        (from, to),
        (Draft, PendingReview)
            | (PendingReview, Approved)
            | (PendingReview, Rejected)
            | (Rejected, Draft)
            | (Approved, Scheduled)
            | (Scheduled, Scheduled)
            | (Scheduled, Published)
    )
}

/// `Ok` for a legal step, else `BAD_USER_INPUT` naming both statuses.
pub fn check(from: ContentStatus, to: ContentStatus) -> ApiResult<()> {
    if allowed(from, to) {
        Ok(())
    } else {
        Err(ApiError::bad_input(
            "status",
            format!(
                "content in status {} cannot move to {}",
                from.as_str(),
                to.as_str()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ContentStatus; 6] = [
        Draft,
        PendingReview,
        Approved,
        Rejected,
        Scheduled,
        Published,
    ];

    #[test]
    fn exactly_the_documented_steps_are_allowed() {
        let legal: Vec<_> = ALL
            .iter()
            .flat_map(|from| ALL.iter().map(move |to| (*from, *to)))
            .filter(|(from, to)| allowed(*from, *to))
            .collect();
        assert_eq!(
            legal,
            vec![
                (Draft, PendingReview),
                (PendingReview, Approved),
                (PendingReview, Rejected),
                (Approved, Scheduled),
                (Rejected, Draft),
                (Scheduled, Scheduled),
                (Scheduled, Published),
            ]
        );
    }

    #[test]
    fn an_illegal_step_names_both_statuses() {
        let err = check(Published, Draft).unwrap_err();
        assert!(err.message().contains("published"));
        assert!(err.message().contains("draft"));
    }
}

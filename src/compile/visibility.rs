//! The one visibility rule of compiled plans, the same rule `domain::brands::visible`
//! applies to the executor's reads: a brand is visible when it is not archived and the
//! viewer's scope holds it (the scope parameter is NULL for the service role, which sees
//! every brand). The planner reaches brand rows only through [`BrandRows`], whose only
//! constructor writes this condition: a plan without it cannot be built.

/// The rows of `brands` a plan may read, as a `FROM … WHERE` clause.
pub struct BrandRows {
    from_where: String,
}

impl BrandRows {
    /// The visible brands aliased `alias`, narrowed by `condition` (SQL over `alias`);
    /// `scope` is the bind parameter of the viewer's brand ids.
    pub fn visible(alias: &str, scope: &str, condition: &str) -> Self {
        Self {
            from_where: format!(
                "FROM brands {alias} WHERE ({condition}) AND {alias}.archived_at IS NULL \
                 AND ({scope}::uuid[] IS NULL OR {alias}.id = ANY({scope}::uuid[]))"
            ),
        }
    }

    pub fn sql(&self) -> &str {
        &self.from_where
    }
}

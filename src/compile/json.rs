//! SQL expressions that render a value as the JSON text async-graphql's executor writes
//! for it (see `COMPILER-NOTES.md` in the shared docs for why each differs from
//! PostgreSQL's own `to_json`). Every expression is NOT NULL, so `||` never swallows an
//! object.

use super::describe::Render;

/// The JSON text of `column` of the row aliased `row`, rendered as `render` says.
pub fn column(row: &str, column: &str, render: Render) -> String {
    let value = format!("{row}.{column}");
    match render {
        Render::Text => format!("to_json({value})::text"),
        Render::OptionalText => format!("coalesce(to_json({value})::text, 'null')"),
        Render::Uuid => format!("('\"' || {value}::text || '\"')"),
        Render::GlobalId(kind) => base64url_string(&format!("'{}:' || {value}::text", kind.name())),
        Render::FlagOrFalse => format!("(CASE WHEN {value} THEN 'true' ELSE 'false' END)"),
        Render::TextListOrEmpty => format!("coalesce(to_json({value})::text, '[]')"),
        Render::Timestamp => timestamp(&value, "+00:00"),
        Render::OptionalTimestamp => format!("coalesce({}, 'null')", timestamp(&value, "+00:00")),
        Render::Int => format!("{value}::text"),
        Render::Enum => format!("to_json(upper({value}))::text"),
        Render::Money => format!("('\"' || round({value}, 2)::text || '\"')"),
        Render::IntSum(columns) => format!("{}::text", sum(row, columns)),
        Render::Share { part, whole } => {
            let whole = sum(row, whole);
            format!(
                "(CASE WHEN {whole} > 0 THEN {} ELSE 'null' END)",
                float(&format!("{}::float8 / {whole}::float8", sum(row, part)))
            )
        }
        Render::MoneyPer(count) => {
            let count = sum(row, count);
            format!(
                "(CASE WHEN {count} > 0 THEN '\"' || round(floor({value} * 100 / {count} + 0.5) / 100, 2)::text || '\"' ELSE 'null' END)"
            )
        }
    }
}

/// `(r.a + r.b + …)` over integer columns, as `bigint`.
fn sum(row: &str, columns: &[&str]) -> String {
    let terms: Vec<String> = columns
        .iter()
        .map(|column| format!("{row}.{column}::bigint"))
        .collect();
    format!("({})", terms.join(" + "))
}

/// The JSON text serde_json writes for an `f64` (shortest round-trip digits, `.0` on
/// integers, exponents outside 1e-5..1e16, NaN and infinities as `null`), of the
/// `float8` expression `x` (evaluated once).
pub fn float(x: &str) -> String {
    format!(
        "(SELECT CASE WHEN f.x IS NULL OR f.x IN ('NaN', 'Infinity', '-Infinity') THEN 'null' \
              WHEN f.x = 0 THEN CASE WHEN f.x::text = '-0' THEN '-0.0' ELSE '0.0' END \
              WHEN abs(f.x) >= 1e-5 AND abs(f.x) < 1e16 \
              THEN f.x::text::numeric::text || CASE WHEN f.x = trunc(f.x) THEN '.0' ELSE '' END \
              ELSE replace(f.x::text, 'e-0', 'e-') END FROM (SELECT ({x})::float8 AS x) f)"
    )
}

/// As [`float`], of `text`, the text of a JSON number as jsonb prints it (`metrics ->>
/// 'reach'` where the value is a number: plain digits, never an exponent). The common case,
/// an integer of at most 15 characters, is that text plus `.0` (exact in an `f64`, below
/// 1e16), without the conversions `float` makes per row.
pub fn float_of_number_text(text: &str) -> String {
    format!(
        "(CASE WHEN strpos({text}, '.') = 0 AND length({text}) <= 15 THEN {text} || '.0' ELSE {} END)",
        float(&format!("({text})::float8"))
    )
}

/// A timestamptz as chrono's serde writes it (cursors): as [`Render::Timestamp`] but
/// ending in `Z`.
pub fn utc_timestamp(value: &str) -> String {
    timestamp(value, "Z")
}

/// chrono's `to_rfc3339()` of a timestamptz decoded as UTC: whole seconds, or 3 or 6
/// fraction digits, and `zone` (`+00:00`, or `Z` through serde); independent of the
/// session's TimeZone.
fn timestamp(value: &str, zone: &str) -> String {
    let utc = format!("({value} AT TIME ZONE 'UTC')");
    format!(
        "('\"' || to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || \
         CASE WHEN date_trunc('second', {utc}) = {utc} THEN '' \
              WHEN date_trunc('milliseconds', {utc}) = {utc} THEN to_char({utc}, '.MS') \
              ELSE to_char({utc}, '.US') END || '{zone}\"')"
    )
}

/// A JSON string for a GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`: nothing to escape), to
/// splice into an SQL string literal.
pub fn name(name: &str) -> String {
    format!("\"{name}\"")
}

/// An SQL expression whose text is the JSON string of a GraphQL name (`__typename`).
pub fn name_value(name: &str) -> String {
    format!("'\"{name}\"'")
}

/// The JSON string of the unpadded base64url of the text `sql` evaluates to (global ids
/// and cursors). PostgreSQL's base64 is padded and breaks lines every 76 characters.
pub fn base64url_string(sql: &str) -> String {
    format!(
        "('\"' || rtrim(translate(encode(convert_to({sql}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=') || '\"')"
    )
}

//! Who connects as whom. Migrations run as the role that owns the tables; the gateway
//! connects as a login role that is a member of the NOLOGIN group [`GATEWAY_GROUP`]
//! (created by migration `023_least_privilege`), which holds only DML, owns nothing and
//! cannot bypass row-level security. `serve --demo` and the tests create such a login
//! role themselves; in production an administrator does (README, "Production checklist").

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// The group role holding the gateway's privileges.
pub const GATEWAY_GROUP: &str = "brandgraph_gateway";

/// The login role `serve --demo` connects as.
pub const DEMO_LOGIN: &str = "brandgraph_demo";

/// Creates the login role `name` if it does not exist, gives it `password` and makes it a
/// member of [`GATEWAY_GROUP`] — nothing else (no superuser, no BYPASSRLS, no CREATEROLE).
/// Run as a role with CREATEROLE (the owner in development).
pub async fn ensure_login_role(
    owner: &impl ConnectionTrait,
    name: &str,
    password: &str,
) -> Result<(), DbErr> {
    let role = quote_identifier(name);
    let password = quote_literal(password);
    owner
        .execute_unprepared(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name_literal}) THEN
                 CREATE ROLE {role} LOGIN;
               END IF;
             END $$;
             ALTER ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
               NOBYPASSRLS PASSWORD {password};
             GRANT {GATEWAY_GROUP} TO {role};",
            name_literal = quote_literal(name),
        ))
        .await?;
    Ok(())
}

/// `url` with its user and password replaced.
pub fn with_login(url: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let mut parsed = url::Url::parse(url)
        .map_err(|err| anyhow::anyhow!("the database URL cannot be parsed: {err}"))?;
    let refused = || anyhow::anyhow!("the database URL cannot carry a user name");
    parsed.set_username(user).map_err(|()| refused())?;
    parsed
        .set_password(Some(password))
        .map_err(|()| refused())?;
    Ok(parsed.into())
}

/// The demo login role's password: derived from the JWT secret, so two demos on one
/// cluster agree on it (each sets it at start) and it is never printed.
pub fn demo_password(jwt_secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!(
        "brandgraph-demo-login:{jwt_secret}"
    )))
}

/// What the connected role may do beyond the gateway's DML, in words (empty when it is as
/// narrow as it should be): a superuser, BYPASSRLS, or owning (or able to act as the
/// owner of) the tables.
pub async fn excess_privileges(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT r.rolsuper, r.rolbypassrls,
                    EXISTS (SELECT 1 FROM pg_class c
                             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                               AND pg_has_role(current_user, c.relowner, 'USAGE'))
               FROM pg_roles r WHERE r.rolname = current_user",
        ))
        .await?;
    let Some(row) = row else {
        return Ok(Vec::new());
    };
    let mut excess = Vec::new();
    if row.try_get_by_index::<bool>(0)? {
        excess.push("is a superuser");
    }
    if row.try_get_by_index::<bool>(1)? {
        excess.push("bypasses row-level security");
    }
    if row.try_get_by_index::<bool>(2)? {
        excess.push("owns the tables");
    }
    Ok(excess)
}

fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_replaces_the_user_and_password_of_the_url() {
        let url = with_login(
            "postgres://postgres@127.0.0.1:5432/brandgraph?sslmode=disable",
            "brandgraph_demo",
            "p@ss/word",
        )
        .unwrap();
        assert_eq!(
            url,
            "postgres://brandgraph_demo:p%40ss%2Fword@127.0.0.1:5432/brandgraph?sslmode=disable"
        );
    }

    #[test]
    fn quoting_doubles_the_quote_characters() {
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn the_demo_password_depends_on_the_secret_only() {
        assert_eq!(demo_password("a"), demo_password("a"));
        assert_ne!(demo_password("a"), demo_password("b"));
        assert_eq!(demo_password("a").len(), 64);
    }
}

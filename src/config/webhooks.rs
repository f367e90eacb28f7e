//! Inbound webhooks and the escalation evaluator: provider secrets, replay tolerance,
//! retry policy, how often escalations are evaluated.

use std::time::Duration;

use secrecy::SecretString;

/// A provider's signing secret, configured as `provider=secret`.
#[derive(Clone, Debug)]
pub struct ProviderSecret {
    pub provider: String,
    pub secret: SecretString,
}

fn parse_provider_secret(value: &str) -> Result<ProviderSecret, String> {
    let (provider, secret) = value.split_once('=').ok_or("expected provider=secret")?;
    let valid = !provider.is_empty()
        && provider.len() <= 50
        && provider
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !valid {
        return Err("a provider name is 1 to 50 lowercase letters, digits, - or _".into());
    }
    if secret.len() < 16 {
        return Err(format!(
            "the secret of {provider} must be at least 16 characters"
        ));
    }
    Ok(ProviderSecret {
        provider: provider.to_string(),
        secret: SecretString::from(secret),
    })
}

#[derive(Clone, Debug, clap::Args)]
pub struct WebhookConfig {
    /// Signing secrets of the providers that may call `POST /webhooks/{provider}`,
    /// `provider=secret` comma separated. A provider without a secret is refused (404).
    #[arg(
        long,
        env = "BRANDGRAPH_WEBHOOK_SECRETS",
        value_delimiter = ',',
        value_parser = parse_provider_secret,
        hide_env_values = true
    )]
    pub webhook_secrets: Vec<ProviderSecret>,

    /// How far a delivery's signed timestamp may be from now, in seconds (replays older
    /// than this are refused).
    #[arg(long, env = "BRANDGRAPH_WEBHOOK_TOLERANCE_SECS", default_value_t = 300)]
    pub webhook_tolerance_secs: u64,

    /// Processing attempts a delivery gets before it is dead.
    #[arg(long, env = "BRANDGRAPH_WEBHOOK_MAX_ATTEMPTS", default_value_t = 5)]
    pub webhook_max_attempts: i32,

    /// First retry delay of a failed delivery, in milliseconds; doubles per attempt.
    #[arg(
        long,
        env = "BRANDGRAPH_WEBHOOK_RETRY_BASE_MS",
        default_value_t = 10_000
    )]
    pub webhook_retry_base_ms: u64,

    /// How often the escalation evaluator runs, in seconds.
    #[arg(
        long,
        env = "BRANDGRAPH_ESCALATION_INTERVAL_SECS",
        default_value_t = 60
    )]
    pub escalation_interval_secs: u64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            webhook_secrets: Vec::new(),
            webhook_tolerance_secs: 300,
            webhook_max_attempts: 5,
            webhook_retry_base_ms: 10_000,
            escalation_interval_secs: 60,
        }
    }
}

impl WebhookConfig {
    pub fn secret_of(&self, provider: &str) -> Option<&SecretString> {
        self.webhook_secrets
            .iter()
            .find(|s| s.provider == provider)
            .map(|s| &s.secret)
    }

    pub fn tolerance(&self) -> Duration {
        Duration::from_secs(self.webhook_tolerance_secs)
    }

    pub fn retry_base(&self) -> Duration {
        Duration::from_millis(self.webhook_retry_base_ms)
    }

    pub fn escalation_interval(&self) -> Duration {
        Duration::from_secs(self.escalation_interval_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_secrets_parse_and_bad_ones_are_refused() {
        let ok = parse_provider_secret("reviews=0123456789abcdef-long").unwrap();
        assert_eq!(ok.provider, "reviews");
        assert!(parse_provider_secret("reviews").is_err());
        assert!(parse_provider_secret("Re views=0123456789abcdef").is_err());
        assert!(parse_provider_secret("reviews=short").is_err());
    }
}

//! Publishing: the key that encrypts platform tokens, and how failed jobs are retried.

use std::time::Duration;

use base64::Engine;
use secrecy::SecretString;

use crate::secrets::Keyring;

/// Used only with `--demo`/`--dev` when no key is configured (it is in the repository).
const DEV_SECRETS_KEY: [u8; 32] = *b"brandgraph-dev-secrets-key-32by!";

#[derive(Clone, clap::Args)]
pub struct PublishingConfig {
    /// AES-256 key (base64 of 32 random bytes) that encrypts platform tokens.
    #[arg(long, env = "BRANDGRAPH_SECRETS_KEY", value_parser = super::parse_secret, hide_env_values = true)]
    pub secrets_key: Option<SecretString>,

    /// Id of that key, stored with every secret it seals (change it when you rotate).
    #[arg(long, env = "BRANDGRAPH_SECRETS_KEY_ID", default_value = "k1")]
    pub secrets_key_id: String,

    /// Earlier keys, `id:base64` comma separated: they still open what they sealed until
    /// `brandgraph secrets rotate` re-seals it under the current key.
    #[arg(
        long,
        env = "BRANDGRAPH_SECRETS_PREVIOUS_KEYS",
        value_delimiter = ',',
        value_parser = super::parse_secret,
        hide_env_values = true
    )]
    pub secrets_previous_keys: Vec<SecretString>,

    /// First retry delay of a failed publish job, in milliseconds; doubles per attempt
    /// (with jitter).
    #[arg(
        long,
        env = "BRANDGRAPH_PUBLISH_RETRY_BASE_MS",
        default_value_t = 30_000
    )]
    pub publish_retry_base_ms: u64,

    /// Longest retry delay, in milliseconds.
    #[arg(
        long,
        env = "BRANDGRAPH_PUBLISH_RETRY_MAX_MS",
        default_value_t = 3_600_000
    )]
    pub publish_retry_max_ms: u64,
}

impl Default for PublishingConfig {
    fn default() -> Self {
        Self {
            secrets_key: None,
            secrets_key_id: "k1".into(),
            secrets_previous_keys: Vec::new(),
            publish_retry_base_ms: 30_000,
            publish_retry_max_ms: 3_600_000,
        }
    }
}

impl std::fmt::Debug for PublishingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishingConfig")
            .field("secrets_key", &self.secrets_key.as_ref().map(|_| "***"))
            .field("secrets_key_id", &self.secrets_key_id)
            .field("secrets_previous_keys", &self.secrets_previous_keys.len())
            .field("publish_retry_base_ms", &self.publish_retry_base_ms)
            .field("publish_retry_max_ms", &self.publish_retry_max_ms)
            .finish()
    }
}

impl PublishingConfig {
    /// The keyring: the configured key, else in development a fixed development key,
    /// else none (publishing then refuses to store or hand out tokens).
    pub fn keyring(&self, development: bool) -> anyhow::Result<Option<Keyring>> {
        use secrecy::ExposeSecret;
        let previous = self
            .secrets_previous_keys
            .iter()
            .map(|entry| {
                let (id, key) = entry
                    .expose_secret()
                    .split_once(':')
                    .ok_or_else(|| anyhow::anyhow!("previous keys are `id:base64`"))?;
                Ok((id.to_string(), SecretString::from(key)))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        match &self.secrets_key {
            Some(key) => Ok(Some(Keyring::new(&self.secrets_key_id, key, &previous)?)),
            None if development => {
                let key = base64::engine::general_purpose::STANDARD.encode(DEV_SECRETS_KEY);
                Ok(Some(Keyring::new(
                    "dev",
                    &SecretString::from(key),
                    &previous,
                )?))
            }
            None => Ok(None),
        }
    }

    pub fn retry_base(&self) -> Duration {
        Duration::from_millis(self.publish_retry_base_ms.max(1))
    }

    pub fn retry_max(&self) -> Duration {
        Duration::from_millis(self.publish_retry_max_ms.max(1))
    }
}

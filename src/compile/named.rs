//! The named GraphQL types (other than the built-in scalars) a compiled operation may
//! declare variables of: the described filter inputs, their enums, the connections' order
//! enums and `UUID`. The executor coerces every declared variable, even one used only in a
//! field a literal `@skip` removes, so a plan checks each value per request against its
//! declared type (see `run`); a type not listed here sends the operation to the executor.

use async_graphql::Value;

use super::describe::{FilterField, FilterTest, Order};
use crate::graphql::asset::describe::ASSET_FILTERS;
use crate::graphql::brand::describe::{BRANDS_FILTERS, BRANDS_ORDERS};
use crate::graphql::content::describe::{CONTENT_FILTERS, CONTENT_ORDERS};
use crate::graphql::email::describe::{EMAIL_CAMPAIGN_FILTERS, EMAIL_CONTACT_FILTERS};
use crate::graphql::marketing::describe::{CAMPAIGN_FILTERS, LEAD_FILTERS, LEAD_ORDERS};

/// How a value of a named type is checked, as the executor coerces it.
#[derive(Debug, Clone, Copy)]
pub enum NamedCheck {
    /// An enum of a described filter field: a name (as an enum or a string) its parser knows.
    Enum(fn(&str) -> Option<&'static str>),
    /// `UUID`: a string `Uuid::parse_str` reads.
    Uuid,
    /// A filter input object: only described fields, each with a value the plan reads.
    Filter(&'static [FilterField]),
    /// An order enum: one of the described orders.
    Order(&'static [(&'static str, Order)]),
}

/// The check of the named type `name`, if a plan may take a variable of it.
pub fn check_of(name: &str) -> Option<NamedCheck> {
    let filter = |fields| Some(NamedCheck::Filter(fields));
    let order = |orders| Some(NamedCheck::Order(orders));
    match name {
        "UUID" => Some(NamedCheck::Uuid),
        "BrandFilter" => filter(BRANDS_FILTERS),
        "MediaAssetFilter" => filter(ASSET_FILTERS),
        "ContentItemFilter" => filter(CONTENT_FILTERS),
        "CampaignFilter" => filter(CAMPAIGN_FILTERS),
        "LeadFilter" => filter(LEAD_FILTERS),
        "EmailCampaignFilter" => filter(EMAIL_CAMPAIGN_FILTERS),
        "EmailContactFilter" => filter(EMAIL_CONTACT_FILTERS),
        "BrandOrder" => order(BRANDS_ORDERS),
        "ContentOrder" => order(CONTENT_ORDERS),
        "LeadOrder" => order(LEAD_ORDERS),
        "AssetStatus" => enum_of(ASSET_FILTERS, "status"),
        "ContentStatus" => enum_of(CONTENT_FILTERS, "status"),
        "CampaignStatus" => enum_of(CAMPAIGN_FILTERS, "status"),
        "CampaignType" => enum_of(CAMPAIGN_FILTERS, "type"),
        "LeadStatus" => enum_of(LEAD_FILTERS, "status"),
        "EmailCampaignStatus" => enum_of(EMAIL_CAMPAIGN_FILTERS, "status"),
        "SubscriptionStatus" => enum_of(EMAIL_CONTACT_FILTERS, "subscriptionStatus"),
        _ => None,
    }
}

/// The enum check of the described filter field `field` of `fields`.
fn enum_of(fields: &'static [FilterField], field: &str) -> Option<NamedCheck> {
    match fields.iter().find(|f| f.field == field)?.test {
        FilterTest::EnumEquals(parse) => Some(NamedCheck::Enum(parse)),
        _ => None,
    }
}

impl NamedCheck {
    /// Whether the executor accepts `value` (not null) and the plan reads it as it does.
    pub fn accepts(&self, value: &Value) -> bool {
        let name = match value {
            Value::Enum(name) => Some(name.as_str()),
            Value::String(name) => Some(name.as_str()),
            _ => None,
        };
        match (self, value) {
            (NamedCheck::Enum(parse), _) => name.and_then(parse).is_some(),
            (NamedCheck::Uuid, Value::String(text)) => uuid::Uuid::parse_str(text).is_ok(),
            (NamedCheck::Filter(fields), Value::Object(object)) => {
                object
                    .keys()
                    .all(|key| fields.iter().any(|f| f.field == key.as_str()))
                    && fields
                        .iter()
                        .all(|f| filter_value(f, object.get(f.field)).is_some())
            }
            (NamedCheck::Order(orders), _) => {
                name.is_some_and(|name| orders.iter().any(|(n, _)| *n == name))
            }
            _ => false,
        }
    }
}

/// A filter field's value from a variable, as the executor coerces it, bound as its
/// column compares it (a typed NULL for null or absent: no condition); `None` for a value
/// the executor refuses.
pub fn filter_value(field: &FilterField, value: Option<&Value>) -> Option<sea_orm::Value> {
    let value = match value {
        None | Some(Value::Null) => None,
        Some(value) => Some(value),
    };
    Some(match (field.test, value) {
        (FilterTest::UuidEquals, None) => Option::<uuid::Uuid>::None.into(),
        (FilterTest::IntAtLeast, None) => Option::<i32>::None.into(),
        (_, None) => Option::<String>::None.into(),
        (FilterTest::Equals, Some(Value::String(text))) => text.clone().into(),
        (FilterTest::Like(pattern), Some(Value::String(text))) => pattern(text).into(),
        (FilterTest::UuidEquals, Some(Value::String(text))) => {
            uuid::Uuid::parse_str(text).ok()?.into()
        }
        (FilterTest::EnumEquals(parse), Some(Value::Enum(name))) => {
            parse(name.as_str())?.to_string().into()
        }
        (FilterTest::EnumEquals(parse), Some(Value::String(name))) => {
            parse(name)?.to_string().into()
        }
        (FilterTest::IntAtLeast, Some(Value::Number(n))) => i32::try_from(n.as_i64()?).ok()?.into(),
        _ => return None,
    })
}

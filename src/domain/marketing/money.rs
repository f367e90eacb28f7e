//! Amounts of money: exact decimals with at most two places, never floats.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use sea_orm::prelude::Decimal;

/// The largest amount a `NUMERIC(14, 2)` column holds.
const MAX: i64 = 999_999_999_999;

/// An amount of money in the brand's currency: a decimal string such as `"1250.50"`
/// (numbers are accepted on input), at most two decimal places, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub Decimal);

impl Money {
    pub fn parse(text: &str) -> Option<Self> {
        let value: Decimal = text.trim().parse().ok()?;
        let value = value.normalize();
        (value.scale() <= 2 && value >= Decimal::ZERO && value <= Decimal::from(MAX))
            .then_some(Self(value))
    }

    /// As stored: two decimal places.
    pub fn to_db(self) -> Decimal {
        let mut value = self.0;
        value.rescale(2);
        value
    }

    pub fn from_db(value: Decimal) -> Self {
        Self(value)
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut value = self.0;
        value.rescale(2);
        write!(f, "{value}")
    }
}

/// An amount of money: a decimal string with at most two decimal places, e.g. "1250.50".
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        let text = match &value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        Money::parse(&text).ok_or_else(|| {
            InputValueError::custom(
                "an amount must be a non-negative decimal with at most two decimal places",
            )
        })
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_non_negative_and_cents_at_most() {
        assert_eq!(Money::parse("1250.5").unwrap().to_string(), "1250.50");
        assert_eq!(Money::parse("0").unwrap().to_string(), "0.00");
        assert_eq!(Money::parse("10.10").unwrap().to_string(), "10.10");
        assert!(Money::parse("-1").is_none());
        assert!(Money::parse("1.005").is_none());
        assert!(Money::parse("abc").is_none());
        assert!(Money::parse("1000000000000").is_none());
    }
}

//! A record of named fields, as JSON gives it, turned into a D-Bus
//! dictionary (`a{sv}`) and back: whole numbers as `u` (or `t` when
//! larger), other numbers as `d`, text as `s`, and a field with no value
//! left out.

use std::collections::HashMap;

use serde_json::{Map, Value};
use zbus::{OwnedVariant, Str};

use crate::controller::{ControlError, Controller, Whose};

/// A page of the history as `HistoryRecords` gives it: the sessions,
/// and how many there are in all.
pub type Records = (Vec<HashMap<String, OwnedVariant>>, u32);

/// The page `(whose, offset, limit)` of the history.
pub fn page(
    controller: &Controller,
    (whose, offset, limit): (Whose, u32, u32),
) -> Result<Records, ControlError> {
    let (rows, total) = controller.history_rows(&whose, offset as usize, limit as usize)?;
    Ok((
        rows.iter().map(|row| of(&row.fields())).collect(),
        u32::try_from(total).unwrap_or(u32::MAX),
    ))
}

/// The dictionary of `fields`.
pub fn of(fields: &Map<String, Value>) -> HashMap<String, OwnedVariant> {
    fields
        .iter()
        .filter_map(|(name, value)| Some((name.clone(), variant(value)?)))
        .collect()
}

fn variant(value: &Value) -> Option<OwnedVariant> {
    match value {
        Value::Bool(b) => Some(OwnedVariant::from(*b)),
        Value::String(text) => Some(OwnedVariant::from(Str::from(text.clone()))),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(whole), _) => Some(match u32::try_from(whole) {
                Ok(small) => OwnedVariant::from(small),
                Err(_) => OwnedVariant::from(whole),
            }),
            (None, Some(real)) => Some(OwnedVariant::from(real)),
            (None, None) => None,
        },
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The fields of a dictionary, each `names` there and null when left out.
pub fn fields(record: &HashMap<String, OwnedVariant>, names: &[&str]) -> Map<String, Value> {
    names
        .iter()
        .map(|name| {
            let value = record.get(*name).map_or(Value::Null, json);
            (name.to_string(), value)
        })
        .collect()
}

fn json(value: &OwnedVariant) -> Value {
    use zbus::Variant as V;
    match &**value {
        V::Bool(b) => Value::from(*b),
        V::Str(text) => Value::from(text.as_str()),
        V::U32(n) => Value::from(*n),
        V::U64(n) => Value::from(*n),
        V::I32(n) => Value::from(*n),
        V::I64(n) => Value::from(*n),
        V::F64(x) => Value::from(*x),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_comes_back_as_it_went_with_nulls_for_what_was_left_out() {
        let sent = serde_json::json!({
            "program": "demo", "steps_done": 3, "walked": 60.0,
            "walked_backward": 12.5, "completed": true, "units": null,
            "session": 1_764_000_000_000_000u64,
        });
        let Value::Object(sent) = sent else { panic!() };
        let record = of(&sent);
        assert!(!record.contains_key("units"));
        let names = [
            "program",
            "steps_done",
            "walked",
            "walked_backward",
            "completed",
            "units",
            "session",
        ];
        let back = fields(&record, &names);
        assert_eq!(Value::Object(back), Value::Object(sent));
    }
}

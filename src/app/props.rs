//! Island props that the browser reads with the same JSON decoder as the
//! server functions' answers.
//!
//! Leptos reads an island's props with `serde_json::from_str` and server
//! function answers with `serde_json::from_slice`; a type read both ways
//! (the seat map's view arrives both ways) is compiled twice into the WASM.
//! [`JsonProp`] travels as a JSON string holding the value's JSON, so only a
//! `String` goes through `from_str` and the value itself through
//! `from_slice`.

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, PartialEq)]
pub struct JsonProp<T>(pub T);

impl<T: Serialize> Serialize for JsonProp<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_string(&self.0).map_err(S::Error::custom)?;
        serializer.serialize_str(&json)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for JsonProp<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = String::deserialize(deserializer)?;
        serde_json::from_slice(json.as_bytes())
            .map(JsonProp)
            .map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travels_as_a_string_of_json_and_reads_back() {
        let prop = JsonProp(vec![(1, "A".to_string())]);
        let json = serde_json::to_string(&prop).unwrap();
        assert_eq!(json, r#""[[1,\"A\"]]""#);
        assert_eq!(
            serde_json::from_str::<JsonProp<Vec<(i32, String)>>>(&json).unwrap(),
            prop
        );
        assert!(serde_json::from_str::<JsonProp<Vec<i32>>>(r#""[1,""#).is_err());
    }
}

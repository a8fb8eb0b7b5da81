//! Test-only: proptest strategies for JSON values and for the ways a value can be laid
//! out as text (compact, pretty, or with any white space between its tokens), shared by
//! the property tests of the hand-written parsers in `notification` and `input`.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Strings that lean on what a JSON scanner must get right: quotes, escapes, white space
/// and structural characters inside strings, and any Unicode.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t\r\n\"\\\\{}\\[\\],:a-z\u{e9}\u{1F44D}\u{0}-\u{1f}]{0,12}",
    ]
}

/// Any JSON value a notification could hold, nested a few levels.
pub fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        tricky_string().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            object_of(inner),
        ]
    })
}

fn object_of(inner: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop::collection::vec((tricky_string(), inner), 0..6)
        .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>()))
}

/// A JSON object (what a notification is), with any values inside.
pub fn object() -> impl Strategy<Value = Value> {
    object_of(value())
}

/// Runs of insignificant white space, used in turn between tokens.
pub fn gaps() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[ \t\r\n]{0,3}", 1..6)
}

/// How a value is written.
#[derive(Clone, Debug)]
pub enum Layout {
    Compact,
    Pretty,
    /// White space from `gaps` (in turn) between every two tokens.
    Spaced(Vec<String>),
}

pub fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Compact),
        Just(Layout::Pretty),
        gaps().prop_map(Layout::Spaced),
    ]
}

/// `value` as text in `layout`.
pub fn write(value: &Value, layout: &Layout) -> String {
    match layout {
        Layout::Compact => serde_json::to_string(value).expect("a Value serialises"),
        Layout::Pretty => serde_json::to_string_pretty(value).expect("a Value serialises"),
        Layout::Spaced(gaps) => {
            let mut out = String::new();
            let mut turn = 0;
            spaced(value, gaps, &mut turn, &mut out);
            out
        }
    }
}

fn spaced(value: &Value, gaps: &[String], turn: &mut usize, out: &mut String) {
    let gap = |turn: &mut usize, out: &mut String| {
        out.push_str(&gaps[*turn % gaps.len()]);
        *turn += 1;
    };
    match value {
        Value::Array(items) => {
            out.push('[');
            gap(turn, out);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    gap(turn, out);
                }
                spaced(item, gaps, turn, out);
                gap(turn, out);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            gap(turn, out);
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    gap(turn, out);
                }
                out.push_str(&serde_json::to_string(key).expect("a key serialises"));
                gap(turn, out);
                out.push(':');
                gap(turn, out);
                spaced(item, gaps, turn, out);
                gap(turn, out);
            }
            out.push('}');
        }
        leaf => out.push_str(&serde_json::to_string(leaf).expect("a Value serialises")),
    }
}

//! The Partner API's `GET {partnerUrl}/partner/getInstances/{partnerToken}`: a partner's
//! instances with their tokens. Errors come as HTTP 200 with `{"code": 401, ...}`, so the
//! body is read, not only the status. The partner token and every instance token are kept
//! out of every message.

use std::time::Duration;

use serde_json::Value;

use crate::config::BaseUrl;
use crate::secret::Secret;
use crate::service::agent;
use crate::service::answer::{
    Answer, ApiError, Fault, classify_status, classify_transport, code_refusal,
};
use crate::service::retry::{Limit, Repeat, Retry};
use crate::terminal::interrupt::Interrupt;
use crate::terminal::status::Status;

/// The list is one answer; a partner with thousands of instances stays well below this.
const MAX_ANSWER: u64 = 64 * 1024 * 1024;
const DEADLINE: Duration = Duration::from_secs(60);

/// One instance of the list.
#[derive(Debug)]
pub struct PartnerInstance {
    pub id: u64,
    pub name: String,
    pub token: Secret,
    pub deleted: bool,
}

/// Every instance of the partner, in the order given; entries without an id or a usable
/// token are counted in the second value and left out.
pub fn get_instances(
    partner_url: &BaseUrl,
    token: &Secret,
    status: &Status,
    interrupt: &Interrupt,
) -> Result<(Vec<PartnerInstance>, usize), ApiError> {
    let (agent, tracker) = agent::build();
    let url = format!("{partner_url}/partner/getInstances/{}", token.expose());
    let host = partner_url.as_str().to_string();
    let answer = Retry::new(Limit::Retries(3), status, interrupt).run(Repeat::Safe, || {
        tracker.begin();
        let result = call(&agent, &url);
        let shown = token.redact(&url);
        match result {
            Ok(answer) => {
                status.exchange(format_args!("GET {shown} {}", answer.status));
                classify_status(&answer, Some(token))?;
                Ok(answer)
            }
            Err(e) => {
                let text = token.redact(&e.to_string());
                status.exchange(format_args!("GET {shown} failed: {text}"));
                Err(classify_transport(
                    &e,
                    Fault {
                        text,
                        host: &host,
                        first_contact: true,
                        progress: tracker.progress(),
                    },
                ))
            }
        }
    })?;
    if let Some(refusal) = code_refusal(&answer.body, Some(token)) {
        return Err(refusal);
    }
    parse(&answer.body)
}

fn call(agent: &ureq::Agent, url: &str) -> Result<Answer, ureq::Error> {
    let response = agent
        .get(url)
        .config()
        .timeout_global(Some(DEADLINE))
        .build()
        .call()?;
    Answer::read(response, MAX_ANSWER)
}

/// The list; never quotes the body (it holds every instance's token).
fn parse(body: &[u8]) -> Result<(Vec<PartnerInstance>, usize), ApiError> {
    let unexpected = |why: String| ApiError::Malformed {
        reason: format!("getInstances answered something that is not a list of instances ({why})"),
    };
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        unexpected(format!(
            "not JSON at line {}, column {}",
            e.line(),
            e.column()
        ))
    })?;
    let Value::Array(items) = value else {
        return Err(unexpected("not a JSON array".into()));
    };
    let mut out = Vec::with_capacity(items.len());
    let mut unusable = 0;
    for item in &items {
        let id = item
            .get("idInstance")
            .and_then(Value::as_u64)
            // A profile keeps it as a TOML integer (an i64).
            .filter(|id| *id > 0 && i64::try_from(*id).is_ok());
        let token = item
            .get("apiTokenInstance")
            .and_then(Value::as_str)
            .and_then(|t| Secret::new(t).ok());
        let (Some(id), Some(token)) = (id, token) else {
            unusable += 1;
            continue;
        };
        out.push(PartnerInstance {
            id,
            name: item
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            token,
            deleted: item
                .get("deleted")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    Ok((out, unusable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_read_and_odd_entries_counted() {
        let body = br#"[{"idInstance":1,"name":"A","apiTokenInstance":"t1","deleted":false},
            {"idInstance":2,"apiTokenInstance":"t2","deleted":true},
            {"name":"no id","apiTokenInstance":"t3"},
            {"idInstance":9223372036854775808,"apiTokenInstance":"t4"}]"#;
        let (list, unusable) = parse(body).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            (list[0].id, list[0].name.as_str(), list[0].deleted),
            (1, "A", false)
        );
        assert!(list[1].deleted);
        assert_eq!(unusable, 2, "no id, and one too large for a profile");
    }

    #[test]
    fn an_odd_answer_never_quotes_the_body() {
        let e = parse(br#"{"apiTokenInstance":"secret-x"}"#).unwrap_err();
        assert!(!e.to_string().contains("secret-x"), "{e}");
        let e = parse(b"[secret-y").unwrap_err();
        assert!(!e.to_string().contains("secret-y"), "{e}");
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any bytes, any JSON value, any array of values: a list or a typed error, never a
        /// panic; an instance only from an object with a positive id and a token.
        #[test]
        fn any_answer_gives_a_list_or_an_error(
            body in proptest::prop_oneof![
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
                crate::notification::json_strategy::value().prop_map(|v| v.to_string().into_bytes()),
                proptest::collection::vec(crate::notification::json_strategy::value(), 0..6)
                    .prop_map(|v| serde_json::Value::Array(v).to_string().into_bytes()),
            ]
        ) {
            use proptest::prelude::*;
            if let Ok((list, unusable)) = parse(&body) {
                let items: Vec<Value> = serde_json::from_slice(&body).expect("an array was read");
                prop_assert_eq!(list.len() + unusable, items.len());
                for instance in &list {
                    prop_assert!(instance.id > 0);
                }
            }
        }
    }
}

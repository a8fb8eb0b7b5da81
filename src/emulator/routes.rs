//! The emulator's methods: routing by path, authorization, and the answers.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::body;
use super::chat::deliver::{Delivered, FullLane, deliver};
use super::queue::Queues;
use super::queue::{Instance, MAX_QUEUE_BYTES, Refusal};
use super::settings::InstanceState;
use super::shared::{Answer, CLIENT_TIMEOUT, MAX_BODY, State};

/// Answers one request, and logs it with -v (tokens as `***`).
pub(super) async fn respond(state: &State, req: Request<Incoming>) -> Answer {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let answer = route(state, req).await;
    if state.verbose {
        crate::ewriteln!(
            "greenq: serve: {method} {} {} {:.1} ms",
            redact_partner(state, redact_path(&path, &state.queues)),
            answer.status().as_u16(),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    answer
}

/// The path for the log: the segment where a token goes (two after `waInstance{id}`,
/// wherever that is) as `***`, and any hosted token elsewhere too.
pub(super) fn redact_path(path: &str, queues: &Queues) -> String {
    let mut parts: Vec<&str> = path.split('/').collect();
    if let Some(i) = parts.iter().position(|p| p.starts_with("waInstance"))
        && let Some(token) = parts.get_mut(i + 2)
    {
        *token = "***";
    }
    queues.redact(&parts.join("/"))
}

/// The partner token as `***` too (`serve --partner-token`).
pub(super) fn redact_partner(state: &State, path: String) -> String {
    match &state.partner {
        Some(partner) => partner.redact(&path),
        None => path,
    }
}

async fn route(state: &State, req: Request<Incoming>) -> Answer {
    let path = req.uri().path().to_string();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => match *req.method() {
            Method::POST => publish(state, req).await,
            _ => wrong_method("POST"),
        },
        [instance, "receiveNotification", token] => {
            if req.method() != Method::GET {
                return wrong_method("GET");
            }
            // Credentials first: a wrong token is told so whatever else is wrong.
            let (id, instance) = match authorize(state, instance, "receiveNotification", token) {
                Ok(found) => found,
                Err(answer) => return *answer,
            };
            if let Some(answer) = starting(state) {
                return answer;
            }
            match receive_timeout(req.uri().query()) {
                Ok(t) => receive(state, id, instance, t.unwrap_or(state.wait)).await,
                Err(e) => error(StatusCode::BAD_REQUEST, &e),
            }
        }
        [instance, "deleteNotification", token, receipt] => {
            if req.method() != Method::DELETE {
                return wrong_method("DELETE");
            }
            let (id, instance) = match authorize(state, instance, "deleteNotification", token) {
                Ok(found) => found,
                Err(answer) => return *answer,
            };
            if let Some(answer) = starting(state) {
                return answer;
            }
            match receipt.parse::<u64>() {
                Ok(receipt) => {
                    let deleted = instance.delete(receipt);
                    if deleted {
                        state.chats.deleted(id, receipt);
                    }
                    json_answer(StatusCode::OK, json!({"result": deleted}).to_string())
                }
                Err(_) => error(
                    StatusCode::BAD_REQUEST,
                    "receiptId must be a positive integer",
                ),
            }
        }
        [
            instance,
            method @ ("getSettings" | "getStateInstance"),
            token,
        ] => {
            if req.method() != Method::GET {
                return wrong_method("GET");
            }
            let (id, _) = match authorize(state, instance, method, token) {
                Ok(found) => found,
                Err(answer) => return *answer,
            };
            let body = if *method == "getSettings" {
                state.accounts.get(id)
            } else {
                json!({"stateInstance": state.instance_state.name()})
            };
            json_answer(StatusCode::OK, body.to_string())
        }
        [
            instance,
            method @ ("getWebhooksCount" | "clearWebhooksQueue"),
            token,
        ] => whole_queue(state, &req, instance, method, token),
        [instance, "setSettings", token] => {
            if req.method() != Method::POST {
                return wrong_method("POST");
            }
            let (id, _) = match authorize(state, instance, "setSettings", token) {
                Ok(found) => found,
                Err(answer) => return *answer,
            };
            if let Some(answer) = starting(state) {
                return answer;
            }
            let body = match read_body(req).await {
                Ok(body) => body,
                Err(answer) => return *answer,
            };
            match state.accounts.set(id, &body) {
                Ok(()) => json_answer(StatusCode::OK, json!({"saveSettings": true}).to_string()),
                Err(problem) => error(StatusCode::BAD_REQUEST, &problem),
            }
        }
        ["partner", "getInstances", token] if state.partner.is_some() => {
            match (req.method(), &state.partner) {
                (&Method::GET, Some(partner)) => {
                    json_answer(StatusCode::OK, partner.get_instances(token))
                }
                _ => wrong_method("GET"),
            }
        }
        [instance, method, token] if super::chat::send::METHODS.contains(method) => {
            if req.method() != Method::POST {
                return wrong_method("POST");
            }
            match authorize(state, instance, method, token) {
                Ok((id, _)) => super::chat::send::respond(state, req, id, method).await,
                Err(answer) => *answer,
            }
        }
        _ => error(
            StatusCode::NOT_FOUND,
            "no such method; the emulator serves receiveNotification, deleteNotification, \
             getWebhooksCount, clearWebhooksQueue, getSettings, setSettings, getStateInstance, \
             the send methods, getChatHistory, getMessage, readChat, checkWhatsapp and POST /",
        ),
    }
}

/// `getWebhooksCount` (GET) and `clearWebhooksQueue` (DELETE), with the queue's rules.
fn whole_queue(
    state: &State,
    req: &Request<Incoming>,
    instance: &str,
    method: &str,
    token: &str,
) -> Answer {
    let count = method == "getWebhooksCount";
    match (count, req.method()) {
        (true, &Method::GET) | (false, &Method::DELETE) => {}
        (true, _) => return wrong_method("GET"),
        (false, _) => return wrong_method("DELETE"),
    }
    let (id, instance) = match authorize(state, instance, method, token) {
        Ok(found) => found,
        Err(answer) => return *answer,
    };
    if let Some(answer) = starting(state) {
        return answer;
    }
    let now = Instant::now();
    let body = if count {
        state.whole.count(id, instance, state.push.pending(id), now)
    } else {
        state.whole.clear(id, instance, now)
    };
    json_answer(StatusCode::OK, body.to_string())
}

/// While the instance is starting, the live service refuses the queue's methods with 400.
fn starting(state: &State) -> Option<Answer> {
    (state.instance_state == InstanceState::Starting).then(|| {
        error(
            StatusCode::BAD_REQUEST,
            "Instance in starting process, try later",
        )
    })
}

/// Credentials first, then `--rate-limit` for this method of this instance.
fn authorize<'a>(
    state: &'a State,
    instance: &str,
    method: &str,
    token: &str,
) -> Result<(u64, &'a Instance), Box<Answer>> {
    let id = instance
        .strip_prefix("waInstance")
        .and_then(|id| id.parse::<u64>().ok());
    let Some(id) = id else {
        return Err(Box::new(error(
            StatusCode::NOT_FOUND,
            "the path must start with /waInstance{idInstance}/",
        )));
    };
    let instance = state.queues.authorize(id, token).map_err(|refusal| {
        Box::new(match refusal {
            Refusal::UnknownInstance => error(
                StatusCode::FORBIDDEN,
                &format!("instance {id} is not hosted here"),
            ),
            Refusal::WrongToken => error(StatusCode::UNAUTHORIZED, "wrong apiTokenInstance"),
        })
    })?;
    if let Some(limit) = &state.rate_limit
        && !limit.admit(id, method, Instant::now())
    {
        let mut answer = error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("more than the --rate-limit of {method} in one second"),
        );
        answer.headers_mut().insert(
            RETRY_AFTER,
            HeaderValue::from(super::rate_limit::RETRY_AFTER_SECS),
        );
        return Err(Box::new(answer));
    }
    Ok((id, instance))
}

/// `receiveTimeout=N` (5..60, as the live service), or none.
fn receive_timeout(query: Option<&str>) -> Result<Option<Duration>, String> {
    let Some(value) = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|p| p.strip_prefix("receiveTimeout="))
    else {
        return Ok(None);
    };
    match value.parse::<u64>() {
        Ok(n @ 5..=60) => Ok(Some(Duration::from_secs(n))),
        _ => Err("receiveTimeout must be a whole number of seconds from 5 to 60".into()),
    }
}

async fn receive(state: &State, id: u64, instance: &Instance, wait: Duration) -> Answer {
    let receiving = state.chats.receiving(id);
    match instance.wait_for_head(wait).await {
        Some((receipt, body)) => {
            receiving.got(receipt);
            let mut out = Vec::with_capacity(body.len() + 40);
            out.extend_from_slice(b"{\"receiptId\":");
            out.extend_from_slice(receipt.to_string().as_bytes());
            out.extend_from_slice(b",\"body\":");
            out.extend_from_slice(&body);
            out.push(b'}');
            json_answer(StatusCode::OK, out)
        }
        None => json_answer(StatusCode::OK, "null"),
    }
}

/// A request body, whole; the answer to give otherwise.
pub(super) async fn read_body(req: Request<Incoming>) -> Result<Bytes, Box<Answer>> {
    let collected = tokio::time::timeout(
        CLIENT_TIMEOUT,
        body::read_limited(req.into_body(), MAX_BODY),
    )
    .await;
    match collected {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(body::BodyError::TooLarge)) => Err(Box::new(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {} MiB", MAX_BODY >> 20),
        ))),
        Ok(Err(_)) => Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "the body could not be read",
        ))),
        Err(_) => Err(Box::new(error(
            StatusCode::REQUEST_TIMEOUT,
            "the body took too long to arrive",
        ))),
    }
}

async fn publish(state: &State, req: Request<Incoming>) -> Answer {
    if req.headers().contains_key(super::push::PUSHED) {
        return error(
            StatusCode::LOOP_DETECTED,
            "this is a push from greenq serve: a webhookUrl that points at the emulator itself would loop",
        );
    }
    let body = match read_body(req).await {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    let (id, kind) = match instance_of(&body) {
        Ok(found) => found,
        Err(problem) => return error(StatusCode::BAD_REQUEST, &problem),
    };
    if state.queues.get(id).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            &format!("instance {id} is not hosted here"),
        );
    }
    // Stored as sent (field order and all), without the white space around it. Copied:
    // a slice would keep hyper's whole read buffer alive, about 12 times the body.
    let trimmed = Bytes::copy_from_slice(body.trim_ascii());
    let kind = kind.map(str::to_string);
    match deliver(state, id, kind.as_deref(), trimmed.clone()) {
        // A kind switched off in the settings is never sent, as on the live service.
        Ok(Delivered::Off(switch)) => json_answer(
            StatusCode::OK,
            json!({"result": true, "queued": false, "reason": format!("{switch} is \"no\"")})
                .to_string(),
        ),
        Ok(Delivered::Pushed) => {
            super::chat::simulate::published(state, id, kind.as_deref(), &trimmed, None);
            json_answer(
                StatusCode::OK,
                json!({"result": true, "queued": false, "reason": "pushed to webhookUrl"})
                    .to_string(),
            )
        }
        Ok(Delivered::Queued(receipt)) => {
            super::chat::simulate::published(state, id, kind.as_deref(), &trimmed, Some(receipt));
            json_answer(
                StatusCode::OK,
                json!({"result": true, "receiptId": receipt}).to_string(),
            )
        }
        Err(FullLane { pushed }) => error(
            StatusCode::INSUFFICIENT_STORAGE,
            &format!(
                "the {} of instance {id} is full ({} MiB); {}",
                if pushed { "push lane" } else { "queue" },
                MAX_QUEUE_BYTES >> 20,
                if pushed {
                    "let the webhook answer 200, or clear webhookUrl"
                } else {
                    "receive and delete first"
                }
            ),
        ),
    }
}

/// `body.instanceData.idInstance` of a notification, and its `typeWebhook` when that has no
/// escapes; the problem otherwise. A notification is what the vendor documents (and
/// `greenq publish` checks): an object with a non-empty string `typeWebhook` and a positive
/// integer `instanceData.idInstance`; anything else is refused, as the live service would.
fn instance_of(body: &[u8]) -> Result<(u64, Option<&str>), String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    crate::notification::check(text).map_err(|problem| format!("not a notification: {problem}"))?;
    read_instance(text)
}

/// The instance and the plain `typeWebhook` of a body that passed the check.
fn read_instance(text: &str) -> Result<(u64, Option<&str>), String> {
    #[derive(Deserialize)]
    struct Notification<'a> {
        #[serde(rename = "instanceData")]
        instance_data: Option<InstanceData>,
        // Raw, so that nothing is copied.
        #[serde(rename = "typeWebhook", borrow)]
        type_webhook: Option<&'a serde_json::value::RawValue>,
    }
    #[derive(Deserialize)]
    struct InstanceData {
        #[serde(rename = "idInstance")]
        id_instance: Option<serde_json::Value>,
    }
    if !text.trim_start().starts_with('{') {
        return Err("the body must be a JSON object".into());
    }
    let n: Notification =
        serde_json::from_str(text).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let kind = n.type_webhook.and_then(|raw| {
        raw.get()
            .strip_prefix('"')?
            .strip_suffix('"')
            .filter(|k| !k.contains('\\'))
    });
    let id = n
        .instance_data
        .and_then(|d| d.id_instance)
        .ok_or("instanceData.idInstance is missing")?;
    let id = id
        .as_u64()
        .filter(|&id| id > 0)
        .ok_or_else(|| "instanceData.idInstance must be a positive integer".to_string())?;
    Ok((id, kind))
}

pub(super) fn json_answer(status: StatusCode, body: impl Into<Bytes>) -> Answer {
    let mut answer = Response::new(Full::new(body.into()));
    *answer.status_mut() = status;
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    answer
}

fn error(status: StatusCode, message: &str) -> Answer {
    json_answer(status, json!({"error": message}).to_string())
}

fn wrong_method(allowed: &'static str) -> Answer {
    let mut answer = error(StatusCode::METHOD_NOT_ALLOWED, &format!("use {allowed}"));
    answer
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_redacted_for_the_log() {
        let queues = Queues::new(&[(1, "secret".to_string())], 1);
        let cases = [
            (
                "/waInstance1/receiveNotification/secret",
                "/waInstance1/receiveNotification/***",
            ),
            (
                "/waInstance1/deleteNotification/wrong/5",
                "/waInstance1/deleteNotification/***/5",
            ),
            (
                "//waInstance1/receiveNotification/secret",
                "//waInstance1/receiveNotification/***",
            ),
            (
                "/prefix/waInstance1/receiveNotification/x",
                "/prefix/waInstance1/receiveNotification/***",
            ),
            ("/other/secret/path", "/other/***/path"),
            ("/", "/"),
        ];
        for (path, logged) in cases {
            assert_eq!(redact_path(path, &queues), logged);
        }
    }

    #[test]
    fn receive_timeout_range() {
        assert_eq!(receive_timeout(None), Ok(None));
        assert_eq!(
            receive_timeout(Some("receiveTimeout=5")),
            Ok(Some(Duration::from_secs(5)))
        );
        assert_eq!(
            receive_timeout(Some("x=1&receiveTimeout=60")),
            Ok(Some(Duration::from_secs(60)))
        );
        assert!(receive_timeout(Some("receiveTimeout=4")).is_err());
        assert!(receive_timeout(Some("receiveTimeout=61")).is_err());
        assert!(receive_timeout(Some("receiveTimeout=abc")).is_err());
    }

    #[test]
    fn published_bodies_need_a_type_and_an_integer_instance() {
        assert_eq!(
            instance_of(br#"{"typeWebhook":"incomingCall","instanceData":{"idInstance":5}}"#),
            Ok((5, Some("incomingCall")))
        );
        assert_eq!(
            instance_of(br#"{"typeWebhook":"a\"b","instanceData":{"idInstance":5}}"#),
            Ok((5, None))
        );
        for (body, problem) in [
            (
                r#"{"instanceData":{"idInstance":5}}"#,
                "typeWebhook is missing",
            ),
            (
                r#"{"typeWebhook":7,"instanceData":{"idInstance":5}}"#,
                "typeWebhook must be a string, found a number",
            ),
            (
                r#"{"typeWebhook":"","instanceData":{"idInstance":5}}"#,
                "typeWebhook is empty",
            ),
            (
                r#"{"typeWebhook":"x","instanceData":7}"#,
                "instanceData must be an object",
            ),
        ] {
            let e = instance_of(body.as_bytes()).unwrap_err();
            assert!(
                e.starts_with("not a notification: ") && e.contains(problem),
                "{e}"
            );
        }
        assert!(instance_of(b"[{}]").is_err());
        assert!(instance_of(b"{}").is_err());
        assert!(instance_of(br#"{"typeWebhook":"x","instanceData":{"idInstance":"5"}}"#).is_err());
        assert!(instance_of(br#"{"typeWebhook":"x","instanceData":{"idInstance":0}}"#).is_err());
        assert!(instance_of(b"{oops").is_err());
        assert!(instance_of(&[b'{', 0xff, b'}']).is_err());
    }
}

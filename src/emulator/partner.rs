//! The Partner API's `getInstances` as the emulator serves it (`serve --partner-token`):
//! every hosted instance, with its name and token. Like the live service, a wrong partner
//! token is answered HTTP 200 with `{"code": 401, ...}` in the body.

use serde_json::json;

pub struct Partner {
    token: String,
    /// Hosted instances: id, token, name.
    instances: Vec<(u64, String, String)>,
}

impl Partner {
    pub fn new(token: String, instances: Vec<(u64, String, String)>) -> Self {
        Partner { token, instances }
    }

    /// `text` with the partner token as `***` (the -v log).
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.token, "***")
    }

    /// The body of the answer, always sent with HTTP 200 (as the live service does).
    pub fn get_instances(&self, token: &str) -> String {
        if token != self.token {
            return json!({"code": 401, "description": "Unauthorized"}).to_string();
        }
        let list: Vec<_> = self
            .instances
            .iter()
            .map(|(id, token, name)| {
                json!({
                    "idInstance": id,
                    "name": name,
                    "typeInstance": "whatsapp",
                    "typeAccount": "instance",
                    "partnerUserUiid": "emulator",
                    "timeCreated": "2026-01-01T00:00:00.000Z",
                    "timeDeleted": "",
                    "apiTokenInstance": token,
                    "deleted": false,
                    "tariff": "Developer",
                    "isFree": true,
                    "isPartner": true,
                    "expirationDate": "2036-01-01T00:00:00.000Z",
                    "isExpired": false,
                })
            })
            .collect();
        serde_json::Value::Array(list).to_string()
    }
}

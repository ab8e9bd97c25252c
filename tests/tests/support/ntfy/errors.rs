//! ntfy's errors, copied from its `server/errors.go` (`errHTTP` and the `errHTTP...` table): the
//! JSON shape `{"code":…,"http":…,"error":…,"link":…}` with `code` and `link` left out when
//! empty, and the codes a client of the publish and subscribe API can meet.

use serde::Serialize;

/// One ntfy error, serialised exactly as `errHTTP.JSON()` does (Go's field order).
#[derive(Clone, Debug, Serialize)]
pub struct NtfyError {
    #[serde(skip_serializing_if = "is_zero")]
    pub code: u32,
    pub http: u16,
    pub error: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub link: String,
}

fn is_zero(code: &u32) -> bool {
    *code == 0
}

impl NtfyError {
    /// The body ntfy writes: the JSON and a newline (`io.WriteString(w, httpErr.JSON()+"\n")`).
    pub fn body(&self) -> String {
        format!("{}\n", serde_json::to_string(self).unwrap())
    }

    /// `errHTTP.Wrap`: the message gains "; detail".
    pub fn wrap(mut self, detail: &str) -> NtfyError {
        self.error = format!("{}; {detail}", self.error);
        self
    }
}

/// A row of ntfy's table, as `const`s can hold it.
const fn known(code: u32, http: u16, error: &'static str, link: &'static str) -> Known {
    Known {
        code,
        http,
        error,
        link,
    }
}

/// A row of the table, turned into an [`NtfyError`] where it is answered.
#[derive(Clone, Copy)]
pub struct Known {
    code: u32,
    http: u16,
    error: &'static str,
    link: &'static str,
}

impl Known {
    pub fn err(self) -> NtfyError {
        NtfyError {
            code: self.code,
            http: self.http,
            error: self.error.to_string(),
            link: self.link.to_string(),
        }
    }
}

const PUBLISH_DOCS: &str = "https://ntfy.sh/docs/publish/";

pub const BAD_REQUEST_EMAIL_DISABLED: Known = known(
    40001,
    400,
    "e-mail notifications are not enabled",
    "https://ntfy.sh/docs/config/#e-mail-notifications",
);
pub const PRIORITY_INVALID: Known = known(
    40007,
    400,
    "invalid priority parameter",
    "https://ntfy.sh/docs/publish/#message-priority",
);
pub const SINCE_INVALID: Known = known(
    40008,
    400,
    "invalid since parameter",
    "https://ntfy.sh/docs/subscribe/api/#fetch-cached-messages",
);
pub const TOPIC_INVALID: Known = known(40009, 400, "invalid request: topic invalid", "");
pub const TOPIC_DISALLOWED: Known =
    known(40010, 400, "invalid request: topic name is not allowed", "");
pub const ATTACHMENTS_DISALLOWED: Known = known(
    40014,
    400,
    "invalid request: attachments not allowed",
    "https://ntfy.sh/docs/config/#attachments",
);
pub const ACTIONS_INVALID: Known = known(
    40018,
    400,
    "invalid request: actions invalid",
    "https://ntfy.sh/docs/publish/#action-buttons",
);
pub const ICON_URL_INVALID: Known = known(
    40021,
    400,
    "invalid request: icon URL is invalid",
    "https://ntfy.sh/docs/publish/#icons",
);
pub const JSON_INVALID: Known = known(
    40024,
    400,
    "invalid request: request body must be valid JSON",
    "",
);
pub const PHONE_CALLS_DISABLED: Known = known(
    40032,
    400,
    "invalid request: calling is disabled",
    "https://ntfy.sh/docs/config/#phone-calls",
);
pub const UNAUTHORIZED: Known = known(
    40101,
    401,
    "unauthorized",
    "https://ntfy.sh/docs/publish/#authentication",
);
pub const FORBIDDEN: Known = known(
    40301,
    403,
    "forbidden",
    "https://ntfy.sh/docs/publish/#authentication",
);
pub const NOT_FOUND: Known = known(40401, 404, "page not found", "");
pub const JSON_BODY_TOO_LARGE: Known = known(41303, 413, "JSON body too large", "");
pub const TOO_MANY_REQUESTS: Known = known(
    42901,
    429,
    "limit reached: too many requests",
    "https://ntfy.sh/docs/publish/#limitations",
);
pub const DAILY_MESSAGE_QUOTA: Known = known(
    42908,
    429,
    "limit reached: daily message quota reached",
    "https://ntfy.sh/docs/publish/#limitations",
);
pub const INTERNAL_ERROR: Known = known(50001, 500, "internal server error", "");

/// What a scripted failure answers: ntfy's own error for that status where it has an obvious
/// one, else a code-less error (Go leaves `code` out when it is 0).
pub fn scripted(status: u16) -> NtfyError {
    let known = match status {
        400 => known(40000, 400, "invalid request", ""),
        401 => UNAUTHORIZED,
        403 => FORBIDDEN,
        404 => NOT_FOUND,
        429 => TOO_MANY_REQUESTS,
        500 => INTERNAL_ERROR,
        507 => known(
            50701,
            507,
            "cannot publish to UnifiedPush topic without previously active subscriber",
            "",
        ),
        _ => {
            return NtfyError {
                code: 0,
                http: status,
                error: format!("scripted failure {status}"),
                link: String::new(),
            };
        }
    };
    known.err()
}

/// The stand-in's answer to a feature of ntfy it does not mirror (delayed delivery,
/// attachments…): a loud 501, so that a test relying on it fails instead of passing on a guess.
pub fn not_mirrored(what: &str) -> NtfyError {
    NtfyError {
        code: 0,
        http: 501,
        error: format!("the ntfy stand-in does not mirror {what}; see {PUBLISH_DOCS}"),
        link: String::new(),
    }
}

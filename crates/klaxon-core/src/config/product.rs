//! The `[product]` table: who is writing to customers, for the reply drafts.

use serde::Deserialize;

/// Names the drafts sign with. Empty means "not set": the draft shows a marker asking for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ProductConfig {
    /// The product customers know ("Acme Invoices").
    pub name: String,
    /// The company behind it ("Acme Ltd").
    pub company: String,
    /// How the founder signs ("Sam Carter, founder").
    pub signature: String,
}

impl ProductConfig {
    pub(super) fn trimmed(self) -> ProductConfig {
        ProductConfig {
            name: self.name.trim().to_string(),
            company: self.company.trim().to_string(),
            signature: self.signature.trim().to_string(),
        }
    }
}

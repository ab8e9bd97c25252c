//! What comes after an outage: the window's look back over the last day and one incident's
//! timeline ([`look_back`]), and the honest reply to customers drafted from the incident and
//! the founder's notes on it ([`draft`]; the notes themselves are values in
//! [`crate::domain::notes`], kept by the store).

pub mod draft;
pub mod look_back;

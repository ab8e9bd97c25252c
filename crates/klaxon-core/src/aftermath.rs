//! What comes after an outage: the window's look back over the last day and one incident's
//! timeline ([`look_back`]), each monitor's uptime, response times and certificate over 24 h,
//! 7 d and 30 d ([`uptime`]), the month's numbers that open the Incidents view ([`month`]),
//! both on the stretch arithmetic of [`stretches`], and the honest reply to customers drafted
//! from the incident and the founder's notes on it ([`draft`]; the notes themselves are values
//! in [`crate::domain::notes`], kept by the store).

pub mod draft;
pub mod look_back;
pub mod month;
pub mod stretches;
pub mod uptime;

//! How the vocabulary's enums sit in SQL: as the same snake_case words the JSON uses, so a
//! database stays readable by hand and by older and newer Klaxons alike. A word this Klaxon
//! does not know is an error that names the word, never a guess — except where a guess is the
//! safe reading, which the caller decides.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::domain::states::{
    AckVia, DeliveryEvent, DeliveryState, DraftKind, DraftTone, IncidentState, MonitorState,
    TimelineKind, UnwatchedCause,
};

macro_rules! sql_word {
    ($($name:ty),+) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let word = value.as_str()?;
                word.parse().map_err(|_| {
                    FromSqlError::Other(
                        format!(
                            "{:?} is not a {} this Klaxon knows",
                            crate::text::bounded(word, 40),
                            stringify!($name)
                        )
                        .into(),
                    )
                })
            }
        }
    )+};
}

sql_word!(
    AckVia,
    DeliveryEvent,
    DeliveryState,
    DraftKind,
    DraftTone,
    IncidentState,
    MonitorState,
    TimelineKind,
    UnwatchedCause
);

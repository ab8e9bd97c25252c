//! An ntfy topic followed as a source.

//! The typed compose model: what the loader makes of the tree once it is interpolated,
//! in canonical long form, merged and normalized. This first part holds the values
//! compose-go's decoder reads: durations and byte sizes with units, booleans and
//! numbers written as strings, commands split into words, `list_or_dict` and
//! `string_or_list` shapes.

mod command;
mod options;
mod scalars;
mod units;

pub use command::{split as split_words, ShellCommand, SplitError};
pub use scalars::{go_float_text, DeviceCount, FileMode};
pub use units::{Bytes, Duration};

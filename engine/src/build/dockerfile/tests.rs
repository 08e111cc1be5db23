//! Whole-file tests.

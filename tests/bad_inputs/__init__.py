"""The bad-input corpus: each case is the sample inbox with exactly one fault, and the message a person must get."""

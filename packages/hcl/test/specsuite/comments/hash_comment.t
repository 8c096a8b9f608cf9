# This test parses a file containing only a comment. It is a parsing-only test,
# so the hcldec spec for this test is just a literal value given below.

result = "ok"

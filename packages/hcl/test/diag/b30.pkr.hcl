source "null" "x" {
  a = 1 +
  b = [
}
build {
  c = 2 2
}

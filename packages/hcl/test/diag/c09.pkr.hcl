locals {
  a = 1
}
locals {
  b = foo(
}

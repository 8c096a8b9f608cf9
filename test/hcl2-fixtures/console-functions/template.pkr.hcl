variable "s" {
  default = "str"
}
variable "l" {
  type    = list(number)
  default = [1, 2, 3]
}
variable "secret" {
  default   = "c0ns0le-secret"
  sensitive = true
}
locals {
  m = { a = var.s, b = length(var.l) }
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
}

variable "foo" {
  type    = string
  default = "x"
}

source "null" "n" {
  communicator = "none"
}

build {
  name        = "b-${var.foo}"
  description = upper("d")
  sources     = ["source.null.n"]
}

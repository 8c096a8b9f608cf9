locals {
  n = "source.null.n"
}

source "null" "n" {
  communicator = "none"
}

build {
  name    = local.n
  sources = [local.n]
}

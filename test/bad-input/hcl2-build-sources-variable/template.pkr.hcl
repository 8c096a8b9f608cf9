variable "foo" {
  type    = string
  default = "-builder"
}

source "null" "null-builder" {
  communicator = "none"
}

build {
  sources = [
    "source.null.null${var.foo}",
  ]
}

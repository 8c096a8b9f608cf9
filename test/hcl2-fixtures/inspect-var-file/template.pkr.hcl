variable "region" {
  default = "us-east-1"
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
}

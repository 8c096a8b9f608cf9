variable "n" {
  type = number
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
}

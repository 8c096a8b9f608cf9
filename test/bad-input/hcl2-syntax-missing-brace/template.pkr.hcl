source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]

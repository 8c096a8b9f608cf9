source "null" "a" {
  communicator = "none"
  not_an_option = true
}
build {
  sources = ["source.null.a"]
}

source "null" "example" {
  communicator = "none"
}

build {
  sources = ["source.null.example"]
}

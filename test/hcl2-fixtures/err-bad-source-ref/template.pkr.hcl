source "null" "a" {
  communicator = "none"
}

build {
  sources = ["just-a-name"]
}

source "nosuch" "a" {
}
build {
  sources = ["source.nosuch.a"]
}

source "file" "a" {
  content = ["not", "a", "string"]
  target  = "a.txt"
}
build {
  sources = ["source.file.a"]
}

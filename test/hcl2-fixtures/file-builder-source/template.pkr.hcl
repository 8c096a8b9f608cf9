source "file" "copy" {
  source = "in.txt"
  target = "copy.txt"
}
build {
  sources = ["source.file.copy"]
}

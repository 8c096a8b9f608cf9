source "file" "base" {
  content = "base content"
  target  = "base.txt"
}
build {
  source "source.file.base" {
    name   = "first"
    target = "first.txt"
  }
  source "source.file.base" {
    name    = "second"
    content = "second content"
    target  = "second.txt"
  }
  sources = ["source.file.base"]
}

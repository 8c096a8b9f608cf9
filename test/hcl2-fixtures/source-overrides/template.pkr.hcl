source "file" "base" {
  content = "base content"
}
build {
  source "source.file.base" {
    name   = "first"
    target = "first.txt"
  }
  source "source.file.base" {
    name   = "second"
    target = "second.txt"
  }
}

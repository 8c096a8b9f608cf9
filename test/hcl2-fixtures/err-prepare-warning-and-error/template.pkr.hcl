# neither target nor content: the file builder warns and fails; both are shown
source "file" "a" {
}

build {
  sources = ["source.file.a"]
}

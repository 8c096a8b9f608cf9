source "file" "a" {
  content = "no target"
}
build {
  sources = ["source.file.a"]
  provisioner "shell-local" {
  }
}

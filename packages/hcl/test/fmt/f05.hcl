build {
  sources = ["source.null.x"]

  provisioner "shell-local" {
    inline = ["echo hi",
    "echo there"]
  }
  post-processor "manifest" {}
  post-processor "x" { a = 1 }
}

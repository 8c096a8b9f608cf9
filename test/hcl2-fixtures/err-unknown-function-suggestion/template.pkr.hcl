source "null" "a" {
  communicator = uper("none")
}

build {
  sources = ["source.null.a"]

  provisioner "shell-local" {
    inline = [trimspce(" x ")]
  }
}

source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["true"]
    nope   = 1
  }
}

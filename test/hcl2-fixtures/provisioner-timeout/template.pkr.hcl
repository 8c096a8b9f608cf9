source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    timeout = "1s"
    inline  = ["sleep 5"]
  }
}

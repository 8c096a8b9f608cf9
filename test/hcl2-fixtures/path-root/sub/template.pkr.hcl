source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo root=${path.root} > ${path.root}/out.txt", "echo cwd-is-absolute=${substr(path.cwd, 0, 1) == "/"} >> ${path.root}/out.txt"]
  }
}

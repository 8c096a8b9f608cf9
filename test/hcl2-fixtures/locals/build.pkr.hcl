source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${local.name} ${local.count} ${local.tags.owner} > out.txt"]
  }
}

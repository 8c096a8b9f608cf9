source "null" "one" {
  communicator = "none"
}
source "null" "two" {
  communicator = "none"
}

build {
  name        = "alpha"
  description = "the first build"
  sources     = ["source.null.one", "source.null.two"]
  provisioner "shell-local" {
    inline = ["echo ${build.name} ${source.type} ${source.name} > ${build.name}-${source.name}.txt"]
  }
}

build {
  name    = "beta"
  sources = ["null.one"]
  provisioner "shell-local" {
    inline = ["echo ${build.name} ${source.name} > beta-${source.name}.txt"]
  }
}

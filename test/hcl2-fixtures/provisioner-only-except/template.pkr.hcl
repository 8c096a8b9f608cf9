source "null" "a" {
  communicator = "none"
}
source "null" "b" {
  communicator = "none"
}

build {
  sources = ["source.null.a", "source.null.b"]
  provisioner "shell-local" {
    only   = ["null.a"]
    inline = ["echo only-a > only.txt"]
  }
  provisioner "shell-local" {
    except = ["null.a"]
    inline = ["echo except-a > except.txt"]
  }
  provisioner "shell-local" {
    inline = ["echo ${source.name} >> all-${source.name}.txt"]
    override = {
      b = {
        inline = ["echo overridden >> all-b.txt"]
      }
    }
  }
}

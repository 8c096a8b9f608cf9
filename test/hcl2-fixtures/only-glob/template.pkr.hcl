source "null" "a" {
  communicator = "none"
}
source "null" "b" {
  communicator = "none"
}
source "file" "c" {
  content = "c"
  target  = "c.txt"
}
build {
  name    = "main"
  sources = ["source.null.a", "source.null.b", "source.file.c"]
  provisioner "shell-local" {
    inline = ["echo ${source.type}.${source.name} > ${source.name}.txt"]
  }
  post-processor "shell-local" {
    only   = ["null.a"]
    inline = ["echo pp-only-a > pp-a.txt"]
  }
  post-processor "shell-local" {
    except = ["null.a"]
    inline = ["echo pp-except-a >> pp-not-a.txt"]
  }
}

variable "name" {
  type = string
}
variable "sizes" {
  type = list(number)
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${var.name} ${join(",", var.sizes)} > out.txt"]
  }
}

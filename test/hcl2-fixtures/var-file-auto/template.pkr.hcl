variable "a" {
  type = string
}
variable "b" {
  type = string
}
variable "c" {
  type    = string
  default = "default-c"
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${var.a} ${var.b} ${var.c} > out.txt"]
  }
}

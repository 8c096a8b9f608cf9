variable "name" {
  type = string
}
variable "count" {
  type = number
}
variable "list" {
  type = list(string)
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${var.name} ${var.count * 2} ${join("+", var.list)} > out.txt"]
  }
}

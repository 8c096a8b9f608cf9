variable "name" {
  type = string
}
variable "sizes" {
  type = list(number)
}
variable "labels" {
  type    = map(string)
  default = {}
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo ${var.name} ${join(",", var.sizes)} ${jsonencode(var.labels)} > out.txt"]
  }
}

variable "a" {
  default = "default-a"
}
variable "b" {
  default = "default-b"
}
variable "c" {
  default = "default-c"
}
variable "d" {
  default = "default-d"
}
variable "e" {
  default = "default-e"
}
variable "f" {
  default = "default-f"
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo a=${var.a} b=${var.b} c=${var.c} d=${var.d} e=${var.e} f=${var.f} > out.txt"]
  }
}

variable "list" {
  type = list(string)
}
variable "map" {
  type = map(string)
}
variable "num" {
  type = number
}
variable "flag" {
  type = bool
}
variable "str" {
  type = string
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo '${jsonencode([var.list, var.map, var.num, var.flag, var.str])}' > out.json"]
  }
}

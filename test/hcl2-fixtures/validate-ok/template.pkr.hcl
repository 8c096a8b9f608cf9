variable "s" {
  type    = string
  default = "hello"
}
variable "n" {
  type    = number
  default = 3.5
}
variable "b" {
  type    = bool
  default = true
}
variable "l" {
  type    = list(string)
  default = ["x", "y"]
}
variable "m" {
  type    = map(number)
  default = { one = 1, two = 2 }
}
variable "st" {
  type    = set(string)
  default = ["b", "a", "b"]
}
variable "o" {
  type = object({ name = string, size = number, tags = list(string) })
  default = { name = "obj", size = 2, tags = ["t1"] }
}
variable "t" {
  type    = tuple([string, number, bool])
  default = ["a", 1, false]
}
variable "untyped" {
  default = 42
}
source "null" "a" {
  communicator = "none"
}

build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["echo '${jsonencode([var.s, var.n, var.b, var.l, var.m, var.st, var.o, var.t, var.untyped])}' > values.json", "echo ${var.n + 1} ${var.b ? "yes" : "no"} ${var.l[1]} ${var.m["two"]} ${var.o.name} ${var.t[1]} > scalars.txt"]
  }
}

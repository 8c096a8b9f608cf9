variable "m" {
  type    = map(number)
  default = { a = "x" }
}

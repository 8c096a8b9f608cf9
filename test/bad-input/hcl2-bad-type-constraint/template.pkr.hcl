variable "x" {
  type = list(strin)
}

variable "x" {
  typo = string
}

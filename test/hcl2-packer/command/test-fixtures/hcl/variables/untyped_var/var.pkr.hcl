
variable "untyped" {
}

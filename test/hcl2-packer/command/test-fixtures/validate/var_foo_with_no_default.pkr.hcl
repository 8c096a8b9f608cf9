
variable "foo" {
}
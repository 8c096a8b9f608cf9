variable "foo" {
    type = string
    default = "bar"
}

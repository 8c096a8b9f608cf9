
variable "boolean_value" {
    default = false
}

variable "boolean_value" {
    default = true
}

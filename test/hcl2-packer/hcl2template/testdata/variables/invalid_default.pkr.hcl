

variable "broken_type" {
    type    = list(string)
    default = true
}

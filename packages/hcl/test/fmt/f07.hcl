variable "foo" {
	type = string
	default = "tabs"
}

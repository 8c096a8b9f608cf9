result_type = object({
  b = string
})
result = {
  b = "foo"
}

builder "null" {
}

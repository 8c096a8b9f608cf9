potato "x" {
}

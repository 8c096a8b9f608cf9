
potato {
}

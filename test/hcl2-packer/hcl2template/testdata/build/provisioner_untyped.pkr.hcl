
build {
    provision {
        foo = "bar"
    }
}

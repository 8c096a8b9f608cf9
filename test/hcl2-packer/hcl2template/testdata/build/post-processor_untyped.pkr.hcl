
build {
    post-process {
        foo = "bar"
    }
}

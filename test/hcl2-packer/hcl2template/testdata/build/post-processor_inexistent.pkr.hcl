
build {
    post-processor "inexistant" {
        foo = "bar"
    }
}

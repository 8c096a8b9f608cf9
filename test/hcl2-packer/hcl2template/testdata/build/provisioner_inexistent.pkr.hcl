
build {
    provisioner "inexistant" {
        foo = "bar"
    }
}

# The example plugin under Packer 1.7+ (tested with 1.16):
#   node examples/plugins/build.mjs dist
#   packer plugins install --path dist/packer-plugin-example github.com/packer-ts/example
#   packer build template.pkr.hcl
packer {
  required_plugins {
    example = { source = "github.com/packer-ts/example", version = ">= 0.1.0" }
  }
}

source "example-localdir" "work" {
  directory = "work"
}

build {
  sources = ["source.example-localdir.work"]
  provisioner "example-write-file" {
    path    = "hello.txt"
    content = "hello from ${source.name}\n"
    command = "cat hello.txt && ls"
  }
  provisioner "example-write-file" {
    path    = "/etc/inside.txt"
    content = "absolute paths stay inside the directory\n"
  }
  post-processor "example-listing" {
    output = "listing.txt"
  }
}

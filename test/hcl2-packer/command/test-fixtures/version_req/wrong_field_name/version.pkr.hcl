packer {
  version = ">= 700000.0.0"
}

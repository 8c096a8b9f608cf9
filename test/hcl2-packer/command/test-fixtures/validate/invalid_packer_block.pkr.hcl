packer {
  version = ">= v1.0.0"
}

locals {
  tags  = { name = local.name, owner = "me" }
  count = length(local.tags)
}

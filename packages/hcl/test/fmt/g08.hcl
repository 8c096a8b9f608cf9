obj = {
  "key with spaces" = 1
  another           = 2
  (local.key)       = 3
}
